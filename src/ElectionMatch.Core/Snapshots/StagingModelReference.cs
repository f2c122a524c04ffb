namespace ElectionMatch.Snapshots;

/// <summary>
/// What a model name in the snapshot source's namespace (<c>stg_&lt;source&gt;__…</c>) would be, told from the name and
/// the matches known: a match's stable model, a dated staging model, or a match's prefix followed by something that is
/// no snapshot date (<c>_20251131</c>, <c>_2025113</c>), which no command ever writes.
/// </summary>
/// <param name="Match">The match the name belongs to; null when it names no known match.</param>
/// <param name="Snapshot">The snapshot a dated name names (of a known match or not).</param>
/// <param name="NotADate">Why the part after a known match's prefix is no snapshot date; null when it is one, or when the name is the stable model.</param>
internal sealed record StagingModelReference(string? Match, SnapshotName? Snapshot, string? NotADate)
{
    public bool IsStable => Match is not null && Snapshot is null && NotADate is null;

    /// <returns>Null when <paramref name="model"/> is not in the snapshot source's namespace.</returns>
    public static StagingModelReference? Classify(string model, string sourceName, IEnumerable<string> matches)
    {
        var prefix = $"stg_{sourceName}__";
        if (!model.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = model[prefix.Length..];
        var known = matches.ToList();
        if (SnapshotName.TryParse(rest) is { } dated && known.Contains(dated.Match))
        {
            return new StagingModelReference(dated.Match, dated, null);
        }

        // The longest match the name starts with: with matches a and a_b, stg_<source>__a_b is a_b's stable model.
        var owner = known.Where(m => rest == m || rest.StartsWith(m + "_", StringComparison.Ordinal)).OrderByDescending(m => m.Length).FirstOrDefault();
        if (owner is null)
        {
            return new StagingModelReference(null, SnapshotName.TryParse(rest), null);
        }

        if (rest == owner)
        {
            return new StagingModelReference(owner, null, null);
        }

        var suffix = rest[(owner.Length + 1)..];
        var why = suffix.Length == 8 && suffix.All(char.IsAsciiDigit)
            ? $"'{suffix}' is not a date"
            : $"'{suffix}' is not a snapshot date (YYYYMMDD)";
        return new StagingModelReference(owner, null, why);
    }
}
