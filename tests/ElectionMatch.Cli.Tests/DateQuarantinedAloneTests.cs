using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// A candidacy with one election date that cannot be read and others that can: that date alone is quarantined, and
/// the candidacy's other elections are matched. Before, the whole candidacy was quarantined (EMQ004) and its valid
/// primary and general were never matched.
/// </summary>
public sealed class DateQuarantinedAloneTests : IClassFixture<UnreadableRunoffDateRun>
{
    private const string Match = UnreadableRunoffDateRun.Match;
    private const string Id = UnreadableRunoffDateRun.Id;
    private readonly UnreadableRunoffDateRun _run;

    public DateQuarantinedAloneTests(UnreadableRunoffDateRun run)
    {
        _run = run;
    }

    [Fact]
    public void The_general_election_of_a_candidacy_whose_runoff_date_cannot_be_read_is_linked_to_its_truth_pair()
    {
        using var warehouse = DuckDbWarehouse.Open(_run.Project.WarehousePath, readOnly: true);
        var general = warehouse.Query(
            $"select cast(ddhq_candidate_id as varchar), has_match from model_predictions.{UnreadableRunoffDateRun.Snapshot} where gp_candidacy_id = '{Id}' and hubspot_election_type = 'general'",
            r => (RightId: r.IsDBNull(0) ? null : r.GetString(0), Linked: r.GetBoolean(1)));

        Assert.Equal([(UnreadableRunoffDateRun.GeneralTruth, true)], general);
    }

    [Fact]
    public void The_unreadable_runoff_date_is_one_quarantine_row_of_its_own_with_its_code_field_and_value()
    {
        using var warehouse = DuckDbWarehouse.Open(_run.Project.WarehousePath, readOnly: true);
        var rows = warehouse.Query(
            $"select input, stage, row_number, error_code, message from model_predictions.{UnreadableRunoffDateRun.Snapshot}__quarantine",
            r => (Input: r.GetString(0), Stage: r.GetString(1), Row: r.GetInt64(2), Code: r.GetString(3), Message: r.GetString(4)));

        var row = Assert.Single(rows);
        Assert.Equal(("left", "left_expanded", 3L, "EMQ004"), (row.Input, row.Stage, row.Row, row.Code));
        Assert.StartsWith(
            "a date is missing or is not a valid date: column runoff_election_date = '2024-13-45'; only this election was left out: the candidacy was used and its other elections were matched (",
            row.Message, StringComparison.Ordinal);
        Assert.EndsWith("data/airbyte/hubspot_candidacy.csv line 4)", row.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_row_account_counts_the_candidacy_as_used_with_its_date_quarantined_and_balances()
    {
        var stdout = _run.Run.Stdout.ReplaceLineEndings("\n");

        Assert.Contains(
            "\nrows: left input rows: 300 read = 299 used (parsed and cleaned) + 1 used (EMQ004 a date is missing or is not a valid date, quarantined alone: the row used without it)\n",
            stdout, StringComparison.Ordinal);
        Assert.Contains(
            "\nquarantined: 0 left, 0 right rows (model_predictions.candidacy_ddhq_matches_20260101__quarantine); 1 used left row had a value quarantined alone (an election date that cannot be read: its other elections were matched)\n",
            stdout, StringComparison.Ordinal);
        var manifest = Snapshots.SnapshotManifest.FromJson(File.ReadAllText(_run.Project.PathOf($"electionmatch/manifests/{UnreadableRunoffDateRun.Snapshot}.json")));
        Assert.All(manifest.RowAccounting, a => Assert.True(a.Balances, $"{a.Input} {a.Unit}: {a.Read} read, {a.Accounted} accounted"));
        Assert.Equal(0L, manifest.Counts["left_rows_quarantined"]);
        Assert.Equal(1L, manifest.Counts["left_rows_used_with_values_quarantined"]);
        Assert.Equal((long?)1, manifest.QuarantineRows);
    }

    [Fact]
    public void Explain_shows_the_matched_elections_and_says_the_runoff_date_was_quarantined_alone()
    {
        var explain = _run.Cli("explain", Match, Id, "--candidates", "0");

        Assert.True(explain.ExitCode == 0, explain.Output);
        var lines = explain.Stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.StartsWith($"{Id} election date quarantined alone: EMQ004 a date is missing or is not a valid date: column runoff_election_date = '2024-13-45'", lines[1], StringComparison.Ordinal);
        Assert.Contains($"{Id} primary 2024-03-19: Gabriel Hensarling (IL)", lines);
        Assert.Contains($"{Id} general 2024-11-05: Gabriel Hensarling (IL)", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith($"{Id} quarantined:", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_does_not_call_a_candidacy_with_a_date_quarantined_alone_quarantined()
    {
        // The general is linked to its truth pair (no miss); a runoff the truth names has no row, its date being the one quarantined.
        _run.Project.Write("truth/date_alone.csv", $"gp_candidacy_id,election_type,ddhq_candidate_id\n{Id},general,{UnreadableRunoffDateRun.GeneralTruth}\n{Id},runoff,1402999\n");

        var evaluate = _run.Cli("evaluate", Match, "--truth", _run.Project.PathOf("truth/date_alone.csv"));

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var miss = Assert.Single(evaluate.Stdout.ReplaceLineEndings("\n").Split('\n'), l => l.StartsWith("miss ", StringComparison.Ordinal));
        Assert.StartsWith(
            $"miss  {Id} runoff -> 1402999: the snapshot has no row for it: the run used {Id} and matched its other elections, but quarantined an election date of it alone (EMQ004 a date is missing or is not a valid date: column runoff_election_date = '2024-13-45'",
            miss, StringComparison.Ordinal);
        Assert.DoesNotContain("quarantined its left row", evaluate.Stdout, StringComparison.Ordinal);
    }
}
