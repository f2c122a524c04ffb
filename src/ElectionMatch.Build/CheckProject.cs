using ElectionMatch.Checks;
using ElectionMatch.Operations;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>MSBuild face of <c>electionmatch check</c>: the pre-merge check, read-only.</summary>
public sealed class CheckProject : ProjectTask
{
    // The check is read-only and takes seconds: once begun it finishes (as the CLI's check, which takes no token).
    protected override void Execute(ProjectContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new CheckOperation(context).Execute(cancellationToken);
        Report(diagnostics);
        Log.LogMessage(MessageImportance.Normal, $"electionmatch check: {diagnostics.Count(d => d.IsError)} error(s), {diagnostics.Count(d => !d.IsError)} warning(s)");
    }
}
