namespace ElectionMatch.Matching;

/// <summary>Rows in and out of one stage, and how long it took.</summary>
public sealed record StageReport(string Stage, long RowsIn, long RowsOut, TimeSpan Elapsed, string? Note = null)
{
    /// <summary>The process's CPU time during the stage (<see cref="StageClock.Cpu"/>); null for a step timed by its caller.</summary>
    public TimeSpan? Cpu { get; init; }
}
