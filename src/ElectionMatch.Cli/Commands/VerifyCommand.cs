using System.CommandLine;
using ElectionMatch.Checks;
using ElectionMatch.Cli.Output;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli.Commands;

internal static class VerifyCommand
{
    /// <summary>The Examples section of its help (<see cref="HelpExamples"/>).</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        $"electionmatch verify {HelpExamples.Project}",
        $"electionmatch verify {HelpExamples.Project} --match candidacy_ddhq_matches --no-inputs",
    ];

    public static Command Create()
    {
        var project = new ProjectArguments();
        var match = new Option<string?>("--match") { Description = "Verify only this match's snapshots (default: every match in electionmatch.yml)." };
        var noInputs = new Option<bool>("--no-inputs") { Description = "Skip rehashing the inputs of each match's newest snapshot (a full read of every input)." };
        var command = new Command("verify", "Recompute every snapshot's hashes and the manifest chain; report edited, deleted or added rows, dropped snapshots, edited or missing manifests and broken chains.") { match, noInputs };
        project.AddTo(command);
        command.SetAction((result, cancellationToken) => Task.FromResult(DiagnosticPrinter.Guard(() =>
        {
            var diagnostics = new VerifyOperation(ProjectContext.Load(project.Read(result))).Execute(result.GetValue(match), inputs: !result.GetValue(noInputs), cancellationToken);
            var code = DiagnosticPrinter.Print(diagnostics);
            if (code == DiagnosticPrinter.Success)
            {
                Terminal.Out.WriteLine("verify passed");
            }

            return code;
        })));
        return command;
    }
}
