using System.CommandLine;
using ElectionMatch.Cli.Output;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli.Commands;

internal static class RestoreCommand
{
    /// <summary>The Examples section of its help (<see cref="HelpExamples"/>).</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        $"electionmatch restore candidacy_ddhq_matches {HelpExamples.Project} --snapshot-date 2026-01-15 --dry-run",
    ];

    public static Command Create()
    {
        var project = new ProjectArguments();
        var match = new Argument<string>("match") { Description = "The match whose snapshot to restore, as named in electionmatch.yml." };
        var date = new Option<string>("--snapshot-date") { Description = "The date of the snapshot to restore (YYYY-MM-DD).", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be restored, and change nothing." };
        var command = new Command("restore", "Put a published snapshot table back as it was published, from its parquet copy, verified against its manifest's content hash.") { match, date, dryRun };
        project.AddTo(command);
        command.SetAction(result => DiagnosticPrinter.Guard(() =>
        {
            var restored = new RestoreOperation(ProjectContext.Load(project.Read(result)))
                .Execute(result.GetValue(match)!, RunCommand.ParseDate(result.GetValue(date))!.Value, result.GetValue(dryRun));
            foreach (var line in restored.Lines())
            {
                Terminal.Out.WriteLine(line);
            }

            // What could not be put back fails the command: the snapshot is not as published, whatever else was restored.
            return restored.QuarantineNotRestored is { } notRestored ? DiagnosticPrinter.Print([notRestored]) : DiagnosticPrinter.Success;
        }));
        return command;
    }
}
