using System.CommandLine;
using ElectionMatch.Checks;
using ElectionMatch.Cli.Output;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli.Commands;

internal static class CheckCommand
{
    /// <summary>The Examples section of its help (<see cref="HelpExamples"/>).</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        $"electionmatch check {HelpExamples.Project}",
        $"electionmatch check {HelpExamples.Project} --warnings-as-errors",
    ];

    public static Command Create()
    {
        var project = new ProjectArguments();
        var strict = new Option<bool>("--warnings-as-errors") { Description = "Fail on warnings too (for pre-merge CI)." };
        var command = new Command("check", "The pre-merge check: snapshots, staging models and downstream references are consistent.") { strict };
        project.AddTo(command);
        command.SetAction((result, cancellationToken) => Task.FromResult(DiagnosticPrinter.Guard(() =>
        {
            var diagnostics = new CheckOperation(ProjectContext.Load(project.Read(result))).Execute(cancellationToken);
            if (result.GetValue(strict))
            {
                diagnostics = diagnostics.Select(d => d with { Severity = Diagnostics.Severity.Error }).ToList();
            }

            var code = DiagnosticPrinter.Print(diagnostics);
            if (code == DiagnosticPrinter.Success)
            {
                Terminal.Out.WriteLine("check passed");
            }

            return code;
        })));
        return command;
    }
}
