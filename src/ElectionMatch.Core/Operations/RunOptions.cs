namespace ElectionMatch.Operations;

public sealed record RunOptions(string Match, DateOnly? SnapshotDate = null, bool Replace = false)
{
    /// <summary>Publish under a <see cref="RunOptions.SnapshotDate"/> after tomorrow (UTC), which <see cref="Snapshots.SnapshotDateRange"/> otherwise refuses.</summary>
    public bool AllowFutureDate { get; init; }

    /// <summary>
    /// The full path of the report the caller writes after the run (<c>--report</c>, MSBuild <c>Report</c>): the run checks
    /// before any work that it can be written, since a run that published and then failed on it would look failed.
    /// </summary>
    public string? ReportPath { get; init; }

    /// <summary>
    /// Never call the network: provider answers come only from the warehouse's cache, as in pre-merge CI.
    /// The offline embedder and rule judge need no network, so today every run already replays.
    /// </summary>
    public bool Replay { get; init; }

    /// <summary>Recompute only the state partitions whose inputs, model or settings changed; reuse the rest from <c>electionmatch_cache</c>.</summary>
    public bool Incremental { get; init; }

    /// <summary>Implies <see cref="Incremental"/>: recompute every partition with the stored model, as the reference an incremental run must equal.</summary>
    public bool FullRecompute { get; init; }

    /// <summary>Implies <see cref="Incremental"/>: train a new model on the whole input first, which recomputes every partition.</summary>
    public bool Retrain { get; init; }

    /// <summary>
    /// How Ctrl-C reaches the provider requests (a first stop, a second that abandons); when null, the cancellation
    /// token given to the run stops them, and requests in flight finish within their grace.
    /// </summary>
    public Matching.Providers.Interruption? Interruption { get; init; }
}
