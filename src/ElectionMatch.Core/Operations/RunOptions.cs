namespace ElectionMatch.Operations;

public sealed record RunOptions(string Match, DateOnly? SnapshotDate = null, bool Replace = false);
