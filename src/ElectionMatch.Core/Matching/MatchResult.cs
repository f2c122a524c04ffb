namespace ElectionMatch.Matching;

/// <summary>What a matcher leaves in the run schema for publishing, and how it got there.</summary>
/// <param name="OutputTable">Qualified name of the table holding the snapshot rows, in output column order.</param>
/// <param name="QuarantineTable">Qualified name of the table holding rows that could not be used.</param>
/// <param name="OrderBy">Canonical row order, used for the content hash and the parquet export.</param>
/// <param name="ModelParametersJson">The trained scoring model, saved beside the snapshot's manifest.</param>
public sealed record MatchResult(
    string OutputTable,
    string QuarantineTable,
    string OrderBy,
    IReadOnlyList<StageReport> Stages,
    IReadOnlyDictionary<string, long> Counts,
    string? ModelParametersJson = null)
{
    /// <summary>
    /// Whether <see cref="OutputTable"/> was written by a query ordered by <see cref="OrderBy"/>, so DuckDB stores it
    /// in that order (<c>preserve_insertion_order</c>): publish then copies it without sorting it again (the hashes do not depend on the order).
    /// </summary>
    public bool OutputInCanonicalOrder { get; init; }

    /// <summary>Row accounting per input; a run whose accounts do not balance is not published.</summary>
    public IReadOnlyList<RowAccount> Accounts { get; init; } = [];

    /// <summary>
    /// The inputs' hashes (<see cref="Snapshots.InputHash"/>) when the matcher already read every input row to hash
    /// it (an incremental run does, to find the partitions that changed); null when the run must hash the inputs.
    /// </summary>
    public (string Left, string Right)? InputSha256 { get; init; }

    /// <summary>Lines a run prints after publishing (the L2 → BallotReady match's per-state match rates).</summary>
    public IReadOnlyList<string> Summary { get; init; } = [];
}
