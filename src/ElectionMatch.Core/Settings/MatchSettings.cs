using ElectionMatch.Diagnostics;

namespace ElectionMatch.Settings;

public sealed record MatchSettings(
    string Name,
    string Kind,
    InputSettings Left,
    InputSettings Right,
    IReadOnlyDictionary<string, double> Thresholds,
    SourceSpan At)
{
    public EmbeddingSettings Embeddings { get; init; } = EmbeddingSettings.Offline;

    public JudgeSettings Judge { get; init; } = JudgeSettings.Offline;

    /// <summary>Candidates kept per left row by vector retrieval (spec 000: the top 5 for candidacies, the top 10 for districts).</summary>
    public int TopK { get; init; } = 5;

    /// <summary>The text length cap and the quarantine share <c>check</c> warns above, for this match's inputs.</summary>
    public QuarantineSettings Quarantine { get; init; } = QuarantineSettings.Defaults;

    /// <summary>The value set in electionmatch.yml, else the kind's default.</summary>
    public double Threshold(string name) =>
        Thresholds.TryGetValue(name, out var value)
            ? value
            : MatchKind.All.First(k => k.Name == Kind).Thresholds.First(t => t.Name == name).Default;
}
