using System.Globalization;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;

namespace ElectionMatch.Operations;

/// <summary>
/// The thresholds <c>explain</c> words a run's decisions by: those the run recorded in <c>run_identity</c>
/// (<see cref="RunIdentity.Thresholds"/>), whatever electionmatch.yml says now. A run of an earlier build recorded none;
/// its decisions are then worded by electionmatch.yml's thresholds today, which <see cref="NotRecorded"/> says once.
/// </summary>
internal sealed class RunThresholds
{
    private readonly RunIdentity _identity;
    private readonly Settings.MatchSettings _settings;

    public RunThresholds(RunIdentity identity, Settings.MatchSettings settings)
    {
        _identity = identity;
        _settings = settings;
    }

    /// <summary>False for a run of an earlier build, which recorded no thresholds.</summary>
    public bool Recorded => _identity.Thresholds.Count > 0;

    /// <summary>The threshold's value as the run applied it; electionmatch.yml's today only when the run recorded none.</summary>
    public double this[string name] => Recorded ? _identity.Thresholds[name] : _settings.Threshold(name);

    /// <summary>
    /// EM0116's warning, at the match's entry in electionmatch.yml, when the run recorded no thresholds: the values explain
    /// used instead are today's, named with their values; null when the run recorded its own.
    /// </summary>
    public Diagnostic? NotRecorded()
    {
        if (Recorded)
        {
            return null;
        }

        var kind = Settings.MatchKind.All.First(k => k.Name == _settings.Kind);
        var today = string.Join(", ", kind.Thresholds.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} {_settings.Threshold(t.Name)}")));
        return Diagnostic.Warning(Codes.ExplainThresholdsNotRecorded, _settings.At,
            $"the run that published {_identity.Snapshot} did not record the thresholds it decided by (a run of an earlier build), so explain words its judged rows by electionmatch.yml's thresholds today, which may not be those the run applied: {today}");
    }
}
