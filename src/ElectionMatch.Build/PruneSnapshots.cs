using System.Globalization;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>MSBuild face of <c>electionmatch prune</c>: retires old snapshots of a match (a dry run unless told otherwise by the targets).</summary>
public sealed class PruneSnapshots : ProjectTask
{
    /// <summary>The match whose snapshots to prune, as named in electionmatch.yml (or one it no longer defines, to retire it).</summary>
    [Required]
    public string Match { get; set; } = "";

    /// <summary>The snapshots to prune by date (YYYY-MM-DD), as <c>--snapshot-date</c> given once per date.</summary>
    public string[] SnapshotDates { get; set; } = [];

    /// <summary>Prune every finished snapshot but the newest N (<c>--keep</c>, 1 or more; 0 retires a match electionmatch.yml no longer defines).</summary>
    public string? Keep { get; set; }

    /// <summary>Say what would be moved, dropped, deleted and removed, and change nothing (<c>--dry-run</c>).</summary>
    public bool DryRun { get; set; }

    /// <summary>Also prune a snapshot whose manifest is not in this checkout though the snapshot log completed it (<c>--orphaned</c>).</summary>
    public bool Orphaned { get; set; }

    protected override void Execute(ProjectContext context, CancellationToken cancellationToken)
    {
        // MSBuild hands over a property function's result escaped, so the targets' one item can hold every date: split
        // here on what the command line can carry (%3B, or , and ; inside quotes).
        var dates = SnapshotDates.SelectMany(d => d.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(d => ParseDate(d)!.Value).ToList();
        int? keep = string.IsNullOrWhiteSpace(Keep) ? null
            : int.TryParse(Keep, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw DiagnosticException.At(Codes.BuildPropertyInvalid, SourceSpan.None, $"Keep '{Keep}' is not a number of snapshots to keep (0 or more)");
        if ((dates.Count == 0) == (keep is null))
        {
            throw DiagnosticException.At(Codes.BuildPropertyInvalid, SourceSpan.None,
                "ElectionMatchPrune takes either -p:SnapshotDate=YYYY-MM-DD (several: -p:SnapshotDate=YYYY-MM-DD%3BYYYY-MM-DD, or \"YYYY-MM-DD,YYYY-MM-DD\" in quotes) or -p:Keep=N, not both and not neither");
        }

        var pruned = new PruneOperation(context).Execute(Match, dates, keep, DryRun, Orphaned, cancellationToken);
        foreach (var line in pruned.Lines())
        {
            Log.LogMessage(MessageImportance.High, "electionmatch: " + line);
        }

        if (pruned.DryRun && pruned.Snapshots.Count > 0)
        {
            Log.LogMessage(MessageImportance.High, "electionmatch: a dry run, nothing was changed; -p:DryRun=false prunes");
        }
    }
}
