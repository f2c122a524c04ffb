using ElectionMatch.Matches.L2BallotReady;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>
/// The L2 → BallotReady matcher run once in-process on a copy of the goodparty fixture, its run schema left to
/// inspect; shared by a test class, since every test reads the same run.
/// </summary>
public sealed class DistrictMatcherRun : IDisposable
{
    public const string Match = "llm_l2_br_match";

    public DistrictMatcherRun()
    {
        Fixture = FixtureCopy.Of("goodparty");
        Warehouse = DuckDbWarehouse.Open(Path.Combine(Fixture.Directory, "target", "district-test.duckdb"));
        var context = ProjectContext.Load(new ProjectOptions(Fixture.Directory));
        var settings = context.Settings.Match(Match);
        var inputs = new RunOperation(context).ResolveInputs(Warehouse, settings);
        Result = new L2BallotReadyMatcher(Warehouse, settings, RunSchema.For(Match)) { Threads = 2 }.Run(inputs);
    }

    public FixtureCopy Fixture { get; }

    internal DuckDbWarehouse Warehouse { get; }

    internal MatchResult Result { get; }

    public string Table(string stage) => RunSchema.For(Match).Table(stage);

    /// <summary>The linked district id of a position, or null when it was answered 0.</summary>
    public string? Linked(long position) => Warehouse.Scalar<string>(
        $"select cast(l2_district_id as varchar) from {Table("output")} where br_database_id = {position} and is_matched");

    public void Dispose()
    {
        Warehouse.Dispose();
        Fixture.Dispose();
    }
}
