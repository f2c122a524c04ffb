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
        new(rowKey, 0, 0, UndecidedMarker + reason) { Undecided = true };
}
