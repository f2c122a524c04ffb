using System.Globalization;
using System.Text;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Benchmarking;

/// <summary>
/// The generated part of <c>bench/results.md</c>: machine, figures per size and stage times, between two
/// marker comments so the written analysis around them survives a re-run.
/// </summary>
public static class BenchPage
{
    public const string Begin = "<!-- electionmatch bench: generated from the JSON below; re-run the command to refresh -->";
    public const string End = "<!-- electionmatch bench: end of generated part -->";

    /// <summary>The page with its generated part replaced, or a new page holding only that part.</summary>
    public static string Update(string? page, BenchResult result, string chartReference, string path)
    {
        var generated = Begin + "\n" + Render(result, chartReference) + End;
        if (string.IsNullOrEmpty(page))
        {
            return "# Bench results\n\n" + generated + "\n";
        }

        var begin = page.IndexOf(Begin, StringComparison.Ordinal);
        var end = page.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            throw DiagnosticException.At(Codes.BenchPageMarkersMissing, SourceSpan.WholeFile(Dbt.DisplayPath.For(path)),
                $"the page has no generated part to replace; put the lines '{Begin}' and '{End}' where it goes");
        }

        return page[..begin] + generated + page[(end + End.Length)..];
    }

    public static string Render(BenchResult result, string chartReference)
    {
        var c = CultureInfo.InvariantCulture;
        var m = result.Machine;
        var page = new StringBuilder();
        page.Append(c, $"![time and memory against rows]({chartReference})\n\n");
        page.Append(c, $"Machine: {m.Cores} cores, {m.CpuModel}, {m.MemoryGib:0.#} GiB RAM, {m.Os}, {m.Dotnet}; electionmatch {m.ToolVersion}{(m.GitCommit is null ? "" : $" at `{m.GitCommit}`")}; started {result.StartedAtUtc:yyyy-MM-dd HH:mm} UTC.\n\n");
        page.Append("| left rows | right rows | wall time | left rows/min | peak memory | precision | recall | F1 | judge share | load avg before → after |\n");
        page.Append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var run in result.Runs.OrderBy(r => r.Rows))
        {
            page.Append(c, $"| {run.LeftRowsRead:N0} | {run.RightRowsRead:N0} | {BenchChart.Seconds(run.WallSeconds)} | {run.LeftRowsPerMinute:N0} | {run.PeakMemoryMib:N0} MiB | {run.Precision:0.0000} | {run.Recall:0.0000} | {run.F1:0.0000} | {run.JudgeShare:0.0000} | {Load(run.LoadAverageBefore)} → {Load(run.LoadAverageAfter)} |\n");
        }

        page.Append(c, $"\nWall time is the child process `electionmatch run` from start to exit; peak memory is its {result.Runs.FirstOrDefault()?.MemoryMeasuredBy ?? "peak resident set"}. Precision and recall are against the synthetic truth.\n\n");
        page.Append("Seconds per stage group (the runoff pass counted with the main pass):\n\n");
        page.Append("| stage group |");
        foreach (var run in result.Runs.OrderBy(r => r.Rows))
        {
            page.Append(c, $" {run.LeftRowsRead:N0} |");
        }

        page.Append("\n|---|").Append(string.Concat(result.Runs.Select(_ => "---:|"))).Append('\n');
        var splits = result.Runs.OrderBy(r => r.Rows).Select(StageGroups.Split).ToList();
        foreach (var group in StageGroups.Names)
        {
            page.Append(c, $"| {group} |");
            foreach (var split in splits)
            {
                page.Append(c, $" {split.First(s => s.Group == group).Seconds:0.00} |");
            }

            page.Append('\n');
        }

        page.Append("\n<details><summary>Every stage: seconds, rows in → out</summary>\n\n| stage |");
        foreach (var run in result.Runs.OrderBy(r => r.Rows))
        {
            page.Append(c, $" {run.LeftRowsRead:N0} |");
        }

        page.Append("\n|---|").Append(string.Concat(result.Runs.Select(_ => "---:|"))).Append('\n');
        var stages = result.Runs.SelectMany(r => r.Stages.Select(s => s.Stage)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var stage in stages)
        {
            page.Append(c, $"| {stage} |");
            foreach (var run in result.Runs.OrderBy(r => r.Rows))
            {
                var s = run.Stages.FirstOrDefault(x => x.Stage == stage);
                page.Append(s is null ? " |" : string.Create(c, $" {s.Seconds:0.000} s, {s.RowsIn:N0} → {s.RowsOut:N0} |"));
            }

            page.Append('\n');
        }

        page.Append("\n</details>\n\n");
        return page.ToString();
    }

    private static string Load(double? load) => load is { } l ? l.ToString("0.00", CultureInfo.InvariantCulture) : "?";
}
