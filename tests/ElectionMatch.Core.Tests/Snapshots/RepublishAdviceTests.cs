using ElectionMatch.Operations;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Tests.Snapshots;

/// <summary>
/// The advice of EM0601–EM0604 for a snapshot whose parquet copy holds it as published: the restore command, worded for
/// the host that reports it, with the recomputing run as the alternative in that host's own words.
/// </summary>
public sealed class RepublishAdviceTests : IDisposable
{
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private string Advice(ProjectHost host, bool fromParquet) =>
        ProjectContext.Load(new ProjectOptions(_fixture.Directory) { Host = host })
            .RepublishAdvice(new SnapshotName("candidacy_ddhq_matches", new DateOnly(2026, 1, 1)), fromParquet);

    [Fact]
    public void With_a_parquet_copy_as_published_the_cli_is_told_to_run_restore_not_sql()
    {
        var advice = Advice(ProjectHost.Cli, fromParquet: true);

        Assert.Contains("holds it as published: `electionmatch restore candidacy_ddhq_matches --snapshot-date 2026-01-01` puts the table back from it; `electionmatch run candidacy_ddhq_matches --snapshot-date 2026-01-01 --replace` would instead recompute it from the inputs as they are now", advice, StringComparison.Ordinal);
        Assert.DoesNotContain("read_parquet", advice, StringComparison.Ordinal);
    }

    // Before, only explain's advice repeated them: verify's and check's restore, replace and rerun commands, followed
    // as written from another directory, acted on whatever project was there.
    [Fact]
    public void The_commands_advised_repeat_the_project_dir_the_user_gave_and_only_that()
    {
        var name = new SnapshotName("candidacy_ddhq_matches", new DateOnly(2026, 1, 1));
        var given = ProjectContext.Load(new ProjectOptions(_fixture.Directory) { ProjectDirectoryAsGiven = "../our dbt", Target = "dev" });
        var found = ProjectContext.Load(new ProjectOptions(_fixture.Directory));

        Assert.Contains("`electionmatch restore candidacy_ddhq_matches --snapshot-date 2026-01-01 --project-dir '../our dbt' --target dev` puts the table back", given.RepublishAdvice(name, fromParquet: true), StringComparison.Ordinal);
        Assert.Equal("electionmatch run candidacy_ddhq_matches --snapshot-date 2026-01-01 --replace --project-dir '../our dbt' --target dev", given.RunCommand(name.Match, name.Date, ["--replace"]));
        // A project found without --project-dir (the working directory, one above it, $DBT_PROJECT_DIR) is found again so.
        Assert.Equal("electionmatch run candidacy_ddhq_matches --snapshot-date 2026-01-01 --replace", found.RunCommand(name.Match, name.Date, ["--replace"]));
    }

    [Fact]
    public void In_a_build_the_restore_and_the_replace_are_the_builds_targets()
    {
        var advice = Advice(ProjectHost.MSBuild, fromParquet: true);

        // Before, the restore was the CLI's, "no build target does": there was no ElectionMatchRestore.
        Assert.Contains("holds it as published: `dotnet build -t:ElectionMatchRestore -p:Match=candidacy_ddhq_matches -p:SnapshotDate=2026-01-01` puts the table back from it; `dotnet build -t:ElectionMatchRun -p:Match=candidacy_ddhq_matches -p:SnapshotDate=2026-01-01 -p:Replace=true` would instead recompute it", advice, StringComparison.Ordinal);
        Assert.DoesNotContain("read_parquet", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_copy_as_published_no_restore_is_advised_but_a_backup()
    {
        var advice = Advice(ProjectHost.Cli, fromParquet: false);

        Assert.DoesNotContain("restore candidacy_ddhq_matches", advice, StringComparison.Ordinal);
        Assert.EndsWith("to have it back as published, restore the warehouse from a backup", advice, StringComparison.Ordinal);
    }
}
