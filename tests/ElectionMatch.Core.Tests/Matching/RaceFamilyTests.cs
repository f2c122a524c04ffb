using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The C# race family (<see cref="RaceFamily"/>) must give what the <c>em_race_family</c> macro gives for every ASCII
/// text: the macro is the reference, and cleaning takes the C# result wherever there is one.
/// </summary>
public sealed class RaceFamilyTests : IDisposable
{
    // Election words as whole words, inside words, at the ends, in every case, next to underscores, digits and punctuation.
    private static readonly string[] Texts =
    [
        "X City Council - At Large - General", "X City Council - At Large - Runoff", "NM Benton County Commission - District 7 - Republican Primary",
        "PA Eagleville Board of Education - District 1 - General", "GENERAL", "general election", "Generals", "primaryschool", "pre-primary",
        "special_election", "_general_", "general_", "party__time", "Party-Time", "  nonpartisan  ", "Democratic-Republican Party",
        "Election2024", "2024 election", "a_b_c", "__", "_", "", "   ", "---", "U.S. Senate", "State Rep. (District 12)", "Ward #3 / Seat B",
        "tab\tGeneral\nnewline", "GeNeRaL pRiMaRy RuNoFf", "runoff-runoff-runoff", "election.general", "O'Brien Township Trustee",
        "x", "9", "SPECIAL ELECTION - US HOUSE 05", "Mayor; general; primary", "nonpartisanship", "Judge_Primary_Court",
        "Dist. 03", "District No. III", "Ward XIV", "Ward L", "Seat Number Two", "no district", "District no", "0", "000", "007 Ward 0010",
        "IV District", "Houston City Council District I", "Twp Bd of Supv Div IX", "Position #04", "Pos. XCIX", "Beat V", "Place One Two",
    ];

    private readonly DuckDbWarehouse _warehouse = CleaningMacros.Warehouse("race_family_test");

    public RaceFamilyTests() => RaceFamily.Register(_warehouse);

    [Fact]
    public void The_csharp_family_of_an_ascii_text_equals_the_macros()
    {
        var random = new Random(8);
        string[] pieces = ["general", "GENERAL", "Primary", "runoff", "special", "election", "democratic", "republican", "nonpartisan", "party",
            "city", "Council", "district", "7", "_", "-", " ", "  ", ".", "(", ")", "'", "a", "Z9", "elections", "parties",
            "Dist", "ward", "Seat", "no", "Number", "III", "iv", "l", "L", "xl", "007", "0", "four", "Twenty", "twp", "pct", "Div",
            "Subdist", "nbr", "BD", "Pos", "office", "xcix"];
        var texts = Texts.ToList();
        for (var i = 0; i < 5_000; i++)
        {
            texts.Add(string.Concat(Enumerable.Range(0, random.Next(1, 7)).Select(_ => pieces[random.Next(pieces.Length)])));
        }

        var compared = CleaningMacros.Compare(_warehouse, "texts", texts, "em_race_family", RaceFamily.Function);

        Assert.Equal(texts.Count, compared.Count);
        Assert.All(compared, c => Assert.Equal(c.Macro, c.CSharp));
    }

    [Fact]
    public void A_text_beyond_ascii_and_null_are_left_to_the_macro()
    {
        const string text = "Município de São Paulo - General";
        Assert.Null(RaceFamily.Of(text));
        Assert.Null(_warehouse.Scalar<string>($"select {RaceFamily.Function}(null)"));
        Assert.Equal("munic pio de s o paulo", _warehouse.Scalar<string>($"select coalesce({RaceFamily.Function}(t), em_race_family(t)) from (select {Sql.Literal(text)} as t)"));
    }

    [Fact]
    public void The_cleanings_family_of_any_text_equals_the_macros()
    {
        // Non-ASCII pieces: accents, a capital whose lower case is ASCII (the Kelvin sign), one that lower-cases to two
        // characters (İ), CJK, a combining accent, a Roman numeral character, full-width letters, an election word
        // written with an accent, a non-breaking space; next to the ASCII pieces and numbering words.
        var random = new Random(53);
        string[] pieces = ["São", "Município", "ñ", "\u212A", "İ", "ß", "日本", "e\u0301", "\u216B", "ＤＩＳＴ", "Généräl", "\u00A0", "Ø",
            "general", "Primary", "district", "Dist", "III", "no", "7", "007", "_", "-", " ", ".", "Ward", "seat", "Twenty", "x"];
        var texts = new List<string?> { null, "", "Município de São Paulo - General", "Distrito Nº 3", "Ward \u216B", "\u212Aent County District 4" };
        for (var i = 0; i < 3_000; i++)
        {
            texts.Add(string.Concat(Enumerable.Range(0, random.Next(1, 7)).Select(_ => pieces[random.Next(pieces.Length)])));
        }

        var compared = CleaningMacros.CompareSql(_warehouse, "any_texts", texts, "nullif(em_race_family(t), '')", $"nullif({RaceFamily.SqlOf("t")}, '')");

        Assert.Equal(texts.Count, compared.Count);
        Assert.All(compared, c => Assert.Equal(c.Macro, c.CSharp));
        Assert.Equal("munic pio de s o paulo", compared[2].CSharp);
        Assert.Contains(compared, c => c.Text is { } t && t.Any(ch => ch > '\u007f') && c.CSharp is not null);
    }

    [Theory]
    [InlineData("City Council Dist. 03", "city council district 3")]
    [InlineData("City Council District No. III - General", "city council district 3")]
    [InlineData("Ward Fourteen", "ward 14")]
    [InlineData("St. Louis Board of Aldermen Ward XIV", "st louis board of aldermen ward 14")]
    [InlineData("Houston City Council District L", "houston city council district l")]
    [InlineData("Superior Court Judge Dept 0012", "superior court judge department 12")]
    [InlineData("Henry IV High School Board", "henry iv high school board")]
    [InlineData("No Place Like Home District", "no place like home district")]
    public void Numbers_and_abbreviations_are_read_alike(string text, string family)
    {
        Assert.Equal(family, RaceFamily.Of(text));
        Assert.Equal(family, _warehouse.Scalar<string>($"select em_race_family({Sql.Literal(text)})"));
    }

    public void Dispose() => _warehouse.Dispose();
}
