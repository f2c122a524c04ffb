using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>MSBuild face of <c>electionmatch generate</c>: re-renders the staging files of every existing snapshot, each match's stable model and the zip code models.</summary>
public sealed class GenerateStagingFiles : ProjectTask
{
    /// <summary>
    /// Set by <c>dotnet build</c> when the check runs after generate. A generated file edited by hand is then left alone
    /// with a line of its own, and the check reports the edit (EM0102, at the same line) with everything else it finds:
    /// as an error here, it stopped the build before the check, so a build showed one problem at a time.
    /// </summary>
    public bool CheckFollows { get; set; }

    /// <summary>The files this run wrote (staging SQL/YAML, the sources YAML).</summary>
    [Output]
    public ITaskItem[] Written { get; private set; } = [];

    // Each file is written whole (renamed into place), and generate takes seconds: once begun it finishes (as the CLI's generate, which takes no token).
    protected override void Execute(ProjectContext context, CancellationToken cancellationToken)
    {
        var result = new GenerateOperation(context).Execute(cancellationToken: cancellationToken);
        foreach (var file in result.Written)
        {
            Log.LogMessage(MessageImportance.High, $"electionmatch: wrote {file}");
        }

        foreach (var line in result.LeftInterrupted)
        {
            Log.LogMessage(MessageImportance.High, "electionmatch: " + line);
        }

        Log.LogMessage(MessageImportance.Normal, $"electionmatch generate: {result.Written.Count} written, {result.Unchanged.Count} unchanged, {result.UserOwned.Count} user-owned left alone");
        Written = Items(result.Written);
        var leftToCheck = CheckFollows ? result.Diagnostics.Where(d => d.Code == Codes.GeneratedFileEdited).ToList() : [];
        foreach (var edited in leftToCheck)
        {
            Log.LogMessage(MessageImportance.High, $"electionmatch: left {edited.File} alone, as it was edited by hand; the check reports it");
        }

        Report(result.Diagnostics.Except(leftToCheck));
    }
}
