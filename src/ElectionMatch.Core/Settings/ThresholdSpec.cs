namespace ElectionMatch.Settings;

/// <summary>A named threshold a kind of match accepts under <c>thresholds:</c>, with its range and default.</summary>
public sealed record ThresholdSpec(string Name, double Min, double Max, double Default, string Description);
