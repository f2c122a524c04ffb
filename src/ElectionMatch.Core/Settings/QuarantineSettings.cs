namespace ElectionMatch.Settings;

/// <summary>
/// <c>quarantine:</c> in electionmatch.yml, at the top or in one match: how long a text value may be before its row is
/// quarantined, and the share of an input's rows in quarantine above which <c>check</c> warns.
/// </summary>
/// <param name="MaxTextLength">Characters a mapped text value may hold; a longer one is a broken export or an attack, not a name.</param>
/// <param name="WarnShare">Quarantined ÷ read, per input, above which <c>check</c> warns (an error with <c>--warnings-as-errors</c>).</param>
public sealed record QuarantineSettings(int MaxTextLength, double WarnShare)
{
    public static QuarantineSettings Defaults { get; } = new(1000, 0.05);
}
