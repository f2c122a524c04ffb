namespace ElectionMatch.Operations;

/// <summary>One stage of a run as <c>run --report</c> writes it.</summary>
public sealed record RunReportStage(string Stage, long RowsIn, long RowsOut, double Seconds, string? Note);
