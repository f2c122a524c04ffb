namespace ElectionMatch.Operations;

/// <summary>One stage of a run as <c>run --report</c> writes it.</summary>
/// <param name="CpuSeconds">The process's CPU time during the stage, every thread (null in reports written before it was recorded).</param>
public sealed record RunReportStage(string Stage, long RowsIn, long RowsOut, double Seconds, string? Note, double? CpuSeconds = null);
