namespace ElectionMatch.Tests;

/// <summary>
/// <see cref="IncrementalRunTests"/> and <see cref="ExplainIncrementalRunTests"/> start from the same runs
/// (<see cref="IncrementalStartingPoints"/>). As two collections they shared them only when xunit happened to run both
/// at once, which in the suite it seldom did, so each made them again; one collection makes them once for both, and
/// runs the two classes one after the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class IncrementalRunCollection : ICollectionFixture<IncrementalStartingPoints>
{
    public const string Name = "incremental runs";
}
