using System.Globalization;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching.Providers;
using ElectionMatch.Operations;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>MSBuild face of <c>electionmatch run</c>: publishes a new snapshot of one match with its staging files.</summary>
public sealed class RunMatch : ProjectTask
{
    /// <summary>The match to run, as named in electionmatch.yml.</summary>
    [Required]
    public string Match { get; set; } = "";

    /// <summary>YYYY-MM-DD; empty means today (UTC).</summary>
    public string? SnapshotDate { get; set; }

    /// <summary>Allow a <see cref="SnapshotDate"/> after tomorrow (UTC), as <c>--allow-future-date</c>.</summary>
    public bool AllowFutureDate { get; set; }

    /// <summary>Overwrite a snapshot that already exists for that date.</summary>
    public bool Replace { get; set; }

    /// <summary>Never call the network (see <see cref="RunOptions.Replay"/>).</summary>
    public bool Replay { get; set; }

    /// <summary>Recompute only the state partitions that changed (<c>--incremental</c>).</summary>
    public bool Incremental { get; set; }

    /// <summary>Incremental (implied), recomputing every partition (<c>--full</c>).</summary>
    public bool Full { get; set; }

    /// <summary>Incremental (implied), training a new model first (<c>--retrain</c>).</summary>
    public bool Retrain { get; set; }

    /// <summary>Also write every stage's wall time, rows and the counts to this JSON file (<c>--report</c>).</summary>
    public string? ReportFile { get; set; }

    /// <summary>The published table, <c>schema.match_YYYYMMDD</c>.</summary>
    [Output]
    public string? Snapshot { get; private set; }

    /// <summary>The staging files and sources YAML the run wrote.</summary>
    [Output]
    public ITaskItem[] Written { get; private set; } = [];

    private Interruption? _interruption;

    protected override string Cancelled => _interruption?.Outcome ?? "nothing was published";

    protected override void Execute(ProjectContext context, CancellationToken cancellationToken)
    {
        // MSBuild cancels once: requests in flight get their grace (cancel_grace_seconds) and are then abandoned.
        _interruption = new Interruption(cancellationToken);
        var options = new RunOptions(Match, ParseDate(SnapshotDate), Replace)
        {
            AllowFutureDate = AllowFutureDate, Replay = Replay, Incremental = Incremental, FullRecompute = Full, Retrain = Retrain,
            ReportPath = string.IsNullOrWhiteSpace(ReportFile) ? null : Path.GetFullPath(ReportFile),
            Interruption = _interruption,
        };
        var c = CultureInfo.InvariantCulture;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var operation = new RunOperation(context);
        RunResult run;
        try
        {
            run = operation.Execute(options, stage =>
                Log.LogMessage(MessageImportance.High, Secrets.Redact(string.Create(c, $"electionmatch:   {stage.Stage,-24} {stage.RowsIn,9:N0} → {stage.RowsOut,9:N0} rows  {stage.Elapsed.TotalMilliseconds,8:N0} ms{(stage.Note is null ? "" : "  " + stage.Note)}"))), cancellationToken);
        }
        catch (Exception e) when (operation.SoFar is { } soFar && e is not OutOfMemoryException)
        {
            // As `electionmatch run` does: what the providers were paid for, and the report of what the run had done.
            soFar.Report(clock.Elapsed, e, _interruption).WriteTo(options.ReportPath);
            foreach (var line in soFar.Lines)
            {
                Log.LogMessage(MessageImportance.High, "electionmatch: " + line);
            }

            throw;
        }

        RunReport.Of(run, clock.Elapsed).WriteTo(options.ReportPath);

        // The lines `electionmatch run` prints, so a build log says what a terminal does.
        foreach (var line in RunSummary.Lines(run))
        {
            Log.LogMessage(MessageImportance.High, "electionmatch: " + line);
        }

        foreach (var file in run.Generated.Written)
        {
            Log.LogMessage(MessageImportance.High, $"electionmatch: wrote {file}");
        }

        Snapshot = run.QualifiedTable;
        Written = Items(run.Generated.Written);
        Report(run.Generated.Diagnostics);
    }

}
