using System.CommandLine;
using System.Globalization;
using ElectionMatch.Cli.Output;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli.Commands;

internal static class RunCommand
{
    /// <summary>The Examples section of its help (<see cref="HelpExamples"/>).</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        $"electionmatch run candidacy_ddhq_matches {HelpExamples.Project} --snapshot-date 2026-01-15 --replace",
        $"electionmatch run llm_l2_br_match {HelpExamples.Project} --replace --report dbt_fixtures/goodparty/target/run-report.json",
    ];

    public static Command Create(Matching.Providers.Interruption interruption)
    {
        var project = new ProjectArguments();
        var match = new Argument<string>("match") { Description = "The match to run, as named in electionmatch.yml (for example candidacy_ddhq_matches)." };
        var date = new Option<string?>("--snapshot-date") { Description = "Publish under this date (YYYY-MM-DD, from 1900-01-01 to tomorrow in UTC) instead of today's (UTC); for reproducible runs." };
        var future = new Option<bool>("--allow-future-date") { Description = "Allow a --snapshot-date after tomorrow (UTC); that snapshot stays the newest, which the stable model reads, until the date passes." };
        var replace = new Option<bool>("--replace") { Description = "Overwrite a snapshot that already exists for that date." };
        var replay = new Option<bool>("--replay") { Description = "Never call a model provider: judge answers and embeddings come only from the warehouse's cache (as in CI); a miss is an error." };
        var report = new Option<string?>("--report") { Description = "Also write every stage's wall time and rows in and out, and the run's counts, to this JSON file." };
        var incremental = new Option<bool>("--incremental") { Description = "Recompute only the state partitions whose input rows, model or settings changed since the last incremental run; reuse the others from the warehouse's electionmatch_cache schema." };
        var full = new Option<bool>("--full") { Description = "Implies --incremental, but recomputes every partition (with the stored model): the reference an incremental run equals." };
        var retrain = new Option<bool>("--retrain") { Description = "Implies --incremental, but first trains a new scoring model on the whole input (every partition is then recomputed)." };
        var command = new Command("run", "Run a match and publish model_predictions.<match>_YYYYMMDD with its staging model.") { match, date, future, replace, replay, report, incremental, full, retrain };
        project.AddTo(command);
        command.SetAction((result, cancellationToken) => Task.FromResult(DiagnosticPrinter.Guard(() =>
        {
            var context = ProjectContext.Load(project.Read(result));
            var options = new RunOptions(result.GetValue(match)!, ParseDate(result.GetValue(date)), result.GetValue(replace))
            {
                AllowFutureDate = result.GetValue(future),
                Replay = result.GetValue(replay),
                Incremental = result.GetValue(incremental),
                FullRecompute = result.GetValue(full),
                Retrain = result.GetValue(retrain),
                Interruption = interruption,
                ReportPath = result.GetValue(report) is { } path ? Dbt.WorkingDirectory.Full(path) : null,
            };
            // Plain lines, never wrapped: they are read in CI logs as often as in terminals.
            var console = Terminal.Out;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var operation = new RunOperation(context);
            RunResult run;
            try
            {
                run = operation.Execute(options, stage =>
                    console.WriteLine(Secrets.Redact(string.Create(CultureInfo.InvariantCulture, $"  {stage.Stage,-24} {stage.RowsIn,9:N0} → {stage.RowsOut,9:N0} rows  {stage.Elapsed.TotalMilliseconds,8:N0} ms{(stage.Cpu is { } cpu ? $" ({cpu.TotalMilliseconds:N0} ms CPU)" : "")}{(stage.Note is null ? "" : "  " + stage.Note)}"))), cancellationToken);
            }
            catch (Exception e) when (operation.SoFar is { } soFar && e is not OutOfMemoryException)
            {
                // A failed run still says what it paid its providers for, and writes its report (the Guard prints the error).
                soFar.Report(clock.Elapsed, e, interruption).WriteTo(options.ReportPath);
                if (soFar.Lines.Count > 0)
                {
                    console.WriteLine();
                    foreach (var line in soFar.Lines)
                    {
                        console.WriteLine(line);
                    }
                }

                throw;
            }

            RunReport.Of(run, clock.Elapsed).WriteTo(options.ReportPath);

            console.WriteLine();
            foreach (var line in RunSummary.Lines(run))
            {
                console.WriteLine(line);
            }

            foreach (var file in run.Generated.Written)
            {
                console.WriteLine($"wrote     {file}");
            }

            return DiagnosticPrinter.Print(run.Generated.Diagnostics);
        }, cancelled: () => interruption.Outcome)));
        return command;
    }

    internal static DateOnly? ParseDate(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return Snapshots.SnapshotDateRange.Parse("--snapshot-date", text);
    }
}
