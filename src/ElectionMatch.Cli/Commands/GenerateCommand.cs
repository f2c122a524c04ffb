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

            // A unified diff per file, so the change can be read before it is committed.
            foreach (var file in generated.Rewrites.GroupBy(r => r.File))
            {
                Terminal.Out.WriteLine($"--- {file.Key}");
                Terminal.Out.WriteLine($"+++ {file.Key}");
                foreach (var line in file)
                {
                    Terminal.Out.WriteLine($"@@ -{line.Line} +{line.Line} @@");
                    Terminal.Out.WriteLine("-" + line.Before);
                    Terminal.Out.WriteLine("+" + line.After);
                }
            }

            // Listed apart from the same-data moves: a user keeping a baseline against one of these sees its numbers change.
            if (generated.NewerSnapshots.Count > 0)
            {
                Terminal.Out.WriteLine($"{generated.NewerSnapshots.Count} rewritten reference(s) read a superseded snapshot and now read a newer one (data that differs from before); "
                    + "to keep one on its snapshot, put its dated ref() back and mark its line {# electionmatch: pinned #}:");
                foreach (var moved in generated.NewerSnapshots)
                {
                    Terminal.Out.WriteLine($"  {moved.At.File}({moved.At.Line},{moved.At.Column}): {moved.Before.Table} -> {moved.After.Table}");
                }
            }

            Terminal.Out.WriteLine($"{generated.Written.Count} written, {generated.Unchanged.Count} unchanged, {generated.UserOwned.Count} user-owned left alone"
                + (result.GetValue(rewrite) ? $", {generated.Rewrites.Count} reference line(s) rewritten in {generated.Rewrites.Select(r => r.File).Distinct().Count()} file(s)"
                    + (generated.NewerSnapshots.Count > 0 ? $" ({generated.NewerSnapshots.Count} reference(s) now reading a newer snapshot)" : "") : ""));
            return DiagnosticPrinter.Print(generated.Diagnostics);
        })));
        return command;
    }
}
