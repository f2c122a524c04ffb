using ElectionMatch.Benchmarking;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests.Benchmarking;

public sealed class BenchPageTests
{
    private static readonly MachineFacts Machine = new(2, "Test CPU", 8, "Linux", ".NET 10.0.0", "0.1.0", "abc123");

    // CPU seconds per stage: 0.9, 0.7 and 0.4 times the wall time; the child's 1.6 times its wall time.
    private static BenchRun Run(int rows, double wall, double memory) => new(
        rows, 1, rows, rows * 7, rows, wall, wall - 1, rows / (wall / 60), memory, "VmHWM", 0.05, 0.98, 0.97, 0.975, rows, null, 1.0, 1.5,
        [new RunReportStage("right_clean", rows * 7, rows * 7, wall / 2, null, wall * 0.9), new RunReportStage("runoff_retrieval", 10, 50, 0.5, null, 0.7), new RunReportStage("retrieval", rows, rows * 5, wall / 4, null, wall * 0.4)],
        new Dictionary<string, long> { ["left_rows_read"] = rows },
        wall * 1.6);

    private static readonly BenchResult Result = new(Machine, DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), [Run(100_000, 300, 4000), Run(10_000, 30, 500)]);

    [Fact]
    public void The_generated_part_is_replaced_and_the_written_analysis_kept()
    {
        var page = "# Results\n\nIntro.\n\n" + BenchPage.Begin + "\nold figures\n" + BenchPage.End + "\n\n## What limits it\n\nAnalysis.\n";

        var updated = BenchPage.Update(page, Result, "results.svg", "results.md");

        Assert.StartsWith("# Results\n\nIntro.\n\n" + BenchPage.Begin, updated, StringComparison.Ordinal);
        Assert.EndsWith(BenchPage.End + "\n\n## What limits it\n\nAnalysis.\n", updated, StringComparison.Ordinal);
        Assert.DoesNotContain("old figures", updated, StringComparison.Ordinal);
        Assert.Contains("| 10,000 | 70,000 | 30.0 s | 48.0 s | 20,000 | 500 MiB | 0.9800 | 0.9700 |", updated, StringComparison.Ordinal);
        Assert.True(updated.IndexOf("| 10,000 |", StringComparison.Ordinal) < updated.IndexOf("| 100,000 |", StringComparison.Ordinal), "sizes in ascending order");
        // The runoff pass's retrieval counts with the main pass's in the stage groups: 7.5 + 0.5 seconds at 10k, with
        // 12 + 0.7 CPU seconds; outside the stages 48 - 27 - 12.7 CPU seconds.
        Assert.Contains("| embed and top-k | 8.00 (12.7) | 75.50 (120.7) |", updated, StringComparison.Ordinal);
        Assert.Contains("| 100,000 | 700,000 | 5.0 min | 480 s | 20,000 |", updated, StringComparison.Ordinal);
        Assert.Contains("| process start and exit | 7.00 (8.3) | 74.50 (89.3) |", updated, StringComparison.Ordinal);
        Assert.Contains("| retrieval | 7.500 s (12.00), 10,000 → 50,000 |", updated, StringComparison.Ordinal);
        Assert.Equal(updated, BenchPage.Update(updated, Result, "results.svg", "results.md"));
    }

    [Fact]
    public void Repeated_runs_report_the_median_by_CPU_time_with_every_run_on_the_page()
    {
        // CPU 1.6 times wall: 48, 64, 40 and 56 CPU-s; the middle two of four are 48 and 56, the faster reported.
        var runs = new[] { Run(10_000, 30, 500) with { SynthSeconds = 12 }, Run(10_000, 40, 510), Run(10_000, 25, 490), Run(10_000, 35, 505) };

        var median = BenchOperation.Median(runs);

        Assert.Equal(48, median.CpuSeconds!.Value, 9);
        Assert.Equal(500, median.PeakMemoryMib);
        Assert.Equal(12, median.SynthSeconds);
        Assert.Equal([48.0, 64.0, 40.0, 56.0], median.Repeats!.Select(r => r.CpuSeconds!.Value));
        Assert.Equal(3, BenchOperation.Median(runs[..3]).Repeats!.Count);
        Assert.Equal(48, BenchOperation.Median(runs[..3]).CpuSeconds!.Value, 9);
        Assert.Same(runs[1], BenchOperation.Median([runs[1]]));

        var page = BenchPage.Render(new BenchResult(Machine, Result.StartedAtUtc, [median]), "results.svg");
        Assert.Contains("| 10,000 | 70,000 | 30.0 s | 48.0 s |", page, StringComparison.Ordinal);
        Assert.Contains("Every run, CPU (wall) seconds: 10,000: 48.0 s (30.0 s), 64.0 s (40.0 s), 40.0 s (25.0 s), 56.0 s (35.0 s).", page, StringComparison.Ordinal);
        Assert.DoesNotContain("more than once", BenchPage.Render(Result, "results.svg"), StringComparison.Ordinal);

        // The runs survive the JSON that --from reads back.
        var back = BenchResult.FromJson(new BenchResult(Machine, Result.StartedAtUtc, [median]).ToJson());
        Assert.Equal(median.Repeats, back.Runs[0].Repeats);
    }

    [Fact]
    public void A_run_on_a_share_of_the_left_rows_splits_the_cost_into_a_fixed_part_and_a_part_per_left_row()
    {
        // 10,000 left rows: 48 CPU-s (right_clean 27, retrieval 12 with the runoff pass's 0.7, outside 8.3); 4,000 left
        // rows of the same results: 40 CPU-s with right_clean 24 and retrieval 8. The line through (10,000, 48) and
        // (4,000, 40) has slope 8 / 6,000 per row, so 1,333.3 CPU-s per million left rows, and 34.67 at none.
        var whole = Run(10_000, 30, 500);
        var part = Run(4_000, 25, 400) with
        {
            CpuSeconds = 40,
            Stages = [new RunReportStage("right_clean", 70_000, 70_000, 15, null, 24), new RunReportStage("runoff_retrieval", 10, 50, 0.5, null, 0.7), new RunReportStage("retrieval", 4_000, 20_000, 6, null, 8)],
        };
        var run = whole with { LeftShare = new BenchLeftShare(0.4, part with { Repeats = [new BenchRepeat(25, 40, 9_600, 400), new BenchRepeat(27, 44, 8_900, 410)] }) };

        var split = run.CostSplit!;

        Assert.Equal("cpu", split.Measure);
        Assert.Equal((10_000L, 4_000L), (split.LeftRows, split.ShareLeftRows));
        Assert.Equal(34.6667, split.Whole.FixedSeconds, 4);
        Assert.Equal(1_333.333, split.Whole.SecondsPerMillionLeftRows, 3);
        var clean = split.Groups.Single(g => g.Name == "read and clean");
        Assert.Equal(22.0, clean.FixedSeconds, 9);
        Assert.Equal(500.0, clean.SecondsPerMillionLeftRows, 9);
        var embed = split.Groups.Single(g => g.Name == "embed and top-k");
        Assert.Equal((12.7, 8.7), (embed.Seconds, embed.ShareSeconds));
        Assert.Equal(666.667, embed.SecondsPerMillionLeftRows, 3);
        // The groups, the time outside the stages among them, add up to the whole run at both ends of the line.
        Assert.Equal(split.Whole.FixedSeconds, split.Groups.Sum(g => g.FixedSeconds), 9);
        Assert.Equal(split.Whole.SecondsPerMillionLeftRows, split.Groups.Sum(g => g.SecondsPerMillionLeftRows), 9);

        var page = BenchPage.Render(Result with { Runs = [Run(100_000, 300, 4000), run] }, "results.svg");
        Assert.Contains("| stage group | 10,000 | 4,000 (0.4) | fixed | per 1M left |", page, StringComparison.Ordinal);
        Assert.Contains("| read and clean | 27.0 | 24.0 | 22.0 | 500.0 |", page, StringComparison.Ordinal);
        Assert.Contains("| **whole run** | 48.0 | 40.0 | **34.7** | **1333.3** |", page, StringComparison.Ordinal);
        Assert.Contains("Every share run, CPU (wall) seconds (the table has the median one): 4,000: 40.0 s (25.0 s), 44.0 s (27.0 s).", page, StringComparison.Ordinal);
        // The chart draws the split against the target: at a million rows a minute, 10,000 rows have 0.6 s of wall time,
        // which at the 1.6 cores the run kept busy is 0.96 CPU-s.
        var svg = BenchChart.Svg(Result with { Runs = [run] });
        Assert.Contains("what a run pays whatever its left rows", svg, StringComparison.Ordinal);
        Assert.Contains("fixed 34.7 CPU-s", svg, StringComparison.Ordinal);
        Assert.Contains("target: 1.0 CPU-s", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("what a run pays whatever its left rows", BenchChart.Svg(Result), StringComparison.Ordinal);
        var json = new BenchResult(Machine, Result.StartedAtUtc, [run]).ToJson();
        Assert.Equal(split.Whole, BenchResult.FromJson(json).Runs[0].CostSplit!.Whole);

        // Both runs read the same left rows: there is no line to draw.
        Assert.Null((whole with { LeftShare = new BenchLeftShare(0.9, whole) }).CostSplit);
    }

    [Fact]
    public void Without_a_chart_the_page_keeps_the_image_line_its_generated_part_had_or_gets_none()
    {
        var linked = "# Results\n\n" + BenchPage.Begin + "\n![time and memory against rows](charts/b1.svg)\n\nold\n" + BenchPage.End + "\n";
        var bare = "# Results\n\n" + BenchPage.Begin + "\nold\n" + BenchPage.End + "\n";

        Assert.StartsWith("# Results\n\n" + BenchPage.Begin + "\n![time and memory against rows](charts/b1.svg)\n\nMachine:", BenchPage.Update(linked, Result, null, "results.md"), StringComparison.Ordinal);
        Assert.DoesNotContain("![", BenchPage.Update(bare, Result, null, "results.md"), StringComparison.Ordinal);
        Assert.DoesNotContain("![", BenchPage.Update(null, Result, null, "results.md"), StringComparison.Ordinal);
        Assert.Contains("](b2.svg)", BenchPage.Update(linked, Result, "b2.svg", "results.md"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_without_markers_is_refused()
    {
        var error = Assert.Throws<DiagnosticException>(() => BenchPage.Update("# Hand-written only\n", Result, "results.svg", "results.md"));

        Assert.Equal(Codes.BenchPageMarkersMissing, Assert.Single(error.Diagnostics).Code);
    }

    [Fact]
    public void The_chart_has_a_point_per_run_and_the_stage_shares_sum_to_the_wall_time()
    {
        var svg = BenchChart.Svg(Result);

        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(svg, "<circle ").Count);
        Assert.Contains("5.0 min · 20k rows/min", svg, StringComparison.Ordinal);
        Assert.Contains("target: 4 GiB", svg, StringComparison.Ordinal);
        var split = StageGroups.Split(Result.Runs[0]);
        Assert.Equal(300, split.Sum(s => s.Seconds), 9);
        Assert.Equal(300 - 150 - 75 - 0.5, split.Single(s => s.Group == StageGroups.Outside).Seconds, 9);
        Assert.Equal(300 * 1.6, split.Sum(s => s.CpuSeconds!.Value), 9);
    }

    [Fact]
    public void A_bench_json_from_before_cpu_time_was_recorded_renders_without_it()
    {
        var run = Run(10_000, 30, 500);
        var old = run with { CpuSeconds = null, Stages = [.. run.Stages.Select(s => s with { CpuSeconds = null })] };

        var page = BenchPage.Render(new BenchResult(Machine, Result.StartedAtUtc, [old]), "results.svg");

        Assert.Contains("| 10,000 | 70,000 | 30.0 s | ? | 20,000 |", page, StringComparison.Ordinal);
        Assert.Contains("| embed and top-k | 8.00 |", page, StringComparison.Ordinal);
        Assert.Contains("| retrieval | 7.500 s, 10,000 → 50,000 |", page, StringComparison.Ordinal);
        Assert.All(StageGroups.Split(old), s => Assert.Null(s.CpuSeconds));
    }

    [Fact]
    public void Json_round_trips_and_merging_keeps_one_run_per_size()
    {
        var read = BenchResult.FromJson(Result.ToJson());
        var later = Result with { Runs = [Run(10_000, 20, 400)] };

        var merged = BenchResult.Merge([read, later]);

        Assert.Equal([10_000, 100_000], merged.Runs.Select(r => r.Rows));
        Assert.Equal(20, merged.Runs[0].WallSeconds);
        Assert.Equal(Result.Runs[0].Stages, read.Runs[0].Stages);
    }
}
