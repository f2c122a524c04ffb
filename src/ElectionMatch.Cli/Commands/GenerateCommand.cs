using System.CommandLine;
using ElectionMatch.Cli.Output;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli.Commands;

internal static class GenerateCommand
{
    /// <summary>The Examples section of its help (<see cref="HelpExamples"/>).</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        $"electionmatch generate {HelpExamples.Project}",
        $"electionmatch generate {HelpExamples.Project} --rewrite-refs",
    ];

    public static Command Create()
    {
        var project = new ProjectArguments();
        var rewrite = new Option<bool>("--rewrite-refs") { Description = "Also point downstream ref()s of dated staging models at their match's stable model; prints the diff." };
        var command = new Command("generate", "Re-render the staging models of every existing snapshot, each match's stable model and the zip code models, and add missing sources entries (idempotent).") { rewrite };
        project.AddTo(command);
        command.SetAction((result, cancellationToken) => Task.FromResult(DiagnosticPrinter.Guard(() =>
        {
            var generated = new GenerateOperation(ProjectContext.Load(project.Read(result))).Execute(result.GetValue(rewrite), cancellationToken);
            foreach (var file in generated.Written)
            {
                Terminal.Out.WriteLine($"wrote     {file}");
            }

            foreach (var line in generated.LeftInterrupted)
            {
                Terminal.Out.WriteLine(line);
            }

            foreach (var line in GenerateSummary.RewriteLines(generated))
            {
                Terminal.Out.WriteLine(line);
            }

            Terminal.Out.WriteLine(GenerateSummary.Counts(generated, result.GetValue(rewrite)));
            return DiagnosticPrinter.Print(generated.Diagnostics);
        })));
        return command;
    }
}
