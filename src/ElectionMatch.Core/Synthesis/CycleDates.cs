namespace ElectionMatch.Synthesis;

/// <summary>The election dates of one contest: a general always, the rest where the state holds them.</summary>
internal sealed record CycleDates(DateOnly? Primary, DateOnly General, DateOnly? PrimaryRunoff, DateOnly? GeneralRunoff);
