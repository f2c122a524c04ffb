using System.Text;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A run sniffs each CSV input once and reads it with what the sniffer found (<see cref="CsvInput.Sniff"/>): those reads
/// must give exactly what a detecting read gives, rows, types and rejected lines alike, and anything the sniffer's
/// written-out read cannot carry keeps detection. Two deliberate differences: where the sniffer chose no quote
/// character, the file is read with RFC 4180 quoting; and a DATE column is read with DuckDB's cast of text to a date, as
/// <see cref="InputDate"/> reads every date, not with the ISO format the sniffer writes out (2024/11/05 is a date).
/// </summary>
public sealed class CsvSniffTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("em-sniff-").FullName;

    [Fact]
    public void A_sniffed_read_gives_the_rows_types_and_rejected_lines_of_a_detecting_read()
    {
        // A quoted comma where the sniffer sees it (in its sample, so it reads quotes).
        var lines = new StringBuilder("candidate_id,candidate,votes,election_date\n0,\"Lee, Ann\",6,2024-11-05\n");
        for (var i = 1; i <= 25_000; i++)
        {
            lines.Append(i).Append(",Name ").Append(i).Append(',').Append(i * 3).Append(",2024-11-05\n");
        }

        // Past the sniffer's sample: a ragged line, a date that is no date, a count that is no number.
        lines.Append("25001,Ann Lee,5,2024-11-05,extra\n");
        lines.Append("25002,Bo Diaz,7,2024-13-45\n");
        lines.Append("25003,Cy Ng,many,2024-11-05\n");
        // And a line that is not UTF-8.
        byte[] notUtf8 = [.. "25004,D"u8, 0xFF, 0xFE, .. ",8,2024-11-05\n"u8];
        var path = Write("results.csv", [.. Encoding.UTF8.GetBytes(lines.ToString()), .. notUtf8]);

        var csv = new CsvInput("right", path, "results.csv");
        using var warehouse = DuckDbWarehouse.InMemory();
        var sniffed = csv.Sniff(warehouse);

        Assert.NotNull(sniffed.Sniffed);
        Assert.Contains("auto_detect=false", sniffed.Relation, StringComparison.Ordinal);
        var detecting = Read(warehouse, csv);
        Assert.Equal(detecting, Read(warehouse, sniffed));
        Assert.Equal("candidate_id BIGINT, candidate VARCHAR, votes BIGINT, election_date DATE", detecting.Columns);
        Assert.Equal(["25003 TOO MANY COLUMNS ", "25004 CAST election_date", "25005 CAST votes", "25006 INVALID ENCODING candidate"], detecting.Rejects.Split('\n'));
        Assert.Equal(25_001, detecting.Rows.Split('\n').Length);
    }

    [Fact]
    public void One_unterminated_quote_is_the_only_rejected_line_and_every_quoted_comma_reads_as_written()
    {
        // DuckDB's sniffer reads this file without quoting (line 6's quote is never closed), which would split the
        // quoted offices at their commas and shift the dates into other columns.
        var path = Write("candidacies.csv", """
            id,name,office,party,date
            1,Ann Lee,"Board of Education, District 7",,2024-03-05
            2,Bo Diaz,Council,Democratic,2024-03-05
            3,Cy Ng,"Water Board, Seat 2",Nonpartisan,2024-11-05
            4,Di Ray,Mayor,,2024-11-05
            "5,Ed Fox,Sheriff,Republican,2024-11-05

            """u8.ToArray());
        using var warehouse = DuckDbWarehouse.InMemory();
        var csv = new CsvInput("left", path, "candidacies.csv");
        Assert.Contains("quote=''", warehouse.Query($"select Prompt from sniff_csv({Sql.Literal(path)}, store_rejects = true)", r => r.GetString(0)).Single(), StringComparison.Ordinal);

        var read = Read(warehouse, csv.Sniff(warehouse));

        // The broken line's id ("5) made the sniffer type the column as text.
        Assert.Equal("id VARCHAR, name VARCHAR, office VARCHAR, party VARCHAR, date DATE", read.Columns);
        Assert.Equal(
            [
                "{'id': 1, 'name': Ann Lee, 'office': 'Board of Education, District 7', 'party': NULL, 'date': 2024-03-05}",
                "{'id': 2, 'name': Bo Diaz, 'office': Council, 'party': Democratic, 'date': 2024-03-05}",
                "{'id': 3, 'name': Cy Ng, 'office': 'Water Board, Seat 2', 'party': Nonpartisan, 'date': 2024-11-05}",
                "{'id': 4, 'name': Di Ray, 'office': Mayor, 'party': NULL, 'date': 2024-11-05}",
            ],
            read.Rows.Split('\n'));
        Assert.Equal("6 UNQUOTED VALUE id", read.Rejects);
    }

    [Fact]
    public void A_header_or_path_the_written_out_read_cannot_carry_keeps_detection()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        // The prompt writes names and paths between quotes without doubling a quote inside them.
        var quotedHeader = new CsvInput("left", Write("header.csv", "id,candidate's name\n1,Ann Lee\n"u8.ToArray()), "header.csv");
        var quotedPath = new CsvInput("left", Write("it's.csv", "id,name\n1,Ann Lee\n"u8.ToArray()), "it's.csv");

        foreach (var csv in new[] { quotedHeader, quotedPath })
        {
            var sniffed = csv.Sniff(warehouse);

            Assert.Null(sniffed.Sniffed);
            Assert.Equal(csv.Relation, sniffed.Relation);
            Assert.Equal(1L, warehouse.Scalar<long>("select count(*) from " + sniffed.Relation));
            // The columns' types are still known (the run reads its id's type here); before, none were.
            Assert.Equal(warehouse.Describe("select * from " + sniffed.Relation), sniffed.SniffedColumns);
        }
    }

    [Fact]
    public void A_path_the_written_out_read_cannot_carry_still_reads_each_column_as_the_type_its_sources_yaml_declares()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var at = new Diagnostics.SourceSpan("models/__sources.yml", 9, 24);
        var csv = new CsvInput("left", Write("o'brien.csv", "id,race,name\n007,100,Ann Lee\n008,1x0,Bo Diaz\n009,300,Cy Ng\n"u8.ToArray()), "o'brien.csv")
        {
            DeclaredTypes = [new Dbt.DeclaredColumnType("ID", "VARCHAR", at), new Dbt.DeclaredColumnType("race", "BIGINT", at)],
        };

        var sniffed = csv.Sniff(warehouse);

        Assert.Null(sniffed.Sniffed);
        // The sniffer alone would read id as 7, 8, 9 and race as text.
        Assert.Equal(["VARCHAR", "BIGINT", "VARCHAR"], warehouse.Describe("select * from " + sniffed.Relation).Select(c => c.DataType));
        // Every column read, as a run reads its input (a read of id alone casts no race, and rejects nothing).
        Assert.Equal(["007", "009"], warehouse.Query("select * from " + sniffed.Relation + " order by id", r => r.GetString(0)));
        Assert.Equal(1L, warehouse.Scalar<long>($"select count(*) from {sniffed.RejectsTable} where error_type = 'CAST'"));
    }

    [Fact]
    public void A_file_the_sniffer_cannot_read_keeps_detection_and_fails_as_it_always_did()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var bytes = new byte[300];
        new Random(7).NextBytes(bytes);
        var csv = new CsvInput("left", Write("garbage.csv", bytes), "garbage.csv");

        var sniffed = csv.Sniff(warehouse);

        Assert.Null(sniffed.Sniffed);
        Assert.Throws<DuckDB.NET.Data.DuckDBException>(() => warehouse.Scalar<long>("select count(*) from " + sniffed.Relation));
    }

    [Fact]
    public void A_rejected_line_keeps_its_id_where_the_id_field_can_be_told()
    {
        // The id is the second column; each bad line fails in another way.
        byte[] bytes =
        [
            .. "name,candidacy_id,state\nAnn Lee,gpc-1,CA\nBo Diaz,gpc-2,TX\nCy Ng,gpc-3,NY\n"u8,
            .. "\"Lee, Ann\",\"gpc-4\",CA,extra\n"u8, // ragged, a quoted comma before the id: gpc-4
            .. "Bo Diaz,\n"u8, // ragged, the id field empty: none
            .. "D"u8, 0xFF, .. "n,gpc-6,CA\n"u8, // not UTF-8 outside the id: gpc-6
            .. "Ed,gpc-"u8, 0xFE, .. "7,CA\n"u8, // not UTF-8 inside the id: read as Latin-1, gpc-þ7 (before, DuckDB's '?': none)
            .. "Zo"u8, 0xEB, .. ",gpc-9,CA\n"u8, // not UTF-8 before the id, its bad byte's sequence taking the comma in DuckDB's text: gpc-9
        ];
        var csv = new CsvInput("left", Write("candidacies.csv", bytes), "candidacies.csv");
        using var warehouse = DuckDbWarehouse.InMemory();
        ReadWithRejects(warehouse, csv);

        var rejected = warehouse.Query("select original->>'line', coalesce(left_id, 'none') from input where reject_code is not null order by 1::int", r => r.GetString(0) + " " + r.GetString(1));

        Assert.Equal(["5 gpc-4", "6 none", "7 gpc-6", "8 gpc-þ7", "9 gpc-9"], rejected);
        var duckDbReason = warehouse.Scalar<string>($"select any_value(error_message) from {csv.RejectsTable} where line = 9");
        Assert.Equal(
            ["Zoë,gpc-9,CA", "candidacies.csv line 9: " + duckDbReason + " (the text kept is the line as written, read as Latin-1; a file saved as Windows-1252 or Latin-1 is read as written with encoding: latin-1 on its input)"],
            warehouse.Query("select original->>'csv_line', reject_detail from input where original->>'line' = '9'", r => new[] { r.GetString(0), r.GetString(1) }).Single());
    }

    [Fact]
    public void Rejected_lines_of_files_read_through_one_glob_are_kept_one_per_file_and_line_naming_their_file()
    {
        // Two files of one glob, each with a ragged line at the same line number, past the sniffer's sample (so both
        // files read with one schema). Before, the lines were grouped by number alone: one of the two was lost, and
        // the one kept named the glob, not its file.
        var folder = Directory.CreateDirectory(Path.Combine(_directory, "parts")).FullName;
        foreach (var part in new[] { 1, 2 })
        {
            var lines = new StringBuilder("name,candidacy_id,state\n");
            for (var i = 1; i <= 21_000; i++)
            {
                lines.Append("Name ").Append(i).Append(",gpc-").Append(part).Append('-').Append(i).Append(i == 20_999 ? ",CA,extra\n" : ",CA\n");
            }

            File.WriteAllText(Path.Combine(folder, $"part{part}.csv"), lines.ToString());
        }

        using var warehouse = DuckDbWarehouse.InMemory();
        var csv = new CsvInput("left", Path.Combine(folder, "*.csv"), "data/parts/*.csv") { Files = warehouse.Glob(Path.Combine(folder, "*.csv")) };
        ReadWithRejects(warehouse, csv);

        var rejected = warehouse.Query("select reject_code, original->>'file', original->>'line', left_id, reject_detail from input where reject_code is not null order by row_number",
            r => $"{r.GetString(0)} {r.GetString(1)} {r.GetString(2)} {r.GetString(3)} {r.GetString(4)[..31]}");

        Assert.Equal(41_998, warehouse.Scalar<long>("select count(*) from input where reject_code is null"));
        Assert.Equal(
            [
                "EMQ009 data/parts/part1.csv 21000 gpc-1-20999 data/parts/part1.csv line 21000",
                "EMQ009 data/parts/part2.csv 21000 gpc-2-20999 data/parts/part2.csv line 21000",
            ],
            rejected);
    }

    [Fact]
    public void Each_line_an_unterminated_quote_swallowed_is_quarantined_by_its_own_line_and_id()
    {
        // Line 3's quote is closed only by line 5's first quote: DuckDB reads lines 3-5 as one bad record. Before, that
        // was one quarantined row, so the rows of lines 4 and 5 were counted nowhere and explain could not find them.
        var csv = new CsvInput("left", Write("candidacies.csv", """
            candidacy_id,name,office
            gpc-1,Ann Lee,Council
            gpc-2,"Bo Diaz,Mayor
            gpc-3,Cy Ng,Sheriff
            gpc-4,Di Ray,"Water Board, Seat 2"
            gpc-5,Ed Fox,Council

            """u8.ToArray()), "candidacies.csv");
        using var warehouse = DuckDbWarehouse.InMemory();
        ReadWithRejects(warehouse, csv.Sniff(warehouse));

        var rows = warehouse.Query(
            "select coalesce(reject_code, 'read'), left_id, original->>'line', original->>'csv_line', reject_detail from input order by left_id",
            r => (Code: r.GetString(0), Id: r.GetString(1), Line: r.IsDBNull(2) ? null : r.GetString(2), Text: r.IsDBNull(3) ? null : r.GetString(3), Detail: r.IsDBNull(4) ? null : r.GetString(4)));

        Assert.Equal(
            [("read", "gpc-1", null, null), ("EMQ009", "gpc-2", "3", "gpc-2,\"Bo Diaz,Mayor"), ("EMQ009", "gpc-3", "4", "gpc-3,Cy Ng,Sheriff"),
                ("EMQ009", "gpc-4", "5", "gpc-4,Di Ray,\"Water Board, Seat 2\""), ("read", "gpc-5", null, null)],
            rows.Select(r => (r.Code, r.Id, r.Line, r.Text)));
        Assert.Equal("candidacies.csv line 4: read into the value whose quote opened on line 3 and was never closed (an unterminated quote), so not read as a row of its own", rows[2].Detail);
    }

    [Fact]
    public void A_rejected_record_is_named_by_its_line_in_the_file_after_values_that_span_lines()
    {
        // Two quoted values before it hold a line break each: DuckDB counts the ragged record as line 4, an editor shows 6.
        var csv = new CsvInput("left", Write("candidacies.csv", """
            candidacy_id,name,office
            gpc-1,Ann Lee,"Board of Education,
            District 7"
            gpc-2,Bo Diaz,"Water Board,
            Seat 2"
            gpc-3,Cy Ng
            gpc-4,Di Ray,Council

            """u8.ToArray()), "candidacies.csv");
        using var warehouse = DuckDbWarehouse.InMemory();
        ReadWithRejects(warehouse, csv.Sniff(warehouse));

        var rejected = warehouse.Query("select left_id, original->>'line', reject_detail from input where reject_code is not null", r => (r.GetString(0), r.GetString(1), r.GetString(2)));

        var (id, line, detail) = Assert.Single(rejected);
        Assert.Equal(("gpc-3", "6"), (id, line));
        Assert.StartsWith("candidacies.csv line 6: ", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_column_of_zoned_timestamps_is_read_as_its_text_and_every_other_column_as_the_sniffer_types_it()
    {
        var path = Write("candidacies.csv", """
            id,won,share,at_time,general,updated,primary_date,runoff_date
            1,true,0.5,10:00:00,2026-11-03,2026-11-03 15:30:00,2026-11-03T00:00:00+02:00,2026-12-01T20:30:00-05:00
            2,false,0.25,11:00:00,2026-11-04,2026-11-04 09:00:00,2026-11-04 00:00:00+05:30,2026-12-02T00:00:00Z

            """u8.ToArray());
        using var warehouse = DuckDbWarehouse.InMemory();
        var csv = new CsvInput("left", path, "candidacies.csv");
        var sniffed = csv.Sniff(warehouse);

        var detecting = Read(warehouse, csv);
        Assert.NotNull(sniffed.Sniffed);
        Assert.Equal(detecting, Read(warehouse, sniffed));
        Assert.Equal("id BIGINT, won BOOLEAN, share DOUBLE, at_time TIME, general DATE, updated TIMESTAMP, primary_date VARCHAR, runoff_date VARCHAR", detecting.Columns);
        // As text, the date written: as an instant (TIMESTAMP WITH TIME ZONE), 2026-11-02 and 2026-12-02.
        Assert.Equal(
            ["2026-11-03 2026-12-01", "2026-11-04 2026-12-02"],
            warehouse.Query($"select cast({InputDate.Sql("cast(primary_date as varchar)")} as varchar) || ' ' || cast({InputDate.Sql("cast(runoff_date as varchar)")} as varchar) from {sniffed.Relation} order by id", r => r.GetString(0)));
    }

    [Fact]
    public void A_date_the_sniffer_typed_is_read_as_a_date_however_its_parts_are_separated_and_only_a_value_that_is_no_date_is_rejected()
    {
        // The sniffer finds one date format for the file, ISO's from primary_date, and types election_date DATE with
        // 2024/11/05 in its sample (the value casts to a date). The read it wrote out, with that format, rejected the
        // line: the whole row was quarantined (EMQ010) for a date the sniffer itself had taken.
        var lines = new StringBuilder("candidate_id,candidate,primary_date,election_date\n1,Ann Lee,2024-06-25,2024-11-05\n2,Bo Diaz,2024-06-25,2024/11/05\n");
        for (var i = 3; i <= 25_000; i++)
        {
            lines.Append(i).Append(",Name ").Append(i).Append(",2024-06-25,2024-11-05\n");
        }

        // Past the sample: the same spelling, and two values that are no date.
        lines.Append("25001,Cy Ng,2024-06-25,2024/06/25\n25002,Di Roe,2024-06-25,2024-13-45\n25003,Ed Poe,2024-06-25,TBD\n");
        var csv = new CsvInput("right", Write("results.csv", Encoding.UTF8.GetBytes(lines.ToString())), "results.csv");
        using var warehouse = DuckDbWarehouse.InMemory();

        var sniffed = csv.Sniff(warehouse, ["candidate_id", "candidate", "primary_date", "election_date"]);

        Assert.NotNull(sniffed.Sniffed);
        var read = Read(warehouse, sniffed);
        Assert.Equal("candidate_id BIGINT, candidate VARCHAR, primary_date DATE, election_date DATE", read.Columns);
        Assert.Equal(["25003 CAST election_date", "25004 CAST election_date"], read.Rejects.Split('\n'));
        Assert.Equal(
            ["2 2024-11-05", "25001 2024-06-25"],
            warehouse.Query($"select candidate_id || ' ' || cast(election_date as varchar) from {sniffed.Relation} where candidate_id in (2, 25001) order by candidate_id", r => r.GetString(0)));
        // As InputDate reads the text, so the run and its quarantine agree.
        Assert.Equal("2024-11-05", warehouse.Scalar<string>($"select cast({InputDate.Sql("'2024/11/05'")} as varchar)"));
        // The file's dates are read with DuckDB's cast, InputDate's, not with the format the sniffer wrote out.
        Assert.DoesNotContain("dateformat", sniffed.Relation, StringComparison.Ordinal);
    }

    [Fact]
    public void An_integer_past_bigint_is_read_as_its_text_and_a_column_with_a_fraction_stays_a_number()
    {
        // Twenty digits: DuckDB types the column DOUBLE, which keeps about sixteen, so the two ids read as one.
        var path = Write("results.csv", """
            candidate_id,score_id,race_id,candidate
            12345678901234567891,1402844.0,98765432109876543211,Ann Lee
            12345678901234567892,1402845.0,98765432109876543212,Bo Diaz
            12345678901234567893,1402846.5,98765432109876543212,Cy Ng

            """u8.ToArray());
        using var warehouse = DuckDbWarehouse.InMemory();
        var csv = new CsvInput("right", path, "results.csv");

        var sniffed = csv.Sniff(warehouse, ["candidate_id", "score_id", "race_id", "candidate"]);

        var read = Read(warehouse, sniffed);
        Assert.Equal("candidate_id VARCHAR, score_id DOUBLE, race_id VARCHAR, candidate VARCHAR", read.Columns);
        Assert.Equal("", read.Rejects);
        Assert.Equal(
            ["12345678901234567891 98765432109876543211", "12345678901234567892 98765432109876543212", "12345678901234567893 98765432109876543212"],
            warehouse.Query($"select candidate_id || ' ' || race_id from {sniffed.Relation} order by candidate", r => r.GetString(0)));
        // A column the match does not read is text whatever it holds.
        Assert.Equal("candidate_id VARCHAR, score_id VARCHAR, race_id VARCHAR, candidate VARCHAR", Read(warehouse, csv.Sniff(warehouse, ["candidate_id", "candidate"])).Columns);
    }

    [Fact]
    public void A_fraction_past_the_first_rows_keeps_a_column_of_big_integers_a_number()
    {
        // The first rows' values are all integers, one of them past BIGINT's range; a share written with a fraction
        // comes after them, so the column is a number, not ids: the whole file is read before it is taken for text.
        var lines = new StringBuilder("candidate_id,share\n1,12345678901234567891\n");
        for (var i = 2; i <= 25_000; i++)
        {
            lines.Append(i).Append(',').Append(i).Append('\n');
        }

        lines.Append("25001,0.25\n");
        using var warehouse = DuckDbWarehouse.InMemory();
        var csv = new CsvInput("right", Write("results.csv", Encoding.UTF8.GetBytes(lines.ToString())), "results.csv");

        var read = Read(warehouse, csv.Sniff(warehouse, ["candidate_id", "share"]));

        Assert.Equal("candidate_id BIGINT, share DOUBLE", read.Columns);
        Assert.Equal("", read.Rejects);
    }

    [Fact]
    public void Only_the_columns_the_match_reads_are_typed_so_a_word_in_another_column_rejects_no_line()
    {
        // A word in the vote count past the sniffer's sample: typed BIGINT, the reader rejected the line (EMQ010).
        var lines = new StringBuilder("candidate_id,candidate,votes,election_date\n");
        for (var i = 1; i <= 25_000; i++)
        {
            lines.Append(i).Append(",Name ").Append(i).Append(',').Append(i * 3).Append(",2024-11-05\n");
        }

        lines.Append("25001,Ann Lee,N/A,2024-11-05\n");
        var csv = new CsvInput("right", Write("results.csv", Encoding.UTF8.GetBytes(lines.ToString())), "results.csv");
        using var warehouse = DuckDbWarehouse.InMemory();

        var sniffed = csv.Sniff(warehouse, ["candidate_id", "Candidate", "election_date"]);

        var read = Read(warehouse, sniffed);
        Assert.Equal("candidate_id BIGINT, candidate VARCHAR, votes VARCHAR, election_date DATE", read.Columns);
        Assert.Equal("", read.Rejects);
        Assert.Equal(25_001, read.Rows.Split('\n').Length);
        Assert.Equal(warehouse.Describe("select * from " + sniffed.Relation), sniffed.SniffedColumns);
    }

    [Theory]
    [InlineData("hubspot_candidacy.csv", "gp_candidacy_id", "first_name", "primary_election_date")]
    [InlineData("ddhq_election_results.csv", "candidate_id", "candidate", "election_date", "is_winner")]
    [InlineData("ballotready_positions.csv", "br_database_id", "state")]
    public void The_input_hash_of_a_file_is_the_same_with_its_other_columns_read_as_text(string file, params string[] read)
    {
        // Each value of the fixture's typed columns is written as DuckDB writes the value it reads (10, true, 2024-11-05):
        // read as text, the row's text the input hash covers (InputHash.ColumnText) is the same.
        var path = Path.Combine(FixtureCopy.RepositoryRoot, "dbt_fixtures", "goodparty", "data", "airbyte", file);
        var csv = new CsvInput("left", path, file);
        using var warehouse = DuckDbWarehouse.InMemory();
        var everyColumnTyped = csv.Sniff(warehouse);
        var readColumnsTyped = csv.Sniff(warehouse, read);

        Assert.NotEqual(everyColumnTyped.SniffedColumns, readColumnsTyped.SniffedColumns);
        Assert.Equal(ElectionMatch.Snapshots.InputHash.Of(warehouse, everyColumnTyped.Relation), ElectionMatch.Snapshots.InputHash.Of(warehouse, readColumnsTyped.Relation));
    }

    // A table "input" of the file's rows with the run's input columns, and its rejected lines appended as the input stage
    // appends them (the id column candidacy_id as left_id).
    internal static void ReadWithRejects(DuckDbWarehouse warehouse, CsvInput csv)
    {
        CsvLines.Register(warehouse);
        warehouse.Execute($"create table input as select *, 0::bigint as row_number, candidacy_id as left_id, null::varchar as reject_code, null::varchar as reject_detail, null::json as original from {csv.Relation}");
        warehouse.Execute(csv.AppendRejectsSql("input", ("left_id", "candidacy_id")));
    }

    // The columns with their types, every row as text in file order, and the latest scan's rejected lines.
    private static (string Columns, string Rows, string Rejects) Read(DuckDbWarehouse warehouse, CsvInput csv)
    {
        var columns = string.Join(", ", warehouse.Describe("select * from " + csv.Relation).Select(c => c.Name + " " + c.DataType));
        var rows = string.Join("\n", warehouse.Query($"select cast(t as varchar) from {csv.Relation} as t", r => r.GetString(0)));
        var rejects = string.Join("\n", warehouse.Query(
            $"select line || ' ' || error_type || ' ' || coalesce(column_name, '') from {csv.RejectsTable} where scan_id = (select max(scan_id) from {csv.RejectsScanTable}) order by line, error_type",
            r => r.GetString(0)));
        return (columns, rows, rejects);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
