namespace ElectionMatch.Matching.Judging;

/// <summary>The judge's decision for one row: a candidate number (0 = none of them), a confidence 0–100, and why.</summary>
public sealed record JudgeAnswer(string RowKey, int CandidateNumber, int Confidence, string Reasoning)
{
    /// <summary>Names of other candidates the judge found nearly as fitting (spec 000's <c>close_alternatives</c>).</summary>
    public IReadOnlyList<string> CloseAlternatives { get; init; } = [];

    /// <summary>The judge gave no valid answer for this row, even after being told what was wrong; the reasoning says why. Never linked.</summary>
    public bool Undecided { get; init; }

    /// <summary>Starts the reasoning of an undecided row, so the snapshot and evaluate can tell it from a 0 answer.</summary>
    public const string UndecidedMarker = "undecided: ";

    /// <summary>
    /// SQL true for a published reasoning of an undecided row. Contains, not starts with: snapshots made before
    /// 2026-12 published it after a prefix (<c>judge did not accept: undecided: …</c>).
    /// </summary>
    internal static string IsUndecidedSql(string reasoning) => $"contains({reasoning}, {Warehouse.Sql.Literal(UndecidedMarker)})";

    public static JudgeAnswer UndecidedRow(string rowKey, string reason) =>
        new(rowKey, 0, 0, Capped(UndecidedMarker + reason)) { Undecided = true };

    /// <summary>
    /// The most characters of a reasoning kept: a model's reasoning is a few sentences, and a runaway reply (megabytes)
    /// would otherwise be cached, published in every snapshot and its parquet, and printed.
    /// </summary>
    public const int MaxReasoningLength = 2000;

    /// <summary>A reasoning cut to <see cref="MaxReasoningLength"/> characters, saying so at its end.</summary>
    public static string Capped(string reasoning)
    {
        if (reasoning.Length <= MaxReasoningLength)
        {
            return reasoning;
        }

        // Not between the two halves of a surrogate pair.
        var keep = char.IsHighSurrogate(reasoning[MaxReasoningLength - 1]) ? MaxReasoningLength - 1 : MaxReasoningLength;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{reasoning[..keep]}… (cut to {keep} of {reasoning.Length} characters)");
    }
}
