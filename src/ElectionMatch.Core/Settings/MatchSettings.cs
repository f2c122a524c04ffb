using ElectionMatch.Diagnostics;

namespace ElectionMatch.Settings;

public sealed record MatchSettings(
    string Name,
    string Kind,
    InputSettings Left,
    InputSettings Right,
    IReadOnlyDictionary<string, double> Thresholds,
    SourceSpan At)
{
    public double Threshold(string name, double fallback) => Thresholds.TryGetValue(name, out var value) ? value : fallback;
}
