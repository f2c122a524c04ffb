using System.Globalization;
using System.Text.Json;

namespace ElectionMatch.Tests;

/// <summary><c>electionmatch bench</c> on a small synthetic project: its plain lines, its JSON, and its figures measured against the truth.</summary>
public sealed class BenchCommandTests : IClassFixture<BenchedSet>, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "em-bench-cli-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly BenchedSet _set;

    public BenchCommandTests(BenchedSet set)
    {
        _set = set;
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Bench_prints_the_figures_writes_json_chart_and_page_and_reuses_its_project()
    {
        var json = Path.Combine(_directory, "bench.json");
        var chart = Path.Combine(_directory, "results.svg");
        var page = Path.Combine(_directory, "results.md");
        var data = Path.Combine(_directory, "data");

        // 1,000 rows: the figures, files and reuse do not depend on the size, and a size of four digits still shows
        // the thousands separator in the lines and the page.
        var bench = CliProcess.Run("bench", "--rows", "1000", "--seed", "3", "--dir", data, "--json", json, "--chart", chart, "--markdown", page);

        Assert.True(bench.ExitCode == 0, bench.Output);
        Assert.Contains("generating 1,000 rows", bench.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  retrieval +[\d,]+ → +[\d,]+ rows +[\d,]+ ms +[\d,]+ ms CPU$", bench.Stdout);
        Assert.Matches(@"(?m)^cpu_seconds: \d+\.\d{3}$", bench.Stdout);
        Assert.Matches(@"(?m)^left_rows_per_min: \d+$", bench.Stdout);
        Assert.Matches(@"(?m)^peak_memory_mib: [1-9]\d*$", bench.Stdout);
        Assert.Matches(@"(?m)^judge_share: [01]\.\d{4}$", bench.Stdout);
        var precision = Line(bench.Stdout, "precision");
        var recall = Line(bench.Stdout, "recall");

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var machine = document.RootElement.GetProperty("machine");
        Assert.True(machine.GetProperty("cores").GetInt32() >= 1);
        Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("cpu_model").GetString()));
        Assert.True(machine.GetProperty("memory_gib").GetDouble() > 0);
        Assert.StartsWith(".NET", machine.GetProperty("dotnet").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("os").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("tool_version").GetString()));
        var run = Assert.Single(document.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal(1000, run.GetProperty("rows").GetInt32());
        Assert.Equal(1000, run.GetProperty("left_rows_read").GetInt64());
        Assert.True(run.GetProperty("right_rows_read").GetInt64() > 1000);
        Assert.True(run.GetProperty("peak_memory_mib").GetDouble() > 10);
        Assert.True(run.GetProperty("wall_seconds").GetDouble() >= run.GetProperty("run_seconds").GetDouble());
        Assert.Contains(run.GetProperty("stages").EnumerateArray(), s => s.GetProperty("stage").GetString() == "training");

        // CPU time: the child's whole, and each stage's, which together cannot exceed it (both cores count, so a stage
        // may take more CPU than wall time).
        var cpu = run.GetProperty("cpu_seconds").GetDouble();
        var stageCpu = run.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("cpu_seconds").GetDouble()).ToList();
        Assert.All(stageCpu, s => Assert.True(s >= 0));
        Assert.True(stageCpu.Sum() > 0 && stageCpu.Sum() <= cpu, $"stages {stageCpu.Sum()} CPU-s, the child {cpu}");
        Assert.Equal(cpu, Line(bench.Stdout, "cpu_seconds"), 3);

        // The figures are the truth's: recompute precision and recall from the published parquet and the truth file.
        var (expectedPrecision, expectedRecall) = Score(data);
        Assert.Equal(expectedPrecision, run.GetProperty("precision").GetDouble(), 9);
        Assert.Equal(expectedRecall, run.GetProperty("recall").GetDouble(), 9);
        Assert.Equal(Math.Round(expectedPrecision, 4), precision, 9);
        Assert.Equal(Math.Round(expectedRecall, 4), recall, 9);
        Assert.InRange(expectedRecall, 0.5, 0.9999);

        Assert.StartsWith("<svg", File.ReadAllText(chart), StringComparison.Ordinal);
        Assert.Contains("peak memory (MiB) against left rows", File.ReadAllText(chart), StringComparison.Ordinal);
        Assert.Contains("![time and memory against rows](results.svg)", File.ReadAllText(page), StringComparison.Ordinal);
        Assert.Contains("| 1,000 |", File.ReadAllText(page), StringComparison.Ordinal);
        Assert.Matches(@"the stages that ran meanwhile share the cores with that work: 1,000: hashed beside the match in \d+\.\d s of wall time, during reference", File.ReadAllText(page));

        // A second bench reuses the generated project; --from redraws from the JSON alone.
        var again = CliProcess.Run("bench", "--rows", "1000", "--seed", "3", "--dir", data);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("reusing", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(recall, Line(again.Stdout, "recall"), 9);
        File.Delete(chart);
        var redraw = CliProcess.Run("bench", "--from", json, "--chart", chart);
        Assert.True(redraw.ExitCode == 0, redraw.Output);
        Assert.True(File.Exists(chart));
    }

    [Fact]
    public void Bench_repeats_a_size_and_reports_the_run_with_the_median_CPU_time()
    {
        var json = Path.Combine(_directory, "bench.json");
        var page = Path.Combine(_directory, "results.md");

        // 200 rows: what is proved is the choice of the median of three repeats, not a size, nor the making of the set
        // (a set a first bench generated is copied).
        _set.CopyTo(Path.Combine(_directory, "data"));
        var bench = CliProcess.Run("bench", "--rows", "200", "--repeat", "3", "--dir", Path.Combine(_directory, "data"), "--json", json, "--markdown", page);

        Assert.True(bench.ExitCode == 0, bench.Output);
        Assert.Contains("(run 3 of 3)", bench.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^repeats: 3$", bench.Stdout);
        var cpus = System.Text.RegularExpressions.Regex.Match(bench.Stdout, @"(?m)^repeat_cpu_seconds: ([\d.]+) ([\d.]+) ([\d.]+)$");
        Assert.True(cpus.Success, bench.Stdout);
        var each = cpus.Groups.Values.Skip(1).Select(g => double.Parse(g.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(each.Order().ElementAt(1), Line(bench.Stdout, "cpu_seconds"), 3);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var run = Assert.Single(document.RootElement.GetProperty("runs").EnumerateArray());
        var repeats = run.GetProperty("repeats").EnumerateArray().ToList();
        Assert.Equal(3, repeats.Count);
        Assert.Equal(each, repeats.Select(r => Math.Round(r.GetProperty("cpu_seconds").GetDouble(), 3)));
        Assert.Contains(repeats, r => r.GetProperty("wall_seconds").GetDouble() == run.GetProperty("wall_seconds").GetDouble());
        Assert.Contains("the run with the median CPU time", File.ReadAllText(page), StringComparison.Ordinal);

        var refused = CliProcess.Run("bench", "--rows", "1000", "--repeat", "0", "--dir", Path.Combine(_directory, "other"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("error EM0720", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--repeat 0", refused.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "other")));
    }

    [Fact]
    public void Bench_runs_a_share_of_the_left_rows_on_the_same_results_rows_and_splits_the_cost()
    {
        var json = Path.Combine(_directory, "bench.json");
        var page = Path.Combine(_directory, "results.md");
        var data = Path.Combine(_directory, "data");

        var bench = CliProcess.Run("bench", "--rows", "1000", "--seed", "4", "--left-share", "0.5", "--dir", data, "--json", json, "--markdown", page);

        Assert.True(bench.ExitCode == 0, bench.Output);
        Assert.Contains("then keeping 0.5 of its left rows", bench.Stdout, StringComparison.Ordinal);
        var whole = Path.Combine(data, "rows-1000-seed-4");
        var share = whole + "-left-0.5";

        // The same results rows, byte for byte; the left rows and the truth a sample of the whole project's by id.
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "data", "airbyte", "ddhq_election_results.parquet")), File.ReadAllBytes(Path.Combine(share, "data", "airbyte", "ddhq_election_results.parquet")));
        var wholeIds = Ids(Path.Combine(whole, "data", "airbyte", "hubspot_candidacy.parquet"));
        var shareIds = Ids(Path.Combine(share, "data", "airbyte", "hubspot_candidacy.parquet"));
        Assert.Equal(1000, wholeIds.Count);
        Assert.InRange(shareIds.Count, 400, 600);
        Assert.Subset(wholeIds, shareIds);

        // Before, the share run's line said it ran on the whole project's 1,000 rows.
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"running candidacy_ddhq_matches on {shareIds.Count:N0} rows in a child process"), bench.Stdout, StringComparison.Ordinal);
        Assert.Contains("-left-0.5) (0.5 of the 1,000 left rows)", bench.Stdout, StringComparison.Ordinal);
        var wholeTruth = File.ReadLines(Path.Combine(whole, "truth", "candidacy_ddhq_matches.csv")).ToList();
        var shareTruth = File.ReadLines(Path.Combine(share, "truth", "candidacy_ddhq_matches.csv")).ToList();
        Assert.Equal(wholeTruth[0], shareTruth[0]);
        Assert.Equal(wholeTruth.Skip(1).Where(l => shareIds.Contains(l.Split(',')[0])).Order(StringComparer.Ordinal), shareTruth.Skip(1).Order(StringComparer.Ordinal));

        // The plain lines: the share run's, and the line through both runs, which passes through each run's CPU time.
        var shareLine = System.Text.RegularExpressions.Regex.Match(bench.Stdout, @"(?m)^left_share: 0\.5 \(left ([\d,]+), right ([\d,]+)\)$");
        Assert.True(shareLine.Success, bench.Stdout);
        Assert.Equal(shareIds.Count, long.Parse(shareLine.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        var cpu = Line(bench.Stdout, "cpu_seconds");
        var shareCpu = Line(bench.Stdout, "left_share_cpu_seconds");
        var fixedCpu = SignedLine(bench.Stdout, "fixed_cpu_seconds");
        var perMillion = SignedLine(bench.Stdout, "cpu_seconds_per_million_left_rows");
        Assert.Equal(cpu, fixedCpu + (perMillion * 1000 / 1e6), 0.002);
        Assert.Equal(shareCpu, fixedCpu + (perMillion * shareIds.Count / 1e6), 0.002);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var run = Assert.Single(document.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal(0.5, run.GetProperty("left_share").GetProperty("share").GetDouble());
        var shareRun = run.GetProperty("left_share").GetProperty("run");
        Assert.Equal(shareIds.Count, shareRun.GetProperty("left_rows_read").GetInt64());
        Assert.Equal(run.GetProperty("right_rows_read").GetInt64(), shareRun.GetProperty("right_rows_read").GetInt64());
        Assert.Equal(fixedCpu, run.GetProperty("cost_split").GetProperty("whole").GetProperty("fixed_seconds").GetDouble(), 3);
        Assert.Contains("What a run costs whatever its left rows", File.ReadAllText(page), StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"| stage group | 1,000 | {shareIds.Count:N0} (0.5) | fixed | per 1M left |"), File.ReadAllText(page), StringComparison.Ordinal);

        // A second bench reuses both projects; --from draws the split again from the JSON alone.
        var again = CliProcess.Run("bench", "--rows", "1000", "--seed", "4", "--left-share", "0.5", "--dir", data);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("reusing ", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("rows-1000-seed-4-left-0.5 (rows=1000 seed=4 left-share=0.5", again.Stdout, StringComparison.Ordinal);
        var redrawn = Path.Combine(_directory, "redrawn.md");
        var redraw = CliProcess.Run("bench", "--from", json, "--markdown", redrawn);
        Assert.True(redraw.ExitCode == 0, redraw.Output);
        Assert.Contains("| **whole run** |", File.ReadAllText(redrawn), StringComparison.Ordinal);

        // Out of range, more than three decimals, not a number in the invariant culture: refused before anything is made.
        foreach (var bad in new[] { "1", "0", "-0.2", "0.3333", "0,5" })
        {
            var refused = CliProcess.Run("bench", "--rows", "1000", "--left-share", bad, "--dir", Path.Combine(_directory, "other"));
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("error EM0720", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains(bad, refused.Stderr, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(_directory, "other")));

        // A sample that keeps none or all of the candidacies has nothing to split: refused before either project is run.
        var tiny = CliProcess.Run("bench", "--rows", "1", "--left-share", "0.5", "--dir", Path.Combine(_directory, "tiny"));
        Assert.Equal(1, tiny.ExitCode);
        Assert.Contains("error EM0720", tiny.Stderr, StringComparison.Ordinal);
        Assert.Contains("of the 1 candidacies; a split needs some of them but not all", tiny.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("running ", tiny.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10k", "--rows '10k' is not a whole number")]
    [InlineData("2000,,300", "item 2 is empty")] // Before, the empty item was dropped without a word.
    [InlineData("2000,", "item 2 is empty")]
    [InlineData(" ", "--rows is empty")]
    // In synth's words for its --rows (before, "'1.000' is not a positive whole number").
    [InlineData("1.000", "--rows 1.000 is not a whole number: write it without a decimal point (1000, or 1e3)")]
    [InlineData("2000,5.0", "--rows 5.0 is not a whole number: write it without a decimal point (1000, or 1e3)")]
    [InlineData("1.5", "--rows 1.5 is not a whole number")]
    [InlineData("3000000000", "--rows 3000000000 is more than it takes (2147483647 at most)")]
    [InlineData("-5", "--rows -5: generate at least one row")]
    [InlineData("2000,0", "--rows 0: generate at least one row")]
    public void Bad_row_counts_are_refused(string rows, string message)
    {
        var bench = CliProcess.Run("bench", "--rows", rows, "--dir", _directory);

        Assert.Equal(1, bench.ExitCode);
        Assert.Contains("error EM0720: " + (message.StartsWith("--", StringComparison.Ordinal) ? "" : $"--rows '{rows}': ") + message, bench.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void Row_counts_are_read_as_synth_reads_its_rows_with_an_exponent()
    {
        // Before, --rows 1e3 was refused ("'1e3' is not a positive whole number") where synth --rows 1e3 generated 1,000.
        var twice = CliProcess.Run("bench", "--rows", "1e3,1000", "--dir", _directory);

        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("error EM0720: --rows 1000,1000: 1000 is given twice", twice.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void A_row_count_written_with_an_exponent_measures_that_many_rows()
    {
        var data = Path.Combine(_directory, "data");
        _set.CopyTo(data);

        var bench = CliProcess.Run("bench", "--rows", "2e2", "--dir", data);

        Assert.True(bench.ExitCode == 0, bench.Output);
        Assert.Contains($"reusing data/{BenchedSet.Folder} (rows=200 seed=1", bench.Stdout.Replace(_directory + "/", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^rows: 200 \(left 200,", bench.Stdout);
    }

    [Fact]
    public void A_set_changed_since_bench_made_it_is_generated_again_not_reused()
    {
        // The set as a first bench left it, and what that bench printed.
        var data = Path.Combine(_directory, "data");
        var first = _set.Bench;
        var truth = Path.Combine(_set.CopyTo(data), "truth", "candidacy_ddhq_matches.csv");
        File.WriteAllLines(truth, File.ReadLines(truth).Take(20).ToList());

        var again = CliProcess.Run("bench", "--rows", "200", "--dir", data);

        // Before, the stamp's key alone was trusted: "reusing", and the truncated truth's precision as seed 1's.
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("not reusing data/rows-200-seed-1: truth/candidacy_ddhq_matches.csv changed since bench generated it; generating it again", again.Stdout.Replace(_directory + "/", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotMatch("(?m)^reusing ", again.Stdout);
        Assert.Equal(Line(first.Stdout, "precision"), Line(again.Stdout, "precision"), 9);
        Assert.Equal(Line(first.Stdout, "recall"), Line(again.Stdout, "recall"), 9);
    }

    [Fact]
    public void A_set_folder_bench_cannot_write_is_refused_naming_it_before_anything_runs()
    {
        // The set as a first bench left it.
        var data = Path.Combine(_directory, "data");
        var project = _set.CopyTo(data);
        List<string> readOnly = [project, Path.Combine(project, "target")];

        // As another user's set under the shared default --dir is.
        ReadOnlyPaths.Set(readOnly, true);
        CliProcess.Result again;
        try
        {
            again = CliProcess.Run("bench", "--rows", "200", "--dir", data);
        }
        finally
        {
            ReadOnlyPaths.Set(readOnly, false);
        }

        // Before, deleting the old warehouse stopped bench with an internal error (EM0504, "Access to the path … is denied").
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("rows-200-seed-1: error EM0503: the directory cannot be written (permission denied); bench runs the set", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("Pass --dir with a folder of your own", again.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("running ", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_set_folder_another_bench_holds_is_refused_and_a_run_that_would_wait_for_its_warehouse_fails()
    {
        var data = Path.Combine(_directory, "data");
        var project = Path.Combine(data, "rows-200-seed-1");

        // The lock bench and synth take on a set folder is the warehouse lock's, keyed by the folder's path.
        CliProcess.Result held;
        using (Warehouse.WarehouseLock.Acquire(project, TimeSpan.Zero, "bench --rows 200 --dir elsewhere"))
        {
            held = CliProcess.Run("bench", "--rows", "200", "--dir", data);
        }

        // Before, both benches ran, each deleting the other's warehouse.
        Assert.Equal(1, held.ExitCode);
        Assert.Contains("error EM0052: the folder is in use by another electionmatch command (process " + Environment.ProcessId + ", `electionmatch bench --rows 200 --dir elsewhere` since", held.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(project));

        // A run that would wait for its warehouse (an explain or a DuckDB shell holding it) fails at once instead of
        // counting the wait as its time. Before, it waited up to 60 s, and its figures held the wait.
        CliProcess.Result waiting;
        using (Warehouse.WarehouseLock.Acquire(Path.Combine(project, "target", "synth.duckdb"), TimeSpan.Zero, "explain candidacy_ddhq_matches"))
        {
            waiting = CliProcess.Run("bench", "--rows", "200", "--dir", data);
        }

        Assert.Equal(1, waiting.ExitCode);
        Assert.Contains("error EM0721: electionmatch run exited with 1 on 200 rows:", waiting.Stderr, StringComparison.Ordinal);
        Assert.Contains("error EM0600: the warehouse is in use by another electionmatch command", waiting.Stderr, StringComparison.Ordinal);
        Assert.Contains("waited 0 s for it", waiting.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_labels_its_figures_with_the_commit_it_was_built_from_not_the_working_directorys()
    {
        // A repository of its own, as a user's dbt repository is: before, its commit labelled the figures.
        var repository = Path.Combine(_directory, "repo");
        Directory.CreateDirectory(repository);
        foreach (var arguments in new[] { "init -q", "-c user.email=t@t -c user.name=t commit -q --allow-empty -m x" })
        {
            using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", arguments) { WorkingDirectory = repository })!;
            git.WaitForExit();
            Assert.Equal(0, git.ExitCode);
        }

        // A set a first bench generated: this bench runs it again, so generating it anew would prove nothing more.
        var json = Path.Combine(_directory, "bench.json");
        _set.CopyTo(Path.Combine(_directory, "data"));
        var bench = CliProcess.RunIn(repository, "bench", "--rows", "200", "--dir", Path.Combine(_directory, "data"), "--json", json);

        Assert.True(bench.ExitCode == 0, bench.Output);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var build = ToolInfo.Build;
        Assert.Contains("+", build, StringComparison.Ordinal);
        var revision = build[(build.IndexOf('+', StringComparison.Ordinal) + 1)..];
        var dirty = revision.EndsWith("-dirty", StringComparison.Ordinal) ? "-dirty" : "";
        Assert.Equal(revision[..12] + dirty, document.RootElement.GetProperty("machine").GetProperty("git_commit").GetString());
    }

    [Fact]
    public void A_row_count_given_twice_is_refused()
    {
        // Before, the size was measured twice and written twice to the JSON and the page (and --from kept one of them).
        var bench = CliProcess.Run("bench", "--rows", "200,1_000,200", "--dir", _directory);

        Assert.Equal(1, bench.ExitCode);
        Assert.Contains("error EM0720: --rows 200,1000,200: 200 is given twice", bench.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void A_page_without_its_markers_is_refused_before_anything_is_measured_or_written()
    {
        Directory.CreateDirectory(_directory);
        var page = Path.Combine(_directory, "page.md");
        File.WriteAllText(page, "# My notes\n");
        var json = Path.Combine(_directory, "bench.json");
        var data = Path.Combine(_directory, "data");

        var bench = CliProcess.Run("bench", "--rows", "200", "--dir", data, "--json", json, "--markdown", page);

        // Before, the page was refused only after every size had been generated and measured, and the JSON written.
        Assert.Equal(1, bench.ExitCode);
        Assert.Contains("page.md(1,1): error EM0723:", bench.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("running ", bench.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data));
        Assert.False(File.Exists(json));
        Assert.Equal("# My notes\n", File.ReadAllText(page));
    }

    [Fact]
    public void A_chart_not_named_svg_is_refused_before_anything_is_measured()
    {
        var chart = Path.Combine(_directory, "chart.png");

        var bench = CliProcess.Run("bench", "--rows", "200", "--dir", Path.Combine(_directory, "data"), "--chart", chart);

        // Before, the SVG was measured for and written to chart.png.
        Assert.Equal(1, bench.ExitCode);
        Assert.Contains("error EM0720: --chart", bench.Stderr, StringComparison.Ordinal);
        Assert.Contains("chart.png: the chart is SVG; name the file FILE.svg", bench.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void An_output_that_is_a_directory_or_cannot_be_written_is_refused_before_anything_is_measured()
    {
        var data = Path.Combine(_directory, "data");
        var locked = Path.Combine(_directory, "locked");
        Directory.CreateDirectory(Path.Combine(_directory, "bench.json"));
        Directory.CreateDirectory(locked);

        var directory = CliProcess.Run("bench", "--rows", "200", "--dir", data, "--json", Path.Combine(_directory, "bench.json"));
        ReadOnlyPaths.Set([locked], true);
        CliProcess.Result unwritable;
        try
        {
            unwritable = CliProcess.Run("bench", "--rows", "200", "--dir", data, "--markdown", Path.Combine(locked, "results.md"));
        }
        finally
        {
            ReadOnlyPaths.Set([locked], false);
        }

        // Before, both measured every size and then stopped with EM0504 ("please report it") and .NET's exception text.
        Assert.Equal(1, directory.ExitCode);
        Assert.Contains("bench.json: error EM0720: --json names a directory; name a file", directory.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, unwritable.ExitCode);
        Assert.Contains("locked: error EM0503: the directory cannot be written (permission denied); --markdown writes", unwritable.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(data));
    }

    [Fact]
    public void A_from_file_that_is_not_json_is_reported_at_the_line_where_it_stops_parsing()
    {
        Directory.CreateDirectory(_directory);
        var broken = Path.Combine(_directory, "broken.json");
        File.WriteAllText(broken, "{\n  \"results\": [\n    oops\n  ]\n}\n");

        var redraw = CliProcess.Run("bench", "--from", broken, "--chart", Path.Combine(_directory, "chart.svg"));

        Assert.Equal(1, redraw.ExitCode);
        // Before, the file with no line; then line 3 at column 1. 'oops' starts at column 5.
        Assert.Contains("broken.json(3,5): error EM0722: not a bench result: 'o' is an invalid start of a value.\n", redraw.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"runs\": [{\"rows\": \"x\"}]}", "(1,20)", "$.runs[0].rows must be a whole number, not \"x\"")]
    [InlineData("{\n  \"runs\": [\n    {\"rows\": 1},\n    {\"rows\": 2, \"stages\": [{\"stage\": 5}]}\n  ]\n}\n", "(4,38)", "$.runs[1].stages[0].stage must be a string, not 5")]
    [InlineData("{\"started_at_utc\": \"yesterday\"}", "(1,20)", "$.started_at_utc must be a date and time with its UTC offset (Z or +hh:mm), such as \"2026-01-01T00:00:00+00:00\", not \"yesterday\"")]
    // Before, read in the local time zone of whoever redrew it.
    [InlineData("{\"started_at_utc\": \"2026-01-01T00:00:00\"}", "(1,20)", "$.started_at_utc must be a date and time with its UTC offset (Z or +hh:mm), such as \"2026-01-01T00:00:00+00:00\", not \"2026-01-01T00:00:00\"")]
    public void A_from_file_with_a_value_of_the_wrong_kind_names_its_place_and_path_and_what_it_must_be(string text, string position, string message)
    {
        // Before, line 1 column 1 whatever the line, and System.Text.Json's words: "could not be converted to ElectionMatch.Benchmarking.BenchRun".
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "bad.json");
        File.WriteAllText(file, text);

        var redraw = CliProcess.Run("bench", "--from", file, "--chart", Path.Combine(_directory, "chart.svg"));

        Assert.Equal(1, redraw.ExitCode);
        Assert.Contains($"bad.json{position}: error EM0722: not a bench result: {message}\n", redraw.Stderr.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("ElectionMatch.", redraw.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "chart.svg")));
    }

    [Theory]
    [InlineData("{}", "'machine'")]
    [InlineData("{\"snapshot\": \"s\", \"elapsed_seconds\": 1, \"stages\": [], \"counts\": {}}", "'machine'")]
    [InlineData("{\"machine\": {\"cores\": 2, \"cpu_model\": \"c\", \"memory_gib\": 1, \"os\": \"o\", \"dotnet\": \"d\", \"tool_version\": \"t\"}}", "'runs'")]
    [InlineData("{\"machine\": {\"cores\": 2, \"cpu_model\": \"c\", \"memory_gib\": 1, \"os\": \"o\", \"dotnet\": \"d\", \"tool_version\": \"t\"}, \"runs\": [{\"rows\": 10}]}", "'stages'")]
    public void A_from_file_that_parses_but_is_not_a_bench_result_is_reported_at_its_first_line(string text, string missing)
    {
        // A run report (target/bench-run.json) or a hand-trimmed result: before, EM0504 (a NullReferenceException), after --json was written.
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "other.json");
        File.WriteAllText(file, text);
        var json = Path.Combine(_directory, "merged.json");

        var redraw = CliProcess.Run("bench", "--from", file, "--json", json, "--chart", Path.Combine(_directory, "chart.svg"));

        Assert.Equal(1, redraw.ExitCode);
        Assert.Contains($"other.json(1,1): error EM0722: not a bench result: it has no {missing}", redraw.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(json));
    }

    [Fact]
    public void A_page_written_without_a_chart_keeps_the_image_it_links_or_gets_none()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "bench.json");
        File.WriteAllText(file, "{\"machine\": {\"cores\": 2, \"cpu_model\": \"c\", \"memory_gib\": 1, \"os\": \"o\", \"dotnet\": \"d\", \"tool_version\": \"t\"}, \"runs\": []}");
        var linked = Path.Combine(_directory, "linked.md");
        File.WriteAllText(linked, "# Results\n\n" + Benchmarking.BenchPage.Begin + "\n![time and memory against rows](b1.svg)\n\nold figures\n" + Benchmarking.BenchPage.End + "\n");
        var fresh = Path.Combine(_directory, "fresh.md");

        var relinked = CliProcess.Run("bench", "--from", file, "--markdown", linked);
        var written = CliProcess.Run("bench", "--from", file, "--markdown", fresh);

        // Before, both linked results.svg, which this bench never drew, and the page's correct b1.svg was lost.
        Assert.Equal(0, relinked.ExitCode);
        Assert.Equal(0, written.ExitCode);
        var page = File.ReadAllText(linked);
        Assert.Contains(Benchmarking.BenchPage.Begin + "\n![time and memory against rows](b1.svg)\n\nMachine:", page, StringComparison.Ordinal);
        Assert.DoesNotContain("old figures", page, StringComparison.Ordinal);
        Assert.DoesNotContain("![", File.ReadAllText(fresh), StringComparison.Ordinal);
    }

    [Fact]
    public void From_without_an_output_is_refused()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "bench.json");
        File.WriteAllText(file, "{\"machine\": {\"cores\": 2, \"cpu_model\": \"c\", \"memory_gib\": 1, \"os\": \"o\", \"dotnet\": \"d\", \"tool_version\": \"t\"}, \"runs\": []}");

        var redraw = CliProcess.Run("bench", "--from", file);

        // Before, it read the file, wrote nothing and exited 0.
        Assert.Equal(1, redraw.ExitCode);
        Assert.Contains("error EM0720: --from measures nothing and writes only --json, --chart and --markdown; give at least one", redraw.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void From_with_an_option_that_says_how_to_measure_is_refused_naming_it()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "bench.json");
        File.WriteAllText(file, "{\"machine\": {\"cores\": 2, \"cpu_model\": \"c\", \"memory_gib\": 1, \"os\": \"o\", \"dotnet\": \"d\", \"tool_version\": \"t\"}, \"runs\": []}");
        var chart = Path.Combine(_directory, "chart.svg");

        var one = CliProcess.Run("bench", "--from", file, "--chart", chart, "--rows", "1000");
        var two = CliProcess.Run("bench", "--from", file, "--chart", chart, "--repeat", "3", "--left-share", "0.5");

        // Before, both drew the chart from the file and said nothing of the options they ignored.
        Assert.Equal(1, one.ExitCode);
        Assert.Contains("error EM0720: --from measures nothing, so --rows would be ignored; redraw from the JSON without it, or measure without --from", one.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, two.ExitCode);
        Assert.Contains("error EM0720: --from measures nothing, so --repeat, --left-share would be ignored; redraw from the JSON without them", two.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(chart));
    }

    [Fact]
    public void Ctrl_C_stops_bench_and_says_what_was_kept()
    {
        // A set a first bench generated, so that the interrupt comes during the run, which is what bench waits on.
        var json = Path.Combine(_directory, "bench.json");
        _set.CopyTo(Path.Combine(_directory, "data"));
        using var running = WatchedCli.Start(new Dictionary<string, string>(), "bench", "--rows", "200", "--dir", Path.Combine(_directory, "data"), "--json", json);
        running.WaitForStdout("running candidacy_ddhq_matches");

        running.Interrupt();
        var bench = running.Finish();

        // Before, the last line spoke of provider answers being cached, which a bench has none of.
        Assert.Equal(130, bench.ExitCode);
        Assert.Contains("electionmatch: cancelled; no figures were written", bench.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("provider", bench.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(json));
    }

    private static double SignedLine(string output, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(output, $@"(?m)^{name}: (-?[\d.]+)$");
        Assert.True(match.Success, $"no line '{name}:' in {output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static HashSet<string> Ids(string parquet)
    {
        using var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"select gp_candidacy_id from read_parquet('{parquet}')";
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static double Line(string output, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(output, $@"(?m)^{name}: ([\d.]+)$");
        Assert.True(match.Success, $"no line '{name}:' in {output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Precision and recall by plain set arithmetic over the snapshot's parquet export and the truth CSV.</summary>
    private static (double Precision, double Recall) Score(string data)
    {
        var project = Path.Combine(data, "rows-1000-seed-3");
        var truth = File.ReadLines(Path.Combine(project, "truth", "candidacy_ddhq_matches.csv")).Skip(1)
            .Select(l => l.Split(',')).Select(p => (p[0], p[2])).ToHashSet();
        var parquet = Directory.EnumerateFiles(Path.Combine(project, "target"), "candidacy_ddhq_matches_20300101.parquet", SearchOption.AllDirectories).Single();
        using var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"select gp_candidacy_id, cast(ddhq_candidate_id as varchar) from read_parquet('{parquet}') where has_match";
        using var reader = command.ExecuteReader();
        var links = new HashSet<(string, string)>();
        while (reader.Read())
        {
            links.Add((reader.GetString(0), reader.GetString(1)));
        }

        var correct = links.Count(truth.Contains);
        return ((double)correct / links.Count, (double)correct / truth.Count);
    }
}
