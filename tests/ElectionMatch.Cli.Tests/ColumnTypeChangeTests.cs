namespace ElectionMatch.Tests;

/// <summary>
/// A snapshot that publishes a column with another type than the snapshot before it (EM0619): in a small CSV file
/// DuckDB's sniffer reads every row, so one race id that is no number makes the whole column text instead of
/// quarantining its row, and the stable model's <c>ddhq_race_id</c> turned from BIGINT to VARCHAR under downstream joins
/// and dbt contracts. Before, neither run nor check said a word: the stable model's YAML was regenerated to match.
/// </summary>
public sealed class ColumnTypeChangeTests : IDisposable
{
    private const string Results = "data/airbyte/ddhq_election_results.csv";
    private const string Positions = "data/airbyte/ballotready_positions.csv";
    private const string TextRaceId = "A287999,TX Test Race - General,1409999,Someone Else,Nonpartisan,false,1,2025-05-03,TX,general,City Council,,false\n";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.RunIn(_fixture.Directory, [command, .. args, "--project-dir", "."]);

    private CliProcess.Result Run(string match, string date, params string[] options) => Cli("run", [match, "--snapshot-date", date, .. options]);

    private void AppendResult(string line) => _fixture.Write(Results, _fixture.Read(Results) + line);

    // Where EM0619 is reported: the snapshot's manifest, at its "columns" line.
    private string ColumnsLineOf(string snapshot)
    {
        var path = $"electionmatch/manifests/{snapshot}.json";
        var line = Array.FindIndex(_fixture.Read(path).Split('\n'), l => l.TrimStart().StartsWith("\"columns\"", StringComparison.Ordinal)) + 1;
        Assert.True(line > 0, $"{path} has no columns");
        return $"{path}({line},1): warning EM0619: ";
    }

    [Fact]
    public void A_race_id_read_as_text_is_said_by_run_with_the_value_and_by_check_until_a_snapshot_keeps_the_type()
    {
        var first = Run("candidacy_ddhq_matches", "2026-01-01");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.DoesNotContain("EM0619", first.Output, StringComparison.Ordinal);
        AppendResult(TextRaceId);

        var second = Run("candidacy_ddhq_matches", "2026-01-02");

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains(ColumnsLineOf("candidacy_ddhq_matches_20260102")
            + "snapshot candidacy_ddhq_matches_20260102 publishes column ddhq_race_id as VARCHAR, where the snapshot before it, candidacy_ddhq_matches_20260101, published it as BIGINT: "
            + "it carries the right input's column race_id of source('airbyte_source', 'ddhq_gdrive_election_results') (data/airbyte/ddhq_election_results.csv) as read, "
            + "which is read as VARCHAR now (its value 'A287999' is no BIGINT): DuckDB's sniffer takes a column's type from the file's first rows", second.Output, StringComparison.Ordinal);
        Assert.Contains("the stable model stg_model_predictions__candidacy_ddhq_matches returns it as VARCHAR too", second.Output, StringComparison.Ordinal);
        Assert.Contains("(`electionmatch run candidacy_ddhq_matches --snapshot-date 2026-01-02 --replace`)", second.Output, StringComparison.Ordinal);
        // How to keep the type: the column's data_type in the sources YAML (DeclaredColumnTypeRunTests).
        Assert.Contains("would quarantine its row (EMQ010); to keep it BIGINT, declare it under its source's columns: in the sources YAML (- name: race_id with data_type: bigint), which quarantines such a row instead;", second.Output, StringComparison.Ordinal);
        // One column changed type; the others, the candidate id among them, are as before.
        Assert.Single(second.Output.Split('\n'), l => l.Contains("EM0619", StringComparison.Ordinal));

        var check = Cli("check");
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains(ColumnsLineOf("candidacy_ddhq_matches_20260102")
            + "snapshot candidacy_ddhq_matches_20260102 publishes column ddhq_race_id as VARCHAR, where the snapshot before it, candidacy_ddhq_matches_20260101, published it as BIGINT "
            + "(it carries the right input's column race_id as read", check.Output, StringComparison.Ordinal);

        // A later snapshot with the same types: the type change is no longer between the stable model's snapshot and the one before.
        var third = Run("candidacy_ddhq_matches", "2026-01-03");
        Assert.True(third.ExitCode == 0, third.Output);
        Assert.DoesNotContain("EM0619", third.Output, StringComparison.Ordinal);
        var checkAfter = Cli("check");
        Assert.True(checkAfter.ExitCode == 0, checkAfter.Output);
        Assert.DoesNotContain("EM0619", checkAfter.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replace_compares_with_the_snapshot_it_replaces_and_a_new_row_of_the_same_types_warns_of_nothing()
    {
        Assert.Equal(0, Run("candidacy_ddhq_matches", "2026-01-01").ExitCode);
        // Other data, same types: no warning, from run or check.
        AppendResult("287999,TX Test Race - General,1409999,Someone Else,Nonpartisan,false,1,2025-05-03,TX,general,City Council,,false\n");
        var same = Run("candidacy_ddhq_matches", "2026-01-01", "--replace");
        Assert.True(same.ExitCode == 0, same.Output);
        Assert.DoesNotContain("EM0619", same.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("EM0619", Cli("check").Output, StringComparison.Ordinal);

        AppendResult(TextRaceId);
        var replaced = Run("candidacy_ddhq_matches", "2026-01-01", "--replace");

        Assert.True(replaced.ExitCode == 0, replaced.Output);
        Assert.Contains(ColumnsLineOf("candidacy_ddhq_matches_20260101")
            + "snapshot candidacy_ddhq_matches_20260101 publishes column ddhq_race_id as VARCHAR, where the snapshot it replaces published it as BIGINT: ", replaced.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kept_column_read_as_text_names_its_input_column_and_value()
    {
        const string LeftEnd = "        sub_area_value: sub_area_value\n    right:";
        _fixture.Replace("electionmatch.yml", LeftEnd, LeftEnd.Replace("\n    right:", "\n      keep_columns: [tier]\n    right:", StringComparison.Ordinal));
        Assert.Equal(0, Run("llm_l2_br_match", "2026-01-01").ExitCode);
        var lines = _fixture.Read(Positions).Split('\n');
        lines[10] = lines[10][..lines[10].LastIndexOf(',')] + ",N/A";
        _fixture.Write(Positions, string.Join('\n', lines));

        var run = Run("llm_l2_br_match", "2026-01-02");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains(ColumnsLineOf("llm_l2_br_match_20260102")
            + "snapshot llm_l2_br_match_20260102 publishes column tier as VARCHAR, where the snapshot before it, llm_l2_br_match_20260101, published it as BIGINT: "
            + "it carries the left input's column tier of source('airbyte_source', 'ballotready_api_position') (data/airbyte/ballotready_positions.csv) as read, which is read as VARCHAR now (its value 'N/A' is no BIGINT)",
            run.Output, StringComparison.Ordinal);
    }
}
