namespace ElectionMatch.Matching;

/// <summary>
/// Times the steps of a run outside the matcher's stages (hashing the inputs, publishing, the row and content
/// hashes, the parquet copy, the manifest and dbt files) and reports each like a stage, so <c>run --report</c>
/// and the bench show where that time goes instead of one remainder.
/// </summary>
public sealed class RunSteps
{
    private readonly Action<StageReport>? _progress;
    private readonly List<StageReport> _steps = [];

    public RunSteps(Action<StageReport>? progress)
    {
        _progress = progress;
    }

    public IReadOnlyList<StageReport> Reports => _steps;

    /// <summary>Runs one step and reports its wall time with <paramref name="rows"/> (rows in, rows out) of what it returned.</summary>
    public T Time<T>(string name, Func<T> work, Func<T, (long In, long Out)>? rows = null, Func<T, string?>? note = null)
    {
        var clock = StageClock.Start();
        var result = work();
        var report = clock.Report(name, () => rows?.Invoke(result) ?? (0, 0), () => note?.Invoke(result));
        _steps.Add(report);
        _progress?.Invoke(report);
        return result;
    }

    /// <summary>Reports a step timed by the caller (one whose work holds disposables for the rest of the run).</summary>
    public StageReport Report(string name, StageClock clock, string? note = null)
    {
        var report = clock.Report(name, note);
        _steps.Add(report);
        _progress?.Invoke(report);
        return report;
    }

    public void Time(string name, Action work, string? note = null) => Time<bool>(name, () =>
    {
        work();
        return true;
    }, note: _ => note);
}
