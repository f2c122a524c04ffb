using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>MSBuild face of <c>electionmatch generate</c>: re-renders the staging files of every existing snapshot, each match's stable model and the zip code models.</summary>
public sealed class GenerateStagingFiles : ProjectTask
{
    /// <summary>
    /// Set by <c>dotnet build</c> when the check runs after generate. A generated file edited by hand is then left alone
    /// with a line of its own, and the check reports the edit (EM0102, at the same line) with everything else it finds
    /// (so is a snapshot table altered after publishing, EM0618, which verify reports at its manifest):
    /// as an error here, it stopped the build before the check, so a build showed one problem at a time.
    /// </summary>
    public bool CheckFollows { get; set; }

    /// <summary>
    /// <c>-p:RewriteRefs=true</c>: also point downstream <c>ref()</c>s of dated staging models at their match's stable model,
    /// as <c>generate --rewrite-refs</c> does, logging the diff. Off by default: a build never edits the user's own files unasked.
    /// </summary>
    public bool RewriteReferences { get; set; }

    /// <summary>The files this run wrote (staging SQL/YAML, the sources YAML).</summary>
    [Output]
    public ITaskItem[] Written { get; private set; } = [];

    // Each file is written whole (renamed into place), and generate takes seconds: once begun it finishes (as the CLI's generate, which takes no token).
    protected override void Execute(ProjectContext context, CancellationToken cancellationToken)
    {
        var result = new GenerateOperation(context).Execute(RewriteReferences, cancellationToken);
        foreach (var file in result.Written)
        {
            Log.LogMessage(MessageImportance.High, $"electionmatch: wrote {file}");
        }

        foreach (var line in result.LeftInterrupted)
        {
            Log.LogMessage(MessageImportance.High, "electionmatch: " + line);
        }

        // The diff and the references now reading a newer snapshot, as the CLI prints them: the user asked for the rewrite and reviews it here.
        foreach (var line in GenerateSummary.RewriteLines(result))
        {
            Log.LogMessage(MessageImportance.High, "electionmatch: " + line);
        }

        // Said at the build's default verbosity when references were rewritten: the counts are what the user asked to see.
        Log.LogMessage(RewriteReferences ? MessageImportance.High : MessageImportance.Normal, "electionmatch generate: " + GenerateSummary.Counts(result, RewriteReferences));
        Written = Items(result.Written);
        // A snapshot table altered after publishing (EM0618) is the check's finding too (verify's, at its manifest).
        // A snapshot left out as most likely a teammate's unmerged run is the check's EM0108, as an error, at the same place.
        var leftToCheck = CheckFollows ? result.Diagnostics.Where(d => d.Code is Codes.GeneratedFileEdited or Codes.SnapshotColumnsAltered or Codes.SourceEntryMissing).ToList() : [];
        foreach (var left in leftToCheck.Where(d => d.Code != Codes.SourceEntryMissing))
        {
            Log.LogMessage(MessageImportance.High, left.Code == Codes.GeneratedFileEdited
                ? $"electionmatch: left {left.File} alone, as it was edited by hand; the check reports it"
                : $"electionmatch: rendered no staging files from the snapshot table whose columns differ from those its manifest {left.File} recorded; the check reports it");
        }

        foreach (var table in CheckFollows ? result.UnmergedLeftOut : [])
        {
            Log.LogMessage(MessageImportance.High, $"electionmatch: left out snapshot {table}, published into the warehouse by a run whose manifest is not in this checkout (most likely a teammate's unmerged branch); the check reports it");
        }

        foreach (var model in CheckFollows ? result.StableModelsLeft : [])
        {
            Log.LogMessage(MessageImportance.High, $"electionmatch: left the stable model {model} as it is, as its newest snapshot's table has other columns than its manifest recorded; the check reports it");
        }

        Report(result.Diagnostics.Except(leftToCheck));
    }
}
