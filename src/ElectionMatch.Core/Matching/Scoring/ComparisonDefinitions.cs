using System.Text.Json;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Matching.Scoring;

/// <summary>
/// A fingerprint of each comparison's definition as training reads it, so a model trained under one definition is not
/// reused under another: the level names say nothing of a level's SQL, and a build may change a level's condition (what
/// the first name's nickname level covers) or the order the levels are tried in without renaming any of them.
/// </summary>
internal static class ComparisonDefinitions
{
    /// <summary>
    /// Each of <paramref name="comparisons"/> with the SHA-256 of its definition: its null condition, then each level's
    /// name, condition, starting m, the level its weight may not exceed and the column of its term-frequency penalty in order, where m and u come from and its term-frequency column. The description
    /// (words only) and the veto (read at scoring from this build, not from the model) are left out.
    /// </summary>
    public static IReadOnlyList<ManifestComparison> Of(IEnumerable<Comparison> comparisons) =>
        comparisons.Select(c => new ManifestComparison(c.Name, Sha256(c))).ToList();

    private static string Sha256(Comparison comparison) =>
        SnapshotManifest.Sha256(JsonSerializer.Serialize(new
        {
            null_condition = comparison.NullCondition,
            levels = comparison.Levels.Select(Level),
            source = comparison.Source.ToString(),
            term_frequency_column = comparison.TermFrequencyColumn,
        }));

    /// <summary>
    /// A level's part of the fingerprint. Its bound and its term-frequency penalty are written only where there is one, so
    /// the fingerprints of comparisons without any stay as they were.
    /// </summary>
    private static Dictionary<string, object?> Level(ComparisonLevel level)
    {
        var written = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = level.Name, ["condition"] = level.Condition, ["initial_m"] = level.InitialM };
        if (level.NotAbove is not null)
        {
            written["not_above"] = level.NotAbove;
        }

        if (level.TermFrequencyPenaltyColumn is not null)
        {
            written["term_frequency_penalty_column"] = level.TermFrequencyPenaltyColumn;
        }

        return written;
    }

    /// <summary>
    /// Why a model trained under the comparison definitions <paramref name="recorded"/> (null: not recorded, by an older
    /// build) does not fit this build's <paramref name="now"/>, or null when it does, naming the comparisons that differ.
    /// </summary>
    public static string? OtherThan(IReadOnlyList<ManifestComparison>? recorded, IReadOnlyList<ManifestComparison> now)
    {
        if (recorded is null)
        {
            return "trained with comparison levels it did not record (by an older build)";
        }

        var then = recorded.ToDictionary(c => c.Name, c => c.Sha256, StringComparer.Ordinal);
        var differing = now.Where(c => then.GetValueOrDefault(c.Name) != c.Sha256).Select(c => c.Name)
            .Concat(then.Keys.Where(name => now.All(c => c.Name != name)))
            .ToList();
        return differing.Count == 0 ? null : $"trained with other comparison levels ({string.Join(", ", differing)})";
    }
}
