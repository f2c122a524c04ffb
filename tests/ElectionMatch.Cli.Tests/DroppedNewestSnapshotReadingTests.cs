using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// A snapshot table dropped from the warehouse, as explain and evaluate meet it. When the snapshot the stable model reads cannot be read here (its table dropped, or published into a teammate's
/// warehouse), explain and evaluate take the newest that can be, and say so. Before, they named the older one as if the
/// stable model read it, and explain advised a `--replace` of that older date, which `restore` of the newest one was the
/// fix for.
/// </summary>
public sealed class DroppedNewestSnapshotReadingTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private readonly FixtureCopy _project = FixtureCopy.Of("goodparty");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Explain_and_evaluate_say_the_stable_models_snapshot_cannot_be_read_when_they_take_an_older_one()
    {
        Run("2026-01-01");
        Run("2026-01-02");
        using (var warehouse = DuckDbWarehouse.Open(_project.WarehousePath))
        {
            warehouse.Execute($"drop table model_predictions.{Match}_20260102");
        }

        var explain = Cli("explain", Match, "gpc-000919", "--candidates", "1");
        var evaluate = Cli("evaluate", Match, "--truth", Path.Combine(_project.Directory, "truth", $"{Match}.csv"));
        var named = Cli("explain", Match, "gpc-000919", "--snapshot-date", "2026-01-01");

        var note = $"the stable model stg_model_predictions__{Match} reads {Match}_20260102, which cannot be read here: its table model_predictions.{Match}_20260102 is not in the warehouse ";
        var chosen = $"; this is {Match}_20260101, the newest that can be read here; `electionmatch check` says what makes {Match}_20260102 readable";
        Assert.True(explain.ExitCode == 0, explain.Output);
        var lines = explain.Stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.StartsWith($"snapshot model_predictions.{Match}_20260101 (2026-01-01)", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("note: " + note, lines[1], StringComparison.Ordinal);
        Assert.EndsWith(chosen, lines[1], StringComparison.Ordinal);
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var scored = evaluate.Stdout.ReplaceLineEndings("\n").Split('\n');
        var snapshot = Array.FindIndex(scored, l => l.StartsWith("snapshot: ", StringComparison.Ordinal));
        Assert.StartsWith($"snapshot: model_predictions.{Match}_20260101;", scored[snapshot], StringComparison.Ordinal);
        Assert.StartsWith("snapshot note: " + note, scored[snapshot + 1], StringComparison.Ordinal);
        Assert.EndsWith(chosen, scored[snapshot + 1], StringComparison.Ordinal);
        // Named by its date, the older snapshot is what was asked for: no note.
        Assert.True(named.ExitCode == 0, named.Output);
        Assert.DoesNotContain("note: the stable model", named.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dropped_snapshot_named_on_the_command_line_is_said_to_be_dropped_naming_restore()
    {
        // Before: "no snapshot … in the warehouse", as of a date never published, with no word of restore.
        Run("2026-01-01");
        Run("2026-01-02");
        using (var warehouse = DuckDbWarehouse.Open(_project.WarehousePath))
        {
            warehouse.Execute($"drop table model_predictions.{Match}_20260101");
        }

        var explain = Cli("explain", Match, "gpc-000919", "--snapshot-date", "2026-01-01");
        var evaluate = Cli("evaluate", Match, "--truth", Path.Combine(_project.Directory, "truth", $"{Match}.csv"), "--snapshot", $"{Match}_20260101");
        var never = Cli("explain", Match, "gpc-000919", "--snapshot-date", "2026-01-03");

        var dropped = $"; {Match}_20260101 was published in this warehouse (its snapshot log has it, not pruned), and its table has been dropped or renamed since: `electionmatch restore {Match} --snapshot-date 2026-01-01 --project-dir ";
        var copy = $"/target/model_predictions/{Match}_20260101.parquet when that holds it as published";
        foreach (var refused in new[] { explain, evaluate })
        {
            Assert.Equal(1, refused.ExitCode);
            var error = Assert.Single(refused.Stderr.ReplaceLineEndings("\n").Split('\n'), l => l.Contains("error EM0101: ", StringComparison.Ordinal));
            Assert.Contains(dropped, error, StringComparison.Ordinal);
            Assert.Contains("` puts it back from its parquet copy ", error, StringComparison.Ordinal);
            Assert.EndsWith(copy, error.Replace('\\', '/'), StringComparison.Ordinal);
        }

        Assert.Equal(1, never.ExitCode);
        Assert.Contains($"error EM0101: no snapshot model_predictions.{Match}_20260103 in the warehouse; the snapshots of '{Match}': {Match}_20260102", never.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("dropped or renamed since", never.Stderr, StringComparison.Ordinal);

        // The command named puts it back, and explain reads it again.
        var restore = CliProcess.Run(["restore", Match, "--snapshot-date", "2026-01-01", "--project-dir", _project.Directory]);
        Assert.True(restore.ExitCode == 0, restore.Output);
        var again = Cli("explain", Match, "gpc-000919", "--snapshot-date", "2026-01-01");
        Assert.True(again.ExitCode == 0, again.Output);
    }

    private void Run(string date)
    {
        var run = Cli("run", Match, "--snapshot-date", date);
        Assert.True(run.ExitCode == 0, run.Output);
    }

    private CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", _project.Directory]);
}
