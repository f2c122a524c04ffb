using System.CommandLine;
using ElectionMatch.Cli.Output;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli.Commands;

internal static class RestoreCommand
{
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
            var holding = $"{restored.Rows} rows, content sha256 {restored.ContentSha256[..12]}…";
            if (restored.AlreadyAsPublished)
            {
                Terminal.Out.WriteLine($"{restored.Table} already holds what was published ({holding}, as its manifest recorded): nothing to restore");
                return DiagnosticPrinter.Success;
            }

            foreach (var cast in restored.Casts)
            {
                Terminal.Out.WriteLine($"{(restored.DryRun ? "would cast" : "cast     ")} {cast} (the type its manifest recorded)");
            }

            Terminal.Out.WriteLine(restored.DryRun
                ? $"would restore {restored.Table} from {restored.Parquet} ({holding}, as its manifest recorded)"
                : $"restored  {restored.Table} from {restored.Parquet} ({holding}, as its manifest recorded)");
            return DiagnosticPrinter.Success;
        }));
        return command;
    }
}
