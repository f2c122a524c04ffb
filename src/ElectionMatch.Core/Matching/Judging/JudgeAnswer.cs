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

    public static JudgeAnswer UndecidedRow(string rowKey, string reason) =>
        new(rowKey, 0, 0, UndecidedMarker + reason) { Undecided = true };
}
