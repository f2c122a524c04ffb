using System.CommandLine;
using System.Globalization;
using ElectionMatch.Benchmarking;
using ElectionMatch.Cli.Output;
using ElectionMatch.Diagnostics;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Cli.Commands;

internal static class BenchCommand
{
    /// <summary>The Examples section of its help (<see cref="HelpExamples"/>).</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        "electionmatch bench --rows 1000 --dir bench-sets --json bench.json --chart bench.svg",
        "electionmatch bench --from bench.json --markdown bench.md",
    ];

    public static Command Create()
    {
        var rows = new Option<string>("--rows") { Description = "Left row counts to measure, comma-separated; one synthetic project each.", DefaultValueFactory = _ => "10000,100000" };
        // Each count is read as synth reads its --rows (1e3 is 1000; 1.000 is refused), and refused in synth's words.
        var rowCount = new NumberOption<int>(rows, Codes.InvalidBenchOption, "a whole number");
        var seed = new NumberOption<int>(new("--seed") { Description = "The synth seed, 0 or more.", DefaultValueFactory = _ => "1" }, Codes.InvalidBenchOption, "a whole number");
        var directory = new Option<string>("--dir") { Description = "Where synthetic projects are kept and reused (one folder per rows and seed).", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "electionmatch-bench") };
        var json = new Option<string?>("--json") { Description = "Write every figure, per-stage times and the machine's facts to this JSON file." };
        var chart = new Option<string?>("--chart") { Description = "Draw time and memory against rows, and where the time goes, as an SVG file (its name ends in .svg)." };
        var markdown = new Option<string?>("--markdown") { Description = "Write the figures into this Markdown page (between its marker comments, or a new page)." };
        var repeat = new NumberOption<int>(new("--repeat") { Description = "Runs per size; the run with the median CPU time is reported, with every run's times (a shared host drifts by a tenth from run to run).", DefaultValueFactory = _ => "1" }, Codes.InvalidBenchOption, "a whole number");
        var leftShare = new Option<string?>("--left-share") { Description = "Run each size again on this share of its left rows (above 0, below 1, at most three decimals) and all its results rows, and split its cost into what a run pays whatever its left rows and what each left row adds." };
        var from = new Option<string[]>("--from") { Description = "Measure nothing: read these bench JSON files (repeatable; a later file's run of the same size wins) and write --json, --chart and --markdown from them." };
        var command = new Command("bench", "Generate synthetic projects, match each end to end in a child process, and report time per stage, rows per minute, peak memory, precision and recall.")
        {
            rows, seed.Option, directory, repeat.Option, leftShare, json, chart, markdown, from,
        };
        command.SetAction((result, cancellationToken) => Task.FromResult(DiagnosticPrinter.Guard(() =>
        {
            var inputs = result.GetValue(from) ?? [];
            var chartPath = result.GetValue(chart) is { } c ? Dbt.WorkingDirectory.Full(c) : null;
            if (chartPath is not null && !chartPath.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
            {
                throw DiagnosticException.At(Codes.InvalidBenchOption, SourceSpan.None, $"--chart {Dbt.DisplayPath.For(chartPath)}: the chart is SVG; name the file FILE.svg");
            }

            var jsonPath = result.GetValue(json) is { } j ? Dbt.WorkingDirectory.Full(j) : null;
            var page = result.GetValue(markdown) is { } m ? Dbt.WorkingDirectory.Full(m) : null;
            if (inputs.Length > 0 && jsonPath is null && chartPath is null && page is null)
            {
                throw DiagnosticException.At(Codes.InvalidBenchOption, SourceSpan.None, "--from measures nothing and writes only --json, --chart and --markdown; give at least one");
            }

            // --from measures nothing, so an option that says how to measure would be ignored: refused, naming it.
            Option[] measuring = [rows, seed.Option, directory, repeat.Option, leftShare];
            if (inputs.Length > 0 && measuring.Where(o => result.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList() is [_, ..] ignored)
            {
                throw DiagnosticException.At(Codes.InvalidBenchOption, SourceSpan.None, $"--from measures nothing, so {string.Join(", ", ignored)} would be ignored; redraw from the JSON without {(ignored.Count == 1 ? "it" : "them")}, or measure without --from");
            }

            WriteProbe.OutputFile("--json", jsonPath, Codes.InvalidBenchOption);
            WriteProbe.OutputFile("--chart", chartPath, Codes.InvalidBenchOption);
            WriteProbe.OutputFile("--markdown", page, Codes.InvalidBenchOption);
            if (page is not null)
            {
                // Checked before measuring: a page the bench could not update would cost the whole bench.
                BenchPage.EnsureUpdatable(File.Exists(page) ? File.ReadAllText(page) : null, page);
            }

            var bench = inputs.Length > 0
                ? BenchResult.Merge(inputs.Select(Read).ToList())
                : BenchOperation.Execute(
                    new BenchOptions(ParseRows(result.GetValue(rows)!, rowCount), result.GetValue(directory)!, seed.Read(result), Self(), repeat.Read(result), ParseShare(result.GetValue(leftShare))),
                    Print,
                    line => Terminal.Out.WriteLine(line),
                    cancellationToken);

            if (jsonPath is not null)
            {
                AtomicFile.WriteAllText(jsonPath, bench.ToJson());
                Terminal.Out.WriteLine($"wrote     {Dbt.DisplayPath.For(jsonPath)}");
            }

            if (chartPath is not null)
            {
                AtomicFile.WriteAllText(chartPath, BenchChart.Svg(bench));
                Terminal.Out.WriteLine($"wrote     {Dbt.DisplayPath.For(chartPath)}");
            }

            if (page is not null)
            {
                // Without --chart no chart was drawn: the page keeps the image it links to, if any, rather than a guessed name.
                var reference = chartPath is null ? null : Path.GetRelativePath(Path.GetDirectoryName(page)!, chartPath).Replace('\\', '/');
                AtomicFile.WriteAllText(page, BenchPage.Update(File.Exists(page) ? File.ReadAllText(page) : null, bench, reference, page));
                Terminal.Out.WriteLine($"wrote     {Dbt.DisplayPath.For(page)}");
            }

            return DiagnosticPrinter.Success;
        }, () => "no figures were written (--json, --chart and --markdown are written once every size is measured); the projects generated in full stay in --dir for the next bench")));
        return command;
    }

    /// <summary>Per size: each stage, then the plain lines CI and scripts read.</summary>
    private static void Print(BenchRun run)
    {
        var c = CultureInfo.InvariantCulture;
        Terminal.Out.WriteLine(string.Create(c, $"rows: {run.Rows} (left {run.LeftRowsRead:N0}, right {run.RightRowsRead:N0}, output {run.OutputRows:N0}){(run.SynthSeconds is { } s ? $", generated in {s:0.0} s" : ", reused project")}"));
        foreach (var stage in run.Stages)
        {
            Terminal.Out.WriteLine(string.Create(c, $"  {stage.Stage,-24} {stage.RowsIn,11:N0} → {stage.RowsOut,11:N0} rows  {stage.Seconds * 1000,9:N0} ms{(stage.CpuSeconds is { } cpu ? $"  {cpu * 1000,9:N0} ms CPU" : "")}"));
        }

        var outside = StageGroups.Split(run).Single(g => g.Group == StageGroups.Outside);
        var outsideCpu = outside.CpuSeconds is { } cpuOutside ? string.Create(c, $"  {cpuOutside * 1000,9:N0} ms CPU") : "";
        Terminal.Out.WriteLine(string.Create(c, $"  {"(outside stages)",-24} {"",11}   {"",11}       {outside.Seconds * 1000,9:N0} ms{outsideCpu}  runtime start, closing the warehouse, exit"));
        Terminal.Out.WriteLine(string.Create(c, $"wall_seconds: {run.WallSeconds:0.000}"));
        if (run.CpuSeconds is { } cpuSeconds)
        {
            Terminal.Out.WriteLine(string.Create(c, $"cpu_seconds: {cpuSeconds:0.000}"));
        }

        Terminal.Out.WriteLine(string.Create(c, $"left_rows_per_min: {run.LeftRowsPerMinute:0}"));
        Terminal.Out.WriteLine(string.Create(c, $"peak_memory_mib: {run.PeakMemoryMib:0}"));
        Terminal.Out.WriteLine(string.Create(c, $"judge_share: {run.JudgeShare:0.0000}"));
        Terminal.Out.WriteLine(string.Create(c, $"precision: {run.Precision:0.0000}"));
        Terminal.Out.WriteLine(string.Create(c, $"recall: {run.Recall:0.0000}"));
        if (run.Repeats is { } repeats)
        {
            // The figures above are the median run's; these are every run's, in the order they ran.
            Terminal.Out.WriteLine(string.Create(c, $"repeats: {repeats.Count}"));
            Terminal.Out.WriteLine("repeat_wall_seconds: " + string.Join(' ', repeats.Select(r => r.WallSeconds.ToString("0.000", c))));
            if (repeats.All(r => r.CpuSeconds is not null))
            {
                Terminal.Out.WriteLine("repeat_cpu_seconds: " + string.Join(' ', repeats.Select(r => r.CpuSeconds!.Value.ToString("0.000", c))));
            }
        }

        if (run.CostSplit is { } split)
        {
            // A line through the two runs: its value at no left rows, and its slope per million left rows.
            var share = run.LeftShare!.Run;
            Terminal.Out.WriteLine(string.Create(c, $"left_share: {BenchOperation.ShareText(split.Share)} (left {share.LeftRowsRead:N0}, right {share.RightRowsRead:N0})"));
            Terminal.Out.WriteLine(string.Create(c, $"left_share_wall_seconds: {share.WallSeconds:0.000}"));
            if (share.CpuSeconds is { } shareCpu)
            {
                Terminal.Out.WriteLine(string.Create(c, $"left_share_cpu_seconds: {shareCpu:0.000}"));
            }

            Terminal.Out.WriteLine(string.Create(c, $"fixed_{split.Measure}_seconds: {split.Whole.FixedSeconds:0.000}"));
            Terminal.Out.WriteLine(string.Create(c, $"{split.Measure}_seconds_per_million_left_rows: {split.Whole.SecondsPerMillionLeftRows:0.000}"));
        }

        Terminal.Out.WriteLine();
    }

    /// <summary>The share as written, in any culture (0.5, never 0,5); its range is checked with the other options.</summary>
    private static double? ParseShare(string? text) =>
        text is null ? null
        : double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var share) ? share
        : throw DiagnosticException.At(Codes.InvalidBenchOption, SourceSpan.None, $"--left-share '{text}' is not a number; give a share such as 0.5");

    private static List<int> ParseRows(string text, NumberOption<int> count)
    {
        if (text.Trim().Length == 0)
        {
            throw DiagnosticException.At(Codes.InvalidBenchOption, SourceSpan.None, "--rows is empty; give one or more row counts");
        }

        var counts = new List<int>();
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                // Before, an empty item ("2000,,300", a trailing comma) was dropped without a word.
                throw DiagnosticException.At(Codes.InvalidBenchOption, SourceSpan.None, string.Create(CultureInfo.InvariantCulture, $"--rows '{text}': item {i + 1} is empty; give row counts separated by single commas (for example --rows 10000,100000)"));
            }

            // An underscore between digits (10_000), which bench took before synth's reading was shared, still reads.
            var n = count.Parse(part.Replace("_", "", StringComparison.Ordinal));
            if (n < 1)
            {
                throw DiagnosticException.At(Codes.InvalidBenchOption, SourceSpan.None, string.Create(CultureInfo.InvariantCulture, $"--rows {part}: generate at least one row"));
            }

            counts.Add(n);
        }

        return counts;
    }

    private static BenchResult Read(string path)
    {
        var full = Dbt.WorkingDirectory.Full(path);
        var text = "";
        try
        {
            text = File.ReadAllText(full);
            return BenchResult.FromJson(text);
        }
        catch (System.Text.Json.JsonException e)
        {
            // A document that parses but lacks a member has no line: its first.
            var position = BenchResultJsonError.Position(text, e, out var message);
            var at = position is var (line, column) ? new SourceSpan(Dbt.DisplayPath.For(full), line, column) : SourceSpan.TextFile(Dbt.DisplayPath.For(full));
            throw DiagnosticException.At(Codes.BenchResultUnreadable, at, $"not a bench result: {message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A missing or unreadable file has no line to point at.
            throw DiagnosticException.At(Codes.BenchResultUnreadable, SourceSpan.PathOnly(Dbt.DisplayPath.For(full)), $"not a bench result: {e.Message}");
        }
    }

    /// <summary>This same electionmatch, to run in a child process: the apphost, or the dotnet host with this dll.</summary>
    private static ChildCommand Self()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? new ChildCommand(host, [typeof(BenchCommand).Assembly.Location])
            : new ChildCommand(host, []);
    }
}
