using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>
/// A class fixture: the goodparty fixture with these position and district lines appended to its CSVs, matched once
/// (<see cref="DistrictInputVariantTests.RunOn"/>).
/// </summary>
public abstract class AppendedRowsRun : IDisposable
{
    protected AppendedRowsRun(string positions, string districts)
    {
        (Fixture, Warehouse) = DistrictInputVariantTests.RunOn(f =>
        {
            File.AppendAllText(f.PathOf("data/airbyte/ballotready_positions.csv"), positions);
            File.AppendAllText(f.PathOf("data/airbyte/l2_districts.csv"), districts);
        });
    }

    public FixtureCopy Fixture { get; }

    internal DuckDbWarehouse Warehouse { get; }

    public void Dispose()
    {
        Warehouse.Dispose();
        Fixture.Dispose();
        GC.SuppressFinalize(this);
    }
}
