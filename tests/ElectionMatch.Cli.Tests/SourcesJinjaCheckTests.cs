namespace ElectionMatch.Tests;

/// <summary>
/// The snapshot source's schema as dbt renders it (var(), env_var()) and as electionmatch.yml's snapshots.schema says,
/// and generate --rewrite-refs telling apart the references that now read a newer snapshot; on a copy of a plain run.
/// </summary>
public sealed class SourcesJinjaCheckTests(SharedUninterruptedRun shared) : IClassFixture<SharedUninterruptedRun>, IDisposable
{
    private const string SourcesYaml = "models/staging/__sources.yaml";
    private const string SchemaLine = "    schema: model_predictions\n";

    private readonly FixtureCopy _fixture = shared.Run.Project.Clone();

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", _fixture.Directory]);

    [Fact]
    public void A_var_in_the_snapshot_sources_schema_is_rendered_from_dbt_project_vars_so_check_reads_the_published_snapshot()
    {
        _fixture.Replace(SourcesYaml, SchemaLine, "    schema: \"{{ var('mp_schema', 'not_this_one') }}\"\n");
        File.AppendAllText(_fixture.PathOf("dbt_project.yml"), "\nvars:\n  mp_schema: model_predictions\n");

        var check = Cli("check");

        // Taken as text, the schema named no schema: EM0101 with restore advice that changed nothing.
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.DoesNotContain("EM0101", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_reports_a_snapshot_source_whose_schema_is_not_snapshots_schema_at_its_schema_line()
    {
        _fixture.Replace(SourcesYaml, SchemaLine, "    schema: ml_predictions\n");

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("__sources.yaml(56,13): error EM0115: source 'model_predictions' reads schema ml_predictions, but electionmatch.yml's snapshots.schema is model_predictions", check.Output, StringComparison.Ordinal);
        // The published snapshot's entry says why its table cannot be read, not that a restore would bring it back.
        Assert.Contains("error EM0101: snapshot 'candidacy_ddhq_matches_20300603' is declared here but its schema ml_predictions (", check.Output, StringComparison.Ordinal);
        Assert.Contains("models/staging/__sources.yaml:56) is not snapshots.schema model_predictions of electionmatch.yml", check.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("electionmatch restore", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_rewrite_refs_lists_apart_the_references_that_now_read_a_newer_snapshot()
    {
        // One reference to the newest snapshot (same data after the move) beside the fixture's one to a superseded snapshot.
        _fixture.Write("models/marts/general/m_newest.sql", "select * from {{ ref('stg_model_predictions__candidacy_ddhq_matches_20300603') }}\n");

        var generate = Cli("generate", "--rewrite-refs");

        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Contains("2 reference line(s) rewritten in 2 file(s) (1 reference(s) now reading a newer snapshot)", generate.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 rewritten reference(s) read a superseded snapshot and now read a newer one", generate.Stdout, StringComparison.Ordinal);
        Assert.Contains("{# electionmatch: pinned #}", generate.Stdout, StringComparison.Ordinal);
        Assert.Contains("models/marts/general/m_general__candidacy_result.sql(8,26): candidacy_ddhq_matches_20251112 -> candidacy_ddhq_matches_20300603\n", generate.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("m_newest.sql(1", generate.Stdout, StringComparison.Ordinal);
    }
}
