using System.CommandLine;
using ElectionMatch.Cli.Output;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli.Commands;

internal static class PruneCommand
{
    /// <summary>The Examples section of its help (<see cref="HelpExamples"/>).</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        $"electionmatch prune candidacy_ddhq_matches {HelpExamples.Project} --keep 1 --dry-run",
    ];

    public static Command Create()
    {
        var project = new ProjectArguments();
        var match = new Argument<string>("match") { Description = "The match whose snapshots to prune, as named in electionmatch.yml (or one it no longer defines, to retire it)." };
        var dates = new Option<string[]>("--snapshot-date") { Description = "Prune the snapshot of this date (YYYY-MM-DD); repeatable." };
        var keep = new NumberOption<int>(
            new("--keep") { Description = "Prune every finished snapshot of the match but the newest N (1 or more; 0 retires a match electionmatch.yml no longer defines)." },
            Codes.InvalidOption,
            "a number of snapshots to keep (0 or more)",
            n => n >= 0);
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be moved, dropped, deleted and removed, and change nothing." };
        var orphaned = new Option<bool>("--orphaned") { Description = "Also prune a snapshot whose manifest is not in this checkout though the warehouse's snapshot log completed it: in a shared warehouse most likely a teammate's unmerged branch, so only for one no branch has (`git log --all --oneline -- <manifest>` lists nothing) and nobody will publish." };
        var command = new Command("prune", "Retire old snapshots of a match: move the manifest under pruned/ (the chain still verifies), drop the tables, delete the parquet copy and staging model, remove the sources entry.") { match, dates, keep.Option, dryRun, orphaned };
        project.AddTo(command);
        command.SetAction((result, cancellationToken) => Task.FromResult(DiagnosticPrinter.Guard(() =>
        {
            var given = result.GetValue(dates) ?? [];
            var kept = result.GetValue(keep.Option) is null ? (int?)null : keep.Read(result);
            if ((given.Length == 0) == (kept is null))
            {
                throw DiagnosticException.At(Codes.InvalidOption, SourceSpan.None, "prune takes either --snapshot-date (one or more) or --keep N, not both and not neither");
            }

            var pruned = new PruneOperation(ProjectContext.Load(project.Read(result)))
                .Execute(result.GetValue(match)!, [.. given.Select(d => RunCommand.ParseDate(d)!.Value)], kept, result.GetValue(dryRun), result.GetValue(orphaned), cancellationToken);
            foreach (var line in pruned.Lines())
            {
                Terminal.Out.WriteLine(line);
            }

            return DiagnosticPrinter.Success;
        })));
        return command;
    }
}
