using ElectionMatch.Matching;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Operations;

public sealed record RunResult(
    SnapshotName Snapshot,
    string QualifiedTable,
    string ParquetPath,
    string ManifestPath,
    SnapshotManifest Manifest,
    IReadOnlyList<StageReport> Stages,
    GenerateResult Generated)
{
    /// <summary>The matcher's report after publishing (per-state match rates for districts).</summary>
    public IReadOnlyList<string> Summary { get; init; } = [];
}
