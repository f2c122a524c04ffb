using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// `explain` of an id that is no left id of the match named but is one of another match's (the wrong match typed): EM0111
/// names that match and the command that explains the id there. Before, it said only that the id is not in the left input.
/// </summary>
public sealed class ExplainOtherMatchIdTests : IClassFixture<ExplainOtherMatchIdTests.BothMatchesRun>
{
    private const string Candidacies = "candidacy_ddhq_matches";
    private const string Positions = "llm_l2_br_match";

    /// <summary>A position of the fixture's BallotReady file (a br_database_id), linked by the district match.</summary>
    private const string PositionId = "170800";

    private readonly BothMatchesRun _runs;

    public ExplainOtherMatchIdTests(BothMatchesRun runs)
    {
        _runs = runs;
    }

    [Fact]
    public void A_position_id_given_to_the_candidacy_match_names_the_district_match_and_its_explain_command()
    {
        var explain = _runs.Cli("explain", Candidacies, PositionId);

        Assert.Equal(1, explain.ExitCode);
        Assert.Equal("", explain.Stdout);
        var error = Assert.Single(explain.Stderr.Split('\n'), l => l.Contains(": error EM", StringComparison.Ordinal));
        Assert.Contains($"error EM0111: '{PositionId}' is not a gp_candidacy_id of the latest run of '{Candidacies}': neither its left input (", error, StringComparison.Ordinal);
        Assert.EndsWith(
            $"; it is a left id of '{Positions}' (a br_database_id, in em_run_{Positions}.left_input): `electionmatch explain {Positions} {PositionId} --project-dir {_runs.Project.Directory}`",
            error,
            StringComparison.Ordinal);

        // The command it names explains the id.
        var there = _runs.Cli("explain", Positions, PositionId);
        Assert.True(there.ExitCode == 0, there.Output);
        Assert.Contains($"\n{PositionId}: ", there.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candidacy_id_given_to_the_district_match_names_the_candidacy_match()
    {
        var explain = _runs.Cli("explain", Positions, "gpc-000132");

        Assert.Equal(1, explain.ExitCode);
        Assert.Contains($"error EM0111: 'gpc-000132' is not a br_database_id of the latest run of '{Positions}'", explain.Stderr, StringComparison.Ordinal);
        Assert.Contains($"; it is a left id of '{Candidacies}' (a gp_candidacy_id, in em_run_{Candidacies}.left_input): `electionmatch explain {Candidacies} gpc-000132 --project-dir ", explain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_of_neither_match_keeps_the_nearest_id_or_no_hint()
    {
        var near = _runs.Cli("explain", Candidacies, "gpc-00132");
        var far = _runs.Cli("explain", Candidacies, "no-such-id");

        Assert.Equal(1, near.ExitCode);
        Assert.Contains("error EM0111: 'gpc-00132' is not a gp_candidacy_id", near.Stderr, StringComparison.Ordinal);
        Assert.Contains("; did you mean 'gpc-000132'?", near.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("it is a left id of", near.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, far.ExitCode);
        Assert.Contains("error EM0111: 'no-such-id' is not a gp_candidacy_id", far.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("it is a left id of", far.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("did you mean", far.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_other_match_s_stages_its_newest_snapshot_is_read_and_an_unreadable_one_leaves_the_EM0111_as_it_was()
    {
        using var project = new BothMatchesRun();
        using (var warehouse = DuckDbWarehouse.Open(project.Project.WarehousePath))
        {
            warehouse.Execute($"drop schema em_run_{Positions} cascade");
        }

        var fromSnapshot = project.Cli("explain", Candidacies, PositionId);
        Assert.Equal(1, fromSnapshot.ExitCode);
        Assert.Contains($"; it is a left id of '{Positions}' (a br_database_id, in its snapshot model_predictions.{Positions}_20260101): `electionmatch explain {Positions} {PositionId} --project-dir ", fromSnapshot.Stderr, StringComparison.Ordinal);

        // The snapshot replaced by a view of a file that is gone: reading it fails, and the hint is left out, not the error changed.
        var gone = project.Project.PathOf("target/gone.parquet");
        using (var warehouse = DuckDbWarehouse.Open(project.Project.WarehousePath))
        {
            warehouse.Execute($"copy (select '{PositionId}' as br_database_id) to '{gone}' (format parquet)");
            warehouse.Execute($"drop table model_predictions.{Positions}_20260101");
            warehouse.Execute($"create view model_predictions.{Positions}_20260101 as select * from read_parquet('{gone}')");
        }

        File.Delete(gone);

        var unreadable = project.Cli("explain", Candidacies, PositionId);
        Assert.Equal(1, unreadable.ExitCode);
        var error = Assert.Single(unreadable.Stderr.Split('\n'), l => l.Contains(": error EM", StringComparison.Ordinal));
        Assert.Contains($"error EM0111: '{PositionId}' is not a gp_candidacy_id of the latest run of '{Candidacies}'", error, StringComparison.Ordinal);
        Assert.EndsWith("nor its quarantine holds it", error.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_earlier_snapshot_explained_from_its_rows_alone_names_the_other_match_too()
    {
        // A later run of the candidacy match: its 2026-01-01 snapshot is read alone, without the stages (NotInSnapshot).
        using var project = new BothMatchesRun();
        var later = project.Cli("run", Candidacies, "--snapshot-date", "2026-01-02");
        Assert.True(later.ExitCode == 0, later.Output);

        var explain = project.Cli("explain", Candidacies, PositionId, "--snapshot-date", "2026-01-01");

        Assert.Equal(1, explain.ExitCode);
        Assert.Contains($"error EM0111: '{PositionId}' has no row in model_predictions.{Candidacies}_20260101", explain.Stderr, StringComparison.Ordinal);
        Assert.Contains($"; it is a left id of '{Positions}' (a br_database_id, in em_run_{Positions}.left_input): `electionmatch explain {Positions} {PositionId} --project-dir ", explain.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Both of the fixture's matches run for 2026-01-01 on one copy of it.</summary>
    public sealed class BothMatchesRun : IDisposable
    {
        public BothMatchesRun()
        {
            foreach (var match in new[] { Candidacies, Positions })
            {
                var run = Cli("run", match, "--snapshot-date", "2026-01-01");
                Assert.True(run.ExitCode == 0, run.Output);
            }
        }

        public FixtureCopy Project { get; } = FixtureCopy.Of("goodparty");

        internal CliProcess.Result Cli(string command, params string[] args) =>
            CliProcess.Run([command, .. args, "--project-dir", Project.Directory]);

        public void Dispose() => Project.Dispose();
    }
}
