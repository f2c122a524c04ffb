namespace ElectionMatch.Synthesis;

/// <summary>A state's odd-year municipal elections: the general, an optional primary, and an optional runoff after the general.</summary>
internal sealed record MunicipalCalendar(DateRule General, DateRule? Primary = null, int? RunoffWeeks = null);
