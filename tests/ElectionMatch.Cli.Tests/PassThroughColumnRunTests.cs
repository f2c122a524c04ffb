using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// A column an input only passes through (<c>keep_columns:</c>, which the match does not read) never costs a row: when a
/// value of it does not fit the type DuckDB's sniffer took from the first rows (here those of a glob's first file), the
/// column is read as text and the run warns (EM0027) naming the file, column, line and value. Before, the row was
/// quarantined (EMQ010) and its link lost. A column the match reads still quarantines such a row, and its message says
/// where the type came from (before: "the type its column has in the rest of the file", which for a glob was untrue).
/// </summary>
public sealed class PassThroughColumnRunTests : IDisposable
{
    private const string Positions = "data/airbyte/ballotready_positions.csv";
    private const string LeftEnd = "        sub_area_value: sub_area_value\n    right:";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public PassThroughColumnRunTests()
    {
        // The positions as a glob of two files; the sniffer types tier BIGINT and sub_area_value BIGINT from part1.csv.
        var lines = _fixture.Read(Positions).TrimEnd('\n').Split('\n');
        Directory.CreateDirectory(_fixture.PathOf("data/bp"));
        _fixture.Write("data/bp/part1.csv", string.Join('\n', lines[..46]) + "\n");
        _fixture.Write("data/bp/part2.csv", string.Join('\n', [lines[0], .. lines[46..]]) + "\n");
        _fixture.Replace("models/staging/__sources.yaml", $"external_location: \"{Positions}\"", "external_location: \"data/bp/*.csv\"");
        _fixture.Replace("electionmatch.yml", LeftEnd, LeftEnd.Replace("\n    right:", "\n      keep_columns: all\n    right:", StringComparison.Ordinal));
    }

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Run() => CliProcess.RunIn(_fixture.Directory, "run", "llm_l2_br_match", "--snapshot-date", "2026-01-01", "--project-dir", ".");

    // Line `line` of data/bp/part2.csv with its last field (tier) or its last but one (sub_area_value) replaced.
    private string EditField(int line, int fromEnd, string value)
    {
        var lines = _fixture.Read("data/bp/part2.csv").Split('\n');
        var fields = lines[line - 1].Split(',');
        fields[^fromEnd] = value;
        lines[line - 1] = string.Join(',', fields);
        _fixture.Write("data/bp/part2.csv", string.Join('\n', lines));
        return fields[0];
    }

    [Fact]
    public void A_word_in_a_kept_number_column_of_a_globs_second_file_reads_the_column_as_text_with_a_warning_and_quarantines_nothing()
    {
        var id = EditField(5, 1, "N/A");

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        // Only part2.csv's own letters in sub_area_value (C, IV), a column the match reads.
        Assert.Contains("quarantined: 2 left, 0 right rows", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("data/bp/part2.csv(5,1): warning EM0027: column 'tier' of data/bp/part2.csv is read as text, not BIGINT: its value 'N/A' on line 5 does not fit the type DuckDB's sniffer took from the first rows of the glob's first file, data/bp/part1.csv;", run.Output, StringComparison.Ordinal);
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.Equal("N/A", warehouse.Scalar<string>($"select tier from model_predictions.llm_l2_br_match_20260101 where cast(br_database_id as varchar) = {Sql.Literal(id)}"));
        Assert.Equal("VARCHAR", warehouse.Describe("select tier from model_predictions.llm_l2_br_match_20260101").Single().DataType);
    }

    [Fact]
    public void A_word_in_a_mapped_number_column_of_a_globs_second_file_is_quarantined_naming_the_first_file_its_type_came_from()
    {
        EditField(5, 2, "N/A");

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        // part2.csv's own letters in sub_area_value (C, IV) are quarantined alike; line 5 is the one edited.
        var message = warehouse.Scalar<string>("select message from model_predictions.llm_l2_br_match_20260101__quarantine where input = 'left' and error_code = 'EMQ010' and message like '%part2.csv line 5:%'");
        Assert.StartsWith("a value on the CSV line does not fit the type its column is read as: data/bp/part2.csv line 5: Error when converting column \"sub_area_value\".", message, StringComparison.Ordinal);
        Assert.EndsWith("(the type DuckDB's sniffer took from the first rows of the glob's first file, data/bp/part1.csv)", message, StringComparison.Ordinal);
    }
}
