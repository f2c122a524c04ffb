using BenchmarkDotNet.Attributes;
using ElectionMatch.Benchmarks.Cleaning;

namespace ElectionMatch.Benchmarks.Scoring;

/// <summary>
/// The string comparisons the comparison levels use are DuckDB's (the C# side has none in scoring):
/// Jaro–Winkler and Levenshtein over 1,000,000 pairs of cleaned surnames and first names, a pair being
/// a left row and a results row of the fixture data repeated.
/// </summary>
public class StringComparisonBenchmarks
{
    private const int Pairs = 1_000_000;

    private FixtureWarehouse? _fixture;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new FixtureWarehouse(20_000, 20_000);
        var run = _fixture.Run;
        _fixture.Warehouse.Execute(_fixture.Cleaning.LeftCleanSql());
        _fixture.Warehouse.Execute(_fixture.Cleaning.RightCleanSql());
        _fixture.Warehouse.Execute($"""
            create table pairs as
            select l.first_name as l_first, l.last_name as l_last, r.first_name as r_first, r.last_name as r_last
            from (select *, row_number() over () as n from {run.Table("left_clean")}) as l
            join (select *, row_number() over () as n from {run.Table("right_clean")}) as r on r.n % 1000 = l.n % 1000
            limit {Pairs}
            """);
    }

    [GlobalCleanup]
    public void Cleanup() => _fixture?.Dispose();

    [Benchmark(Baseline = true, Description = "jaro_winkler_similarity, 1M surname pairs")]
    public double JaroWinklerSurnames() => Sum("jaro_winkler_similarity(l_last, r_last)");

    [Benchmark(Description = "jaro_winkler_similarity, 1M first-name pairs")]
    public double JaroWinklerFirstNames() => Sum("jaro_winkler_similarity(l_first, r_first)");

    [Benchmark(Description = "levenshtein, 1M surname pairs")]
    public double LevenshteinSurnames() => Sum("levenshtein(l_last, r_last)");

    [Benchmark(Description = "equality, 1M surname pairs (the floor: a scan)")]
    public double EqualSurnames() => Sum("cast(l_last = r_last as integer)");

    private double Sum(string expression) =>
        _fixture!.Warehouse.Scalar<double>($"select cast(sum({expression}) as double) from pairs");
}
