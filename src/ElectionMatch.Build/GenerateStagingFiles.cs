using ElectionMatch.Operations;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>MSBuild face of <c>electionmatch generate</c>: re-renders the staging files of every existing snapshot, each match's stable model and the zip code models.</summary>
public sealed class GenerateStagingFiles : ProjectTask
{
    /// <summary>The files this run wrote (staging SQL/YAML, the sources YAML).</summary>
    [Output]
    public ITaskItem[] Written { get; private set; } = [];

    // Each file is written whole (renamed into place), and generate takes seconds: once begun it finishes (as the CLI's generate, which takes no token).
    protected override void Execute(ProjectContext context, CancellationToken cancellationToken)
    {
        var result = new GenerateOperation(context).Execute();
        foreach (var file in result.Written)
        {
            Log.LogMessage(MessageImportance.High, $"electionmatch: wrote {file}");
        }

        Log.LogMessage(MessageImportance.Normal, $"electionmatch generate: {result.Written.Count} written, {result.Unchanged.Count} unchanged, {result.UserOwned.Count} user-owned left alone");
        Written = Items(result.Written);
        Report(result.Diagnostics);
    }
}
