using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// A quarantined row that a single CSV file's reader read ends its message with its file and the line it starts on, as
/// an editor numbers it, whatever came before it: blank lines, a quoted value that spans lines, a line the reader
/// rejected, CR LF endings. Before, only a glob's rows named their file (and their place, not their line), and a single
/// file's row gave only its row_number, which docs/configuration.md called "the data line minus one": wrong after any of those.
/// </summary>
public sealed class QuarantinedRowLineTests : IDisposable
{
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_row_with_an_empty_id_after_blank_lines_a_multi_line_value_and_a_rejected_line_names_its_file_and_line()
    {
        var lines = _fixture.Read(Candidacies).TrimEnd('\n').Split('\n').ToList();
        // Line 10 (Charlotte's quoted office name) spans two lines; line 12 has a field too many (EMQ009); two blank
        // lines; then a row without its id, which an editor shows on line 17.
        Assert.Contains("\"Charlotte Board of Education, District 7\"", lines[9], StringComparison.Ordinal);
        lines[9] = lines[9].Replace("Education, District 7", "Education,\r\nDistrict 7", StringComparison.Ordinal);
        lines[11] += ",extra";
        var emptied = lines[13];
        lines[13] = emptied[emptied.IndexOf(',', StringComparison.Ordinal)..];
        lines.InsertRange(13, ["", ""]);
        _fixture.Write(Candidacies, string.Join("\r\n", lines) + "\r\n");
        Assert.Equal(lines[15], File.ReadAllText(_fixture.PathOf(Candidacies)).Split("\r\n")[16]);

        var run = CliProcess.RunIn(_fixture.Directory, "run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", ".");

        Assert.True(run.ExitCode == 0, run.Output);
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        var quarantined = warehouse.Query(
            "select error_code, row_number, message from model_predictions.candidacy_ddhq_matches_20260101__quarantine where input = 'left' order by row_number",
            r => (Code: r.GetString(0), Row: r.GetInt64(1), Message: r.GetString(2)));
        Assert.Equal(2, quarantined.Count);
        // Its row number is its place among the rows read (the 12th), not its line.
        Assert.Equal(("EMQ001", 12L, "the id column is empty (data/airbyte/hubspot_candidacy.csv line 17)"), quarantined[0]);
        Assert.Equal("EMQ009", quarantined[1].Code);
        Assert.StartsWith("the CSV line has a different number of fields than the header (or an unterminated quote): data/airbyte/hubspot_candidacy.csv line 13:", quarantined[1].Message, StringComparison.Ordinal);
    }
}
