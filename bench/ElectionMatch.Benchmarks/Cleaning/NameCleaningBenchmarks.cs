using BenchmarkDotNet.Attributes;
using ElectionMatch.Matches.CandidacyDdhq;

namespace ElectionMatch.Benchmarks.Cleaning;

/// <summary>
/// Name parsing: the matcher's own left_clean and right_clean statements over 100,000 fixture rows each, in an
/// in-memory DuckDB. Left names are parsed by the <c>em_*</c> SQL macros of <c>CandidacyDdhqCleaning</c>; results rows
/// carry the whole name in one field (<c>BONNIE BALCHUNIS</c>, <c>Scott, Robert C. "Bobby"</c>), parsed by the C#
/// function <c>em_ballot_name</c> when plain ASCII and by the macros otherwise.
/// </summary>
[MemoryDiagnoser]
public class NameCleaningBenchmarks
{
    private const int Rows = 100_000;

    private FixtureWarehouse? _fixture;

    [GlobalSetup]
    public void Setup() => _fixture = new FixtureWarehouse(Rows, Rows);

    [GlobalCleanup]
    public void Cleanup() => _fixture?.Dispose();

    [Benchmark(Description = "left_clean, 100k HubSpot rows (first/last name fields)")]
    public long LeftClean() => Clean("left_clean", _fixture!.Cleaning.LeftCleanSql());

    [Benchmark(Description = "right_clean, 100k DDHQ rows (one full-name field)")]
    public long RightClean() => Clean("right_clean", _fixture!.Cleaning.RightCleanSql(), CandidacyDdhqCleaning.SurnamesTable);

    // Drops what the statement writes (the table it counts and any other), so every iteration creates them again.
    private long Clean(string table, string sql, params string[] alsoWritten)
    {
        var warehouse = _fixture!.Warehouse;
        foreach (var written in alsoWritten.Prepend(table))
        {
            warehouse.Execute($"drop table if exists {_fixture.Run.Table(written)}");
        }

        warehouse.Execute(sql);
        return warehouse.Scalar<long>($"select count(*) from {_fixture.Run.Table(table)}");
    }
}
