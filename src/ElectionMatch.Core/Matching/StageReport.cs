namespace ElectionMatch.Matching;

/// <summary>Rows in and out of one stage, and how long it took.</summary>
public sealed record StageReport(string Stage, long RowsIn, long RowsOut, TimeSpan Elapsed, string? Note = null);
