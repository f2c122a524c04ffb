using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>MSBuild face of <c>electionmatch restore</c>: puts a snapshot table back as published, from its parquet copy.</summary>
public sealed class RestoreSnapshot : ProjectTask
{
    /// <summary>The match whose snapshot to restore, as named in electionmatch.yml.</summary>
    [Required]
    public string Match { get; set; } = "";

    /// <summary>The snapshot's date, YYYY-MM-DD (<c>--snapshot-date</c>).</summary>
    public string? SnapshotDate { get; set; }

    /// <summary>Say what would be restored, and change nothing (<c>--dry-run</c>).</summary>
    public bool DryRun { get; set; }

    protected override string Cancelled => "it stopped before it restored anything";

    protected override void Execute(ProjectContext context, CancellationToken cancellationToken)
    {
        var date = ParseDate(SnapshotDate)
            ?? throw DiagnosticException.At(Codes.BuildPropertyInvalid, SourceSpan.None, "ElectionMatchRestore needs the snapshot's date: pass -p:SnapshotDate=YYYY-MM-DD");
        var restored = new RestoreOperation(context).Execute(Match, date, DryRun);
        foreach (var line in restored.Lines())
        {
            Log.LogMessage(MessageImportance.High, "electionmatch: " + line);
        }

        // What could not be put back fails the build, as it fails the CLI's restore.
        if (restored.QuarantineNotRestored is { } notRestored)
        {
            Report([notRestored]);
        }
    }
}
