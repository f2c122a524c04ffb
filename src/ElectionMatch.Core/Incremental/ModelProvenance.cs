using ElectionMatch.Matching;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Incremental;

/// <summary>
/// What a trained model was trained with beyond the settings and tool version it is kept under: the reference files
/// (what a level covers, a nickname, a first name's sex), the comparisons' definitions (each level's SQL, in order) and
/// the build (<see cref="ToolInfo.Fingerprint"/>), whose cleaning and pair projection made the pairs it was trained
/// on and which no definition records. Recorded with a stored model and in a snapshot's manifest; null where an older
/// build did not record one.
/// </summary>
internal sealed record ModelProvenance(IReadOnlyList<ManifestReferenceFile>? ReferenceFiles, IReadOnlyList<ManifestComparison>? ComparisonLevels, string? Tool)
{
    /// <summary>
    /// Why a model with this provenance does not fit <paramref name="now"/>, this build's, or null when it does: every
    /// difference, the comparisons' first, since a level's SQL decides which pairs its weight is for, and the build's
    /// last, since a definition that differs says more than that the code does.
    /// </summary>
    public string? OtherThan(ModelProvenance now)
    {
        var reasons = new[]
        {
            ComparisonDefinitions.OtherThan(ComparisonLevels, now.ComparisonLevels!),
            ReferenceData.OtherThan(ReferenceFiles, now.ReferenceFiles!),
            ToolInfo.OtherBuild(ToolInfo.Version, Tool, now.Tool!) is { } build ? $"trained by {build}" : null,
        }.OfType<string>().ToList();
        return reasons.Count == 0 ? null : string.Join(" and ", reasons);
    }
}
