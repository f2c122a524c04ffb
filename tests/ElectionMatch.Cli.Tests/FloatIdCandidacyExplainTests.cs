using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// A candidacy id column of DOUBLE (pandas' integer column with nulls) is published as its integers' text, which
/// `explain` takes. Before, the snapshot's gp_candidacy_id was '1000000000000132.0' (and 10^16 '1e+16'), and
/// `explain candidacy_ddhq_matches 1000000000000132` failed with EM0111, "did you mean '1000000000000132.0'".
/// </summary>
public sealed class FloatIdCandidacyExplainTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private readonly FixtureCopy _project = FixtureCopy.Of("goodparty");

    public FloatIdCandidacyExplainTests()
    {
        var csv = _project.PathOf("data/airbyte/hubspot_candidacy.csv");
        var parquet = _project.PathOf("data/airbyte/hubspot_candidacy.parquet");
        using (var duckdb = DuckDbWarehouse.InMemory())
        {
            // gpc-000133 as 10^16, whose DOUBLE text is '1e+16'; any other gpc-N as 10^15 + N.
            duckdb.Execute($"""
                copy (
                    select * replace (case gp_candidacy_id when 'gpc-000133' then cast(1e16 as double) else cast(1000000000000000 + cast(substr(gp_candidacy_id, 5) as bigint) as double) end as gp_candidacy_id)
                    from read_csv({Sql.Literal(csv)})
                ) to {Sql.Literal(parquet)}
                """);
            Assert.Equal("DOUBLE", duckdb.Scalar<string>($"select typeof(gp_candidacy_id) from {Sql.Literal(parquet)} limit 1"));
        }

        _project.Replace("models/staging/__sources.yaml", "data/airbyte/hubspot_candidacy.csv", "data/airbyte/hubspot_candidacy.parquet");
        var run = FloatIdRuns.Cli(_project, "run", Match, "--snapshot-date", FloatIdRuns.SnapshotDate);
        Assert.True(run.ExitCode == 0, run.Output);
    }

    [Fact]
    public void The_snapshot_holds_the_integer_text_and_explain_takes_it()
    {
        var ids = ReadIds();
        var explain = FloatIdRuns.Cli(_project, "explain", Match, "1000000000000132");
        var large = FloatIdRuns.Cli(_project, "explain", Match, "10000000000000000");

        Assert.Contains("1000000000000132", ids);
        Assert.Contains("10000000000000000", ids);
        Assert.DoesNotContain(ids, id => id.Contains('.', StringComparison.Ordinal) || id.Contains('e', StringComparison.Ordinal));
        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Contains("decision: linked", explain.Stdout, StringComparison.Ordinal);
        Assert.True(large.ExitCode == 0, large.Output);
        Assert.Contains("decision: linked", large.Stdout, StringComparison.Ordinal);
    }

    private List<string> ReadIds()
    {
        using var warehouse = DuckDbWarehouse.Open(_project.WarehousePath);
        Assert.Equal("VARCHAR", warehouse.Scalar<string>($"select typeof(gp_candidacy_id) from model_predictions.{Match}_20260101 limit 1"));
        return warehouse.Query($"select distinct gp_candidacy_id from model_predictions.{Match}_20260101", r => r.GetString(0)).ToList();
    }

    public void Dispose() => _project.Dispose();
}
