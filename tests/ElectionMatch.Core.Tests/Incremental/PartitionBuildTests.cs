using ElectionMatch.Dbt;
using ElectionMatch.Incremental;
using ElectionMatch.Matches;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Incremental;

/// <summary>
/// A partition is cached under the code that computed it: the tool's version is the same for every build, so a
/// partition another build cached would otherwise be published beside rows this build computed.
/// </summary>
public sealed class PartitionBuildTests : IDisposable
{
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_partition_cached_by_another_build_is_recomputed_and_the_same_build_reuses_it()
    {
        // Two states keep it quick (three partitions with the stateless one; the whole fixture's 40-odd took a minute):
        // what is proven is of every partition, whatever their number.
        const string Left = "data/airbyte/hubspot_candidacy.csv";
        string[] states = ["TX", "GA"];
        _fixture.Write(Left, string.Join('\n', _fixture.Read(Left).Split('\n').Where((l, i) => i == 0 || states.Contains(l.Split(',').ElementAtOrDefault(4)))) + "\n");
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var match = context.Settings.Match("candidacy_ddhq_matches");
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "builds.duckdb"));
        var inputs = new RunOperation(context).ResolveInputs(warehouse, match);
        using var providers = ModelProviders.Create(match, _fixture.Directory, context.Templates, warehouse, replay: false);

        (long Reused, long Recomputed, List<string> Tools, string Output, IReadOnlyList<string> Summary) Run(string tool)
        {
            var request = new IncrementalRequest(context.Settings.ContentHash, Full: false, Retrain: false, new MatchRunOptions(null, 2, providers, CancellationToken.None)) { Tool = tool };
            var result = IncrementalRun.Execute(warehouse, match, inputs, request, progress: null);
            var tools = warehouse.Query($"select distinct tool_version from {PartitionCache.Schema.Table("partitions")}", r => r.GetString(0));
            var output = warehouse.Scalar<string>($"select md5(string_agg(cast(t as varchar), '\n' order by all)) from {result.OutputTable} as t");
            return (result.Counts["state_partitions_reused"], result.Counts["state_partitions_recomputed"], tools, output!, result.Summary);
        }

        var first = Run("0.1.0+aaaaaaa/1");
        Assert.Equal(0, first.Reused);
        Assert.True(first.Recomputed >= 3, $"{first.Recomputed} partitions");
        Assert.Equal(["0.1.0+aaaaaaa/1"], first.Tools);

        var same = Run("0.1.0+aaaaaaa/1");
        Assert.Equal((first.Recomputed, 0L), (same.Reused, same.Recomputed));

        // Same version, another build: nothing it cached is reused, and every entry is now this build's.
        var other = Run("0.1.0+bbbbbbb/2");
        Assert.Equal((0L, first.Recomputed), (other.Reused, other.Recomputed));
        Assert.Equal(["0.1.0+bbbbbbb/2"], other.Tools);
        Assert.Equal(first.Output, other.Output);
        Assert.Contains("incremental: every partition recomputed: the tool changed (the cached partitions were computed by another build)", other.Summary);
    }

    [Fact]
    public void Quarantined_rows_cached_under_another_layout_are_started_afresh_not_inserted_into()
    {
        // Texas alone keeps it quick: two partitions, Texas and the stateless one.
        const string Left = "data/airbyte/hubspot_candidacy.csv";
        _fixture.Write(Left, string.Join('\n', _fixture.Read(Left).Split('\n').Where((l, i) => i == 0 || l.Split(',').ElementAtOrDefault(4) == "TX")) + "\n");
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var match = context.Settings.Match("candidacy_ddhq_matches");
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "layouts.duckdb"));
        var inputs = new RunOperation(context).ResolveInputs(warehouse, match);
        using var providers = ModelProviders.Create(match, _fixture.Directory, context.Templates, warehouse, replay: false);
        (long Recomputed, string Output) Run(string tool)
        {
            var request = new IncrementalRequest(context.Settings.ContentHash, Full: false, Retrain: false, new MatchRunOptions(null, 2, providers, CancellationToken.None)) { Tool = tool };
            var result = IncrementalRun.Execute(warehouse, match, inputs, request, progress: null);
            return (result.Counts["state_partitions_recomputed"], warehouse.Scalar<string>($"select md5(string_agg(cast(t as varchar), '\n' order by all)) from {result.OutputTable} as t")!);
        }

        var first = Run("0.1.0+aaaaaaa/1");
        // The cache as a build whose quarantine had another column left it; the next build's rows were inserted by
        // position into it and every incremental run stopped ("has 9 columns but 8 values were supplied", EM0504).
        warehouse.Execute($"alter table {PartitionCache.Schema.Table("candidacy_ddhq_matches__quarantine")} add column older_layout integer");

        var next = Run("0.1.0+bbbbbbb/2");

        Assert.Equal((2L, first.Output), next);
        Assert.DoesNotContain("older_layout", warehouse.Describe($"select * from {PartitionCache.Schema.Table("candidacy_ddhq_matches__quarantine")}").Select(c => c.Name));
        Assert.Equal(2L, warehouse.Scalar<long>($"select count(*) from {PartitionCache.Schema.Table("partitions")}"));
    }

    [Fact]
    public void The_fingerprint_names_the_version_the_commit_and_the_compiled_code()
    {
        Assert.StartsWith(ToolInfo.Build + "/", ToolInfo.Fingerprint, StringComparison.Ordinal);
        Assert.StartsWith(ToolInfo.Version, ToolInfo.Build, StringComparison.Ordinal);
        Assert.EndsWith(typeof(ToolInfo).Assembly.ManifestModule.ModuleVersionId.ToString("N"), ToolInfo.Fingerprint, StringComparison.Ordinal);
        Assert.NotEqual(Guid.Empty, typeof(ToolInfo).Assembly.ManifestModule.ModuleVersionId);
    }
}
