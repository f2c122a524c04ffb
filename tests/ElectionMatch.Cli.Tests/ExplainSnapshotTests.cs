using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// `explain` says which snapshot it explains, and reads the run schema's stages only when they are of that snapshot's run:
/// a later run for another date, a run stopped before it published, or none at all leave it the snapshot's rows alone.
/// </summary>
public sealed class ExplainSnapshotTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Left = "data/airbyte/hubspot_candidacy.csv";
    private const string Gerald = "gpc-000919,93370876023,Gerald,";
    private readonly FixtureCopy _project = FixtureCopy.Of("goodparty");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void The_newest_snapshot_is_explained_from_its_rows_when_the_stages_are_of_an_older_dates_run_since_pruned()
    {
        // The newest snapshot links gpc-000919's general election to Geraldine Whitfield; a run for an older date, of the
        // file as committed (Gerald), then replaced the stages, and prune retired its snapshot.
        _project.Replace(Left, Gerald, "gpc-000919,93370876023,Geraldine,");
        Run("2026-01-02");
        _project.Replace(Left, "gpc-000919,93370876023,Geraldine,", Gerald);
        Run("2026-01-01");
        Assert.Equal(0, Cli("prune", Match, "--snapshot-date", "2026-01-01").ExitCode);
        var published = Published("20260102", "general");

        var explain = Cli("explain", Match, "gpc-000919", "--candidates", "1");

        Assert.True(explain.ExitCode == 0, explain.Output);
        var lines = explain.Stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.StartsWith($"snapshot model_predictions.{Match}_20260102 (2026-01-02), from its published rows alone: the candidate pairs are not shown, since the stages in em_run_{Match} are of the run that published {Match}_20260101, since pruned; `electionmatch run {Match} --snapshot-date 2026-01-02 --replace --project-dir ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("linked by score", published, StringComparison.Ordinal);
        var general = Array.IndexOf(lines, "gpc-000919 general 2024-11-05: Geraldine Whitfield");
        Assert.True(general > 0, explain.Stdout);
        Assert.Equal("  decision: " + published, lines[general + 1]);
        Assert.StartsWith("  * Geraldine Whitfield [", lines[general + 3], StringComparison.Ordinal);
        Assert.Contains("probability 1.0000, found by exact_name, ", lines[general + 3], StringComparison.Ordinal);
        Assert.Contains("      last_name    exact ", explain.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_older_than_the_newest_snapshot_loaded_by_hand_is_explained_saying_the_stable_model_reads_that_one()
    {
        // The fixture declares two snapshots uploaded by hand as files (the newest 2025-11-12); a back-dated run is the
        // newest a run published. Before, explain explained it without a word, while the stable model and evaluate read
        // the file.
        Run("2025-10-01");

        var explain = Cli("explain", Match, "gpc-000919");
        var named = Cli("explain", Match, "gpc-000919", "--snapshot-date", "2025-10-01");

        Assert.True(explain.ExitCode == 0, explain.Output);
        var lines = explain.Stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.StartsWith($"snapshot model_predictions.{Match}_20251001 (2025-10-01), from the stages of the run that published it", lines[0], StringComparison.Ordinal);
        Assert.Equal($"note: the stable model reads model_predictions.{Match}_20251112 (file data/model_predictions/{Match}_20251112.csv), which no run published here, so explain cannot read it; this is model_predictions.{Match}_20251001, the newest a run published (`evaluate` scores {Match}_20251112)", lines[1]);
        Assert.True(named.ExitCode == 0, named.Output);
        Assert.DoesNotContain("note: the stable model reads", named.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_loaded_by_hand_named_by_its_date_is_said_to_be_no_runs_not_missing()
    {
        // The fixture's 2025-11-12 snapshot is a file declared by hand, which evaluate reads. Before, explain said there
        // was no such snapshot in the warehouse.
        const string ByHand = Match + "_20251112";
        var before = Cli("explain", Match, "gpc-000919", "--snapshot-date", "2025-11-12");
        Run("2026-01-01");
        var after = Cli("explain", Match, "gpc-000919", "--snapshot-date", "2025-11-12");

        foreach (var explain in new[] { before, after })
        {
            Assert.Equal(1, explain.ExitCode);
            Assert.Contains($"error {Codes.RunNotFound}: snapshot model_predictions.{ByHand} (file data/model_predictions/{ByHand}.csv) is declared, but no run published it here (it was loaded by hand), so there are no stages to explain its decisions from; `electionmatch evaluate {Match} --truth <file> --snapshot {ByHand} --project-dir ", explain.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("in the warehouse", explain.Stderr, StringComparison.Ordinal);
        }

        Assert.Contains($"` scores it as it is, and `electionmatch run {Match} --project-dir ", before.Stderr, StringComparison.Ordinal);
        Assert.Contains($"` scores it as it is, and explain reads the snapshots runs published here ({Match}_20260101): name one's date with --snapshot-date", after.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_older_snapshot_named_by_its_date_is_explained_from_its_own_stages()
    {
        Run("2026-01-01");
        Run("2026-01-02");
        Run("2026-01-01", "--replace");

        var older = Cli("explain", Match, "gpc-000919", "--snapshot-date", "2026-01-01");
        var newest = Cli("explain", Match, "gpc-000919");

        Assert.True(older.ExitCode == 0, older.Output);
        Assert.StartsWith($"snapshot model_predictions.{Match}_20260101 (2026-01-01), from the stages of the run that published it\n", older.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("gpc-000919 general 2024-11-05: Gerald Whitfield (FL)", older.Stdout, StringComparison.Ordinal);
        Assert.StartsWith($"snapshot model_predictions.{Match}_20260102 (2026-01-02), from its published rows alone: the candidate pairs are not shown, since the stages in em_run_{Match} are of the run that published {Match}_20260101;", newest.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_stopped_before_it_published_is_not_explained_as_the_snapshot()
    {
        Run("2026-01-01");
        _project.Replace(Left, Gerald, "gpc-000919,93370876023,Geraldine,");
        var stopped = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = "stage:judge" }, null,
            "run", Match, "--snapshot-date", "2026-01-02", "--project-dir", _project.Directory);
        Assert.True(stopped.WasKilled, stopped.Output);

        var explain = Cli("explain", Match, "gpc-000919", "--candidates", "0");

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.StartsWith($"snapshot model_predictions.{Match}_20260101 (2026-01-01), from its published rows alone: the candidate pairs are not shown, since the stages in em_run_{Match} are of a run that stopped or failed before it published;", explain.Stdout, StringComparison.Ordinal);
        // The snapshot's own words (the judge's, of Gerald), not the stopped run's stages (Geraldine, whom the score links).
        Assert.Contains($"gpc-000919 general 2024-11-05: Gerald Whitfield\n  decision: {Published("20260101", "general")}\n", explain.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("Geraldine Whitfield\n", explain.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_without_an_election_date_is_said_to_have_none()
    {
        _project.Replace(Left, "Plano City Council - District 4,local,4,Nonpartisan,2024-03-05,2024-11-05,", "Plano City Council - District 4,local,4,Nonpartisan,,,");
        Run("2026-01-01");

        var explain = Cli("explain", Match, "gpc-000153");

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Contains("\ngpc-000153 is in the left input but has no election row in the run: it has no election date (or a date without its election type)", explain.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("temporal filter", explain.Stdout, StringComparison.Ordinal);
    }

    private string Published(string date, string electionType)
    {
        using var warehouse = DuckDbWarehouse.Open(_project.WarehousePath, readOnly: true);
        return warehouse.Scalar<string>($"select llm_reasoning from model_predictions.{Match}_{date} where gp_candidacy_id = 'gpc-000919' and hubspot_election_type = {Sql.Literal(electionType)}")!;
    }

    [Fact]
    public void With_no_snapshot_the_advice_repeats_the_users_project_dir()
    {
        var explain = Cli("explain", Match, "gpc-000919");

        Assert.Equal(1, explain.ExitCode);
        Assert.Contains($"error EM0110: no snapshot of '{Match}' is published in the warehouse; `electionmatch run {Match} --project-dir {_project.Directory}` first", explain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unpublished_run_and_no_snapshot_is_said_plainly()
    {
        var stopped = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = "stage:judge" }, null,
            "run", Match, "--snapshot-date", "2026-01-01", "--project-dir", _project.Directory);
        Assert.True(stopped.WasKilled, stopped.Output);

        var explain = Cli("explain", Match, "gpc-000919");

        Assert.Equal(1, explain.ExitCode);
        Assert.Equal("", explain.Stdout);
        Assert.Contains($"error EM0110: no snapshot of '{Match}' is published in the warehouse; the run schema em_run_{Match} holds the stages of a run that stopped or failed before it published, whose decisions are no snapshot's;", explain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quarantined_row_after_an_incremental_run_is_named_by_its_row_in_the_file_and_an_older_incremental_snapshot_is_recomputed_incrementally()
    {
        // Three states' candidacies (each state partition is a pipeline of its own: the whole fixture's took 24 s). The
        // PA and AZ rows come first in the file: gpc-000153 is line 4, its data row 3, as a plain run numbers it, and
        // the first row of its TX partition.
        _project.KeepCandidaciesOf("PA", "AZ", "TX");
        var rows = File.ReadAllLines(_project.PathOf(Left)).Skip(1).ToList();
        Assert.Equal(2, rows.FindIndex(r => r.StartsWith("gpc-000153,", StringComparison.Ordinal)));
        Assert.Equal("gpc-000153", rows.First(r => r.Split(',')[4] == "TX").Split(',')[0]);
        _project.Replace(Left, "gpc-000153,672709366,William,Harris,", "gpc-000153,672709366,...,--,");
        Run("2026-01-01", "--incremental");

        var explain = Cli("explain", Match, "gpc-000153");

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Contains("gpc-000153 quarantined: EMQ003 the name has no Latin letter, or cannot be parsed into first and last name: ", explain.Stdout, StringComparison.Ordinal);
        Assert.Contains("(left input row 3; the snapshot's __quarantine table holds it)", explain.Stdout, StringComparison.Ordinal);

        // A later incremental run holds the stages now; the command that computes the older snapshot's again is incremental
        // too, as its run was (a plain --replace would retrain the model and publish other rows).
        Run("2026-01-02", "--incremental");
        string id;
        using (var warehouse = DuckDbWarehouse.Open(_project.WarehousePath, readOnly: true))
        {
            id = warehouse.Scalar<string>($"select min(gp_candidacy_id) from model_predictions.{Match}_20260101")!;
        }

        var older = Cli("explain", Match, id, "--snapshot-date", "2026-01-01");
        Assert.True(older.ExitCode == 0, older.Output);
        Assert.Contains($"`electionmatch run {Match} --snapshot-date 2026-01-01 --incremental --replace --project-dir ", older.Stdout, StringComparison.Ordinal);
    }

    private void Run(string date, params string[] options)
    {
        var run = Cli("run", [Match, "--snapshot-date", date, .. options]);
        Assert.True(run.ExitCode == 0, run.Output);
    }

    private CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", _project.Directory]);
}
