using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The C# ballot-name parse (<see cref="BallotName"/>) must give what the SQL macros give, field for field: the SQL is
/// the reference, and right_clean takes the C# parse for every plain ASCII name.
/// </summary>
public sealed class BallotNameTests : IDisposable
{
    // Names that exercise each step: quotes and brackets (closed, empty, unclosed, nested), commas before and after a
    // suffix, suffixes alone, particles, hyphens and spaces in every mix, whitespace other than spaces, digits, no letters.
    private static readonly string[] Names =
    [
        "ROBERT C. \"BOBBY\" SCOTT", "Scott, Robert C.", "J. Smith Jr.", "Kevin Van Der Berg", "Ana De La Cruz", "\"MIKE\" JOHNSON",
        "Smith, Jr.", "Smith,", ",John", "a,b,c", "Jones, John, Jr.", "Jr.", "John Jr", "Mary Sue Ellen Van Der Berg III",
        "William (Bill) Clinton", "(Bill)", "\"\"Bob\" Jones", "Bob \"\" Jones", "Ann (Nan\" Lee", "Ann \"Nan Lee", "Ann Nan) Lee",
        "O'Neill, Mary-Kate", "Jean-Luc  -  Picard", "Jean - - Luc", "-Cher-", "  spaced   out  ", "tab\tand\nnewline\rname",
        "J. R. R. Tolkien, Sr.", "Dr. Ruth, PhD", "123 456", "Madonna", "Le Van", "de la", "St. John Smith", "X A", "bin Al Saud",
        "Mr. T (\"T\")", "Tom's-Diner", "a--b", "A-- -B", "C. (Chuck) Norris, Jr.", "\"Big\" (Red) Smith", "Smith, \"Bo\" John",
        // Plain names (letters, spaces, full stops, apostrophes), which BallotName.EncodePlain takes.
        "  Kevin  van der  Berg  Jr. ", "O'NEILL", "JOHN SMITH II", "A B C D", "Van Der", "jr sr", ". ' .", "Mary Ann St. John",
        "Della Di Da Du", "J.R. Ewing", "J . R", "Ana de la Cruz iv", "de Jr", "Van Der Berg", "x", "Al", "Le Le Le Le", "Phd Md",
        "Ter Ten Bin", "da silva", "Mary-Ann Smith", "A'", "'", "",
        // Single quotes: a nickname only where no word character is before the opener or after the closer.
        "RAYMOND E 'GENE' GREEN", "'MICK' MULVANEY", "Lorenzo 'larry' Palomares-starbuck", "Patrick 'Pat' O'Brien", "'Tip' O'Neill",
        "Tom's 'Big' Diner", "x 'ab'c 'd' Smith", "'a''b' Smith", "'a' 'b' Smith", "Ann 'Nan Lee", "'' Bob Jones", "Smith, John 'Jack'",
        "John 'Jack', Jr.", "Jo_'x' Smith", "'x'_ Smith", "Al '9' Smith", "a'b' c", "\"Bob' Jones\" x", "'Bob \"Jr\"' Smith", "(Bo 'x') Lee",
        "D 'Angelo", "'O'Neil' Smith", "'  ' Smith", "A 'B'.C",
    ];

    private readonly DuckDbWarehouse _warehouse = CleaningMacros.Warehouse("ballot_name_test");

    public BallotNameTests() => BallotName.Register(_warehouse);

    [Fact]
    public void The_csharp_parse_of_an_ascii_name_equals_the_sql_macros_parse()
    {
        var sql = Parse("sql");
        var csharp = Parse("csharp");

        Assert.Equal(Names.Length, sql.Count);
        Assert.Equal(sql, csharp);
    }

    [Fact]
    public void The_one_allocation_path_gives_the_general_parse_for_every_name_it_takes()
    {
        // Every name of up to five words drawn from particles, suffixes, initials and names, in three spellings each.
        string[] words = ["van", "Der", "de", "LA", "st.", "jr", "Sr.", "iii", "phd", "J.", "o'neil", "Smith", "ANN", "v", "al"];
        var taken = 0;
        var random = new Random(8);
        for (var i = 0; i < 20_000; i++)
        {
            var name = string.Join(random.Next(4) == 0 ? "  " : " ", Enumerable.Range(0, 1 + random.Next(5)).Select(_ => words[random.Next(words.Length)]));
            name = random.Next(3) switch { 0 => name.ToUpperInvariant(), 1 => " " + name + " ", _ => name };
            if (BallotName.EncodePlain(name) is { } plain)
            {
                taken++;
                Assert.Equal(BallotName.EncodeParsed(name), plain);
            }
        }

        Assert.Equal(20_000, taken);
        Assert.Null(BallotName.EncodePlain("Smith, John"));
        Assert.Null(BallotName.EncodePlain("Mary-Ann Smith"));
        Assert.Null(BallotName.EncodePlain("Bob \"Bobby\" Smith"));
        Assert.Null(BallotName.EncodePlain("tab\tname"));
        Assert.Null(BallotName.EncodePlain(". '"));
    }

    [Fact]
    public void A_single_quoted_nickname_is_a_nickname_and_an_apostrophe_in_a_word_is_not()
    {
        Assert.Equal(new BallotName.Parts("raymond", "green", "e green", "e", null, "gene"), BallotName.Parse("RAYMOND E 'GENE' GREEN"));
        Assert.Equal(new BallotName.Parts("mick", "mulvaney", "mulvaney", null, null, "mick"), BallotName.Parse("'MICK' MULVANEY"));
        Assert.Equal(new BallotName.Parts("beto", "orourke", "orourke", null, null, null), BallotName.Parse("BETO O'ROURKE"));
        Assert.Null(BallotName.EncodePlain("RAYMOND E 'GENE' GREEN"));
        Assert.NotNull(BallotName.EncodePlain("BETO O'ROURKE"));

        // The CRM's name columns go through the macros alone, curly quotes too: FEC writes a middle name "E 'gene'".
        var macros = _warehouse.Query(
            """
            select em_quoted(s), em_norm(em_unquoted(s))
            from (values (0, 'E ''gene'''), (1, 'Michael ''mick'''), (2, '''larry'''), (3, '‘Gene’ Green'), (4, 'O''Neill'), (5, 'O’Neill')) as t(i, s)
            order by i
            """,
            r => (r.IsDBNull(0) ? null : r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)));
        Assert.Equal([("gene", "e"), ("mick", "michael"), ("larry", null), ("gene", "green"), (null, "oneill"), (null, "oneill")], macros);
    }

    [Fact]
    public void A_name_that_is_not_plain_ascii_is_left_to_the_sql()
    {
        Assert.Null(BallotName.Encode("María López-García"));
        Assert.Null(BallotName.Encode("“Mike” Johnson"));
        Assert.NotNull(BallotName.Encode("Maria Lopez-Garcia"));
    }

    [Fact]
    public void Registering_twice_on_one_connection_keeps_the_first_registration()
    {
        BallotName.Register(_warehouse);

        Assert.Equal(1L, _warehouse.Scalar<long>($"select count(*) from duckdb_functions() where function_name = {Sql.Literal(BallotName.Function)}"));
    }

    public void Dispose() => _warehouse.Dispose();

    // Each name's seven fields as one line, by the SQL steps of right_clean or by the C# function.
    private List<string> Parse(string by)
    {
        var values = string.Join(", ", Names.Select((n, i) => $"({i}, {Sql.Literal(n)})"));
        var fields = by == "sql"
            ? "name_tokens[1], array_to_string(name_tokens[surname_start:], ' '), array_to_string(name_tokens[2:], ' '), nullif(array_to_string(name_tokens[2:surname_start - 1], ' '), ''), suffix, quoted, "
                + $"cast({CandidacyDdhqCleaning.SurnameWordsSql("array_to_string(name_tokens[2:], ' ')", "array_to_string(name_tokens[surname_start:], ' ')")} as varchar)"
            : string.Join(", ", Enumerable.Range(1, 6).Select(i => $"nullif(fast[{i}], chr({(int)BallotName.Null}))"))
                + $", cast(coalesce(string_split(nullif(fast[7], chr({(int)BallotName.Null})), ' '), []) as varchar)";
        return _warehouse.Query(
            $"""
            with
                names(i, candidate) as (values {values}),
                reordered as (
                    select *, em_unquoted(candidate) as bare,
                        case
                            when bare like '%,%' and not list_contains(em_suffixes(), em_norm(split_part(bare, ',', 2)))
                                then split_part(bare, ',', 2) || ' ' || split_part(bare, ',', 1)
                            else replace(bare, ',', ' ')
                        end as ordered
                    from names
                ),
                tokens as (
                    select *,
                        case
                            when len(em_strip_suffix(em_tokens(ordered))) = 1 and em_quoted(candidate) is not null
                                then list_concat(string_split(em_quoted(candidate), ' '), em_strip_suffix(em_tokens(ordered)))
                            else em_strip_suffix(em_tokens(ordered))
                        end as name_tokens,
                        em_suffix(em_tokens(ordered)) as suffix,
                        em_quoted(candidate) as quoted,
                        string_split({BallotName.Function}(candidate), chr({(int)BallotName.FieldSeparator})) as fast
                    from reordered
                ),
                split as (select *, case when len(name_tokens) > 1 then em_surname_start(name_tokens) end as surname_start from tokens)
            select i, {fields} from split order by i
            """,
            r => string.Join("|", Enumerable.Range(0, 8).Select(c => r.IsDBNull(c) ? "<null>" : r.GetValue(c).ToString())));
    }
}
