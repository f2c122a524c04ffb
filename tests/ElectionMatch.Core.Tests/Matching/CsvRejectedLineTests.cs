using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A rejected line is kept by its own line, text and id whatever ends the lines: DuckDB's reject store starts a record's
/// text and first byte at the line break before it (with CR LF endings always, with LF after blank lines). Before, such
/// a line was named by the line before it, its text began with a line feed, its id was lost (explain: EM0111), and an
/// unterminated quote in a CR LF file added an empty row, so the input counted one row more than it has.
/// </summary>
public sealed class CsvRejectedLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("em-rejected-").FullName;

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Rejected_lines_have_the_same_lines_text_and_ids_with_lf_and_cr_lf_endings(string newLine)
    {
        string[] lines =
        [
            "candidacy_id,name,office",
            "gpc-1,Ann Lee,Council",
            "",
            "",
            "gpc-2,Bo Diaz,Mayor,extra", // line 5, after two blank lines: ragged
            "gpc-3,Cy Ng,\"Non\"partisan\"", // line 6: a quote closed mid-value, unterminated, on this line only
            "gpc-4,D\u00FFn,Sheriff", // line 7: not UTF-8 (written below as Latin-1)
            "gpc-5,Ed Fox,Council",
            "gpc-6,\"Fay Lu,Clerk", // line 9: a quote closed only on line 10
            "gpc-7,Gus Ho,\"Water Board, Seat 2\"",
            "gpc-8,Hal Ix,Council",
        ];
        var path = Path.Combine(_directory, "candidacies.csv");
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(string.Join(newLine, lines) + newLine));
        var csv = new CsvInput("left", path, "candidacies.csv");
        using var warehouse = DuckDbWarehouse.InMemory();
        CsvSniffTests.ReadWithRejects(warehouse, csv.Sniff(warehouse));

        var rows = warehouse.Query(
            "select coalesce(reject_code, 'read'), coalesce(left_id, 'none'), coalesce(original->>'line', ''), coalesce(original->>'csv_line', '') from input order by coalesce(left_id, 'none')",
            r => $"{r.GetString(0)} {r.GetString(1)} {r.GetString(2)} {r.GetString(3)}");

        Assert.Equal(
            [
                "read gpc-1  ",
                "EMQ009 gpc-2 5 gpc-2,Bo Diaz,Mayor,extra",
                "EMQ009 gpc-3 6 gpc-3,Cy Ng,\"Non\"partisan\"",
                "EMQ008 gpc-4 7 gpc-4,D\u00FFn,Sheriff",
                "read gpc-5  ",
                "EMQ009 gpc-6 9 gpc-6,\"Fay Lu,Clerk",
                "EMQ009 gpc-7 10 gpc-7,Gus Ho,\"Water Board, Seat 2\"",
                "read gpc-8  ",
            ],
            rows);
    }

    [Fact]
    public void The_rejects_digest_changes_with_the_line_an_editor_shows_and_the_text_as_written()
    {
        // An incremental run keys the stateless partition's quarantine by this digest. It hashed DuckDB's record number
        // and text, so a value above a ragged line that came to span two lines, or a bad byte changed for another one
        // DuckDB also reads as '?', kept the old line number or text published from the cache.
        string Digest(string text)
        {
            var path = Path.Combine(_directory, "candidacies.csv");
            File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(text));
            var csv = new CsvInput("left", path, "candidacies.csv");
            using var warehouse = DuckDbWarehouse.InMemory();
            CsvSniffTests.ReadWithRejects(warehouse, csv.Sniff(warehouse));
            return warehouse.Scalar<string>(csv.RejectsDigestSql)!;
        }

        const string Header = "candidacy_id,name,office\n";
        var before = Digest(Header + "gpc-1,Ann Lee,\"City Council\"\ngpc-2,Bo Diaz,Mayor,extra\ngpc-3,Jos\u00E9 Ruiz,Clerk\n");
        var spanning = Digest(Header + "gpc-1,Ann Lee,\"City\nCouncil\"\ngpc-2,Bo Diaz,Mayor,extra\ngpc-3,Jos\u00E9 Ruiz,Clerk\n");
        var otherByte = Digest(Header + "gpc-1,Ann Lee,\"City Council\"\ngpc-2,Bo Diaz,Mayor,extra\ngpc-3,Jos\u00E8 Ruiz,Clerk\n");
        var same = Digest(Header + "gpc-1,Ann Lee,\"City Council\"\ngpc-2,Bo Diaz,Mayor,extra\ngpc-3,Jos\u00E9 Ruiz,Clerk\n");

        Assert.Equal(before, same);
        Assert.NotEqual(before, spanning);
        Assert.NotEqual(before, otherByte);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_line_with_one_field_too_many_the_last_empty_is_a_ragged_row_not_a_row_read_shifted(string newLine)
    {
        string[] lines =
        [
            "candidacy_id,name,office,runoff",
            "gpc-1,Ann Lee,Council,2024-12-03",
            "gpc-2,Bo Diaz,County Commission, District 6,", // line 3: an unquoted comma, no runoff date
            "gpc-3,Cy Ng,Water Board, Seat 2,2024-12-03", // line 4: an unquoted comma, DuckDB's own reject
            "gpc-4,Di Ray,\"Mayor,\nCity\",Town,", // lines 5-6: a quoted value spanning lines, a field too many and an empty one
            "gpc-5,Ed Fox,Sheriff,",
        ];
        var path = Path.Combine(_directory, "candidacies.csv");
        File.WriteAllText(path, string.Join(newLine, lines) + newLine);
        var csv = new CsvInput("left", path, "candidacies.csv");
        using var warehouse = DuckDbWarehouse.InMemory();
        CsvLines.Register(warehouse);
        var apart = csv.Sniff(warehouse).WithSurplusFieldRowsApart(warehouse);
        CsvSniffTests.ReadWithRejects(warehouse, apart);

        var rows = warehouse.Query(
            "select coalesce(reject_code, 'read'), coalesce(left_id, 'none'), coalesce(original->>'line', ''), coalesce(original->>'csv_line', ''), coalesce(office, '') from input order by coalesce(left_id, 'none')",
            r => $"{r.GetString(0)} {r.GetString(1)} {r.GetString(2)} {r.GetString(3)} | {r.GetString(4)}");

        // Before, gpc-2 and gpc-4 were read with their fields shifted (gpc-2's office 'County Commission', runoff ' District 6';
        // gpc-4's runoff 'Town').
        Assert.Equal(
            [
                "read gpc-1   | Council",
                "EMQ009 gpc-2 3 gpc-2,Bo Diaz,County Commission, District 6, | ",
                "EMQ009 gpc-3 4 gpc-3,Cy Ng,Water Board, Seat 2,2024-12-03 | ",
                "EMQ009 gpc-4 5 gpc-4,Di Ray,\"Mayor,\nCity\",Town, | ",
                "read gpc-5   | Sheriff",
            ],
            rows);
        Assert.Contains("Expected Number of Columns: 4 Found: 5, the last one empty", warehouse.Scalar<string>("select reject_detail from input where left_id = 'gpc-2'"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_input_whose_every_line_ends_in_its_delimiter_is_read_as_its_header_says()
    {
        // An export that writes a comma after every row's last field: the fields are where the header says.
        var path = Path.Combine(_directory, "candidacies.csv");
        File.WriteAllText(path, "candidacy_id,name,office\ngpc-1,Ann Lee,Council,\ngpc-2,Bo Diaz,Mayor,\n");
        var csv = new CsvInput("left", path, "candidacies.csv");
        using var warehouse = DuckDbWarehouse.InMemory();
        CsvLines.Register(warehouse);
        var apart = csv.Sniff(warehouse).WithSurplusFieldRowsApart(warehouse);

        Assert.Empty(apart.SurplusFieldRows);
        Assert.Equal(["gpc-1 Council", "gpc-2 Mayor"], warehouse.Query($"select candidacy_id || ' ' || office from {apart.Relation} order by 1", r => r.GetString(0)));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
