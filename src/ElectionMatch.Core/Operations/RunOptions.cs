namespace ElectionMatch.Operations;

public sealed record RunOptions(string Match, DateOnly? SnapshotDate = null, bool Replace = false)
{
    /// <summary>
    /// Never call the network: provider answers come only from the warehouse's cache, as in pre-merge CI.
    /// The offline embedder and rule judge need no network, so today every run already replays.
    /// </summary>
    public bool Replay { get; init; }
}
