namespace ElectionMatch.Settings;

/// <summary>Who decides the ambiguous band. <c>offline</c> is the rule judge with spec 000's calibration.</summary>
public sealed record JudgeSettings(string Provider, string Model)
{
    public static JudgeSettings Offline { get; } = new("offline", "rules-v1");
}
