using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// Both matches run twice on the fixture as committed, its DDHQ results, BallotReady positions and L2 districts
/// rewritten as Parquet: once with their ids as BIGINT, once as DOUBLE (as pandas writes an integer column with nulls).
/// In both, position <see cref="QuarantinedPosition"/>'s name is blank, so the run quarantines it (EMQ001).
/// </summary>
public sealed class FloatIdRuns : IDisposable
{
    public const string SnapshotDate = "2026-01-01";

    /// <summary>The first position of the district truth file.</summary>
    public const string QuarantinedPosition = "140300";

    public FloatIdRuns()
    {
        Integer = Prepare("bigint");
        Float = Prepare("double");
    }

    public FixtureCopy Integer { get; }

    public FixtureCopy Float { get; }

    internal static CliProcess.Result Cli(FixtureCopy project, string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", project.Directory]);

    private static FixtureCopy Prepare(string idType)
    {
        var project = FixtureCopy.Of("goodparty");
        using (var duckdb = DuckDbWarehouse.InMemory())
        {
            foreach (var (input, id, edit) in new[]
            {
                ("ddhq_election_results", "candidate_id", ""),
                ("ballotready_positions", "br_database_id", $", case when br_database_id = {QuarantinedPosition} then '' else name end as name"),
                ("l2_districts", "l2_district_id", ""),
            })
            {
                var csv = project.PathOf($"data/airbyte/{input}.csv");
                var parquet = project.PathOf($"data/airbyte/{input}.parquet");
                duckdb.Execute($"copy (select * replace (cast({id} as {idType}) as {id}{edit}) from read_csv({Sql.Literal(csv)})) to {Sql.Literal(parquet)}");
                Assert.Equal(idType.ToUpperInvariant(), duckdb.Scalar<string>($"select typeof({id}) from {Sql.Literal(parquet)} limit 1"));
                project.Replace("models/staging/__sources.yaml", $"data/airbyte/{input}.csv", $"data/airbyte/{input}.parquet");
            }
        }

        foreach (var match in new[] { "candidacy_ddhq_matches", "llm_l2_br_match" })
        {
            var run = Cli(project, "run", match, "--snapshot-date", SnapshotDate);
            Assert.True(run.ExitCode == 0, run.Output);
        }

        return project;
    }

    public void Dispose()
    {
        Integer.Dispose();
        Float.Dispose();
    }
}
