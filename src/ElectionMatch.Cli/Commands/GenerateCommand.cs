using System.CommandLine;
using ElectionMatch.Cli.Output;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli.Commands;

internal static class GenerateCommand
{
    public static Command Create()
    {
        var project = new ProjectArguments();
        var command = new Command("generate", "Re-render the staging models of every existing snapshot and add missing sources entries (idempotent).");
        project.AddTo(command);
        command.SetAction(result => DiagnosticPrinter.Guard(() =>
        {
            var generated = new GenerateOperation(ProjectContext.Load(project.Read(result))).Execute();
            foreach (var file in generated.Written)
            {
                Console.WriteLine($"wrote     {file}");
            }

            Console.WriteLine($"{generated.Written.Count} written, {generated.Unchanged.Count} unchanged, {generated.UserOwned.Count} user-owned left alone");
            return DiagnosticPrinter.Print(generated.Diagnostics);
        }));
        return command;
    }
}
