using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Operations;

/// <summary>
/// What a run that failed or was stopped had done: the stages it finished and each provider step's figures. A failed
/// run still says what it paid for (requests, tokens, estimated cost, answers cached) and still writes its report, as
/// <c>electionmatch run</c> and the <c>ElectionMatchRun</c> target both do.
/// </summary>
public sealed record RunSoFar(IReadOnlyList<StageReport> Stages, IReadOnlyList<ManifestModelUsage> Models)
{
    /// <summary>The provider lines of the run's summary, as a run that published prints them.</summary>
    public IReadOnlyList<string> Lines => RunSummary.ModelLines(Models);

    /// <param name="failure">What stopped the run: its diagnostics, or a cancellation.</param>
    /// <param name="interruption">What Ctrl-C kept and gave up, for a cancelled run.</param>
    public RunReport Report(TimeSpan elapsed, Exception failure, Interruption? interruption) =>
        RunReport.Unfinished(this, elapsed, Secrets.Redact(failure switch
        {
            DiagnosticException d => string.Join("\n", d.Diagnostics.Select(x => x.ToString())),
            OperationCanceledException => "cancelled; " + (interruption?.Outcome ?? "nothing was published"),
            // Worded as the printed diagnostic is: the type, never the library's message.
            _ => $"{Codes.UnexpectedFailure}: the run stopped on an unexpected failure ({failure.GetType().Name}); nothing was published",
        }));
}
