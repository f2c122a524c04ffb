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
    /// <summary>
    /// SHA-256 of what in electionmatch.yml decides this match's rows (<see cref="SettingsText"/>): an incremental run's
    /// partitions and stored model are keyed on it, so editing a comment, the engine, the snapshots or another match
    /// reuses them. Empty for settings built in code.
    /// </summary>
    public string ResultsSha256 { get; init; } = "";
    public EmbeddingSettings Embeddings { get; init; } = EmbeddingSettings.Offline;

    public JudgeSettings Judge { get; init; } = JudgeSettings.Offline;

    /// <summary>Candidates kept per left row by vector retrieval (spec 000: the top 5 for candidacies, the top 10 for districts).</summary>
    public int TopK { get; init; } = 5;

    /// <summary>The text length cap and the quarantine share <c>check</c> warns above, for this match's inputs.</summary>
    public QuarantineSettings Quarantine { get; init; } = QuarantineSettings.Defaults;

    /// <summary>
    /// Default of <see cref="BlockAbove"/>: a 1,000 × 2,000 partition is searched whole. Lower is faster and keeps
    /// precision and recall (synthetic 20k at 20,000: 0.9857 / 0.9920 against 0.9857 / 0.9917), but the model's
    /// prior is per candidate pair, so fewer sound-alike pairs raise it and send more rows to the judge
    /// (synthetic 100k at 250,000: judge share 11.7 % against 7.8 %).
    /// </summary>
    public const long DefaultBlockAbove = 2_000_000;

    /// <summary>
    /// A partition with more left × right pairs than this is searched block by block (rows sharing a first-name
    /// initial) instead of whole, so retrieval grows with the rows, not with their square (issue #8: a skewed
    /// date · state must not become a cross product). A pair the blocks miss is still found when its surnames sound alike.
    /// </summary>
    public long BlockAbove { get; init; } = DefaultBlockAbove;

    /// <summary>
    /// The deterministic tier (spec 003; candidacy matches): a left row whose partition holds exactly one results row with
    /// its cleaned first name and surname on a ballot holding its office, a row no other left row of the pass has that
    /// way, is paired with that row alone, without retrieval or sounds-alike blocking; the model still scores the pair.
    /// </summary>
    public bool ExactNames { get; init; } = true;

    /// <summary>The value set in electionmatch.yml, else the kind's default.</summary>
    public double Threshold(string name) =>
        Thresholds.TryGetValue(name, out var value)
            ? value
            : MatchKind.All.First(k => k.Name == Kind).Thresholds.First(t => t.Name == name).Default;
}
