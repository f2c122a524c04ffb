using ElectionMatch.Synthesis;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary><c>electionmatch synth</c> writes a project the other commands accept unchanged.</summary>
public sealed class SynthCommandTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "em-synth-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static void Succeeded(CliProcess.Result result) => Assert.True(result.ExitCode == 0, result.Output);

    [Fact]
    public void A_synthetic_project_runs_evaluates_and_checks()
    {
        var synth = CliProcess.Run("synth", "--rows", "2000", "--seed", "5", "--out", _directory, "--rate", "typo=0.1", "--rate", "namesake=0.1");
        Succeeded(synth);
        Assert.Matches(@"candidacies: +2,000", synth.Stdout);
        Assert.Contains("| `typo` | 0.1 | candidacy |", File.ReadAllText(Path.Combine(_directory, "truth", "README.md")), StringComparison.Ordinal);

        var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--allow-future-date", "--snapshot-date", "2030-06-03", "--project-dir", _directory);
        Succeeded(run);

        // Parquet inputs are hashed beside the match; the note names the stages whose CPU time includes that work.
        Assert.Matches(@"(?m)^  input_hashes .*hashed beside the match in \d+\.\d s of wall time, during reference(, | to [a-z_]+, )whose CPU time includes it$", run.Stdout);
        var evaluate = CliProcess.Run("evaluate", "candidacy_ddhq_matches", "--project-dir", _directory, "--truth", Path.Combine(_directory, "truth", "candidacy_ddhq_matches.csv"));
        Succeeded(evaluate);
        Assert.Matches(@"(?m)^precision: [01]\.\d{4}$", evaluate.Stdout);
        Assert.Matches(@"(?m)^recall: [01]\.\d{4}$", evaluate.Stdout);

        var check = CliProcess.Run("check", "--project-dir", _directory);
        Succeeded(check);
        Assert.Contains("check passed", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_runoff_the_run_discovers_for_the_candidacys_own_person_is_scored_as_a_true_link()
    {
        Succeeded(CliProcess.Run("synth", "--rows", "2000", "--seed", "1", "--out", _directory));
        Succeeded(CliProcess.Run("run", "candidacy_ddhq_matches", "--allow-future-date", "--snapshot-date", "2030-06-03", "--project-dir", _directory));
        var evaluate = CliProcess.Run("evaluate", "candidacy_ddhq_matches", "--project-dir", _directory, "--truth", Path.Combine(_directory, "truth", "candidacy_ddhq_matches.csv"));
        Succeeded(evaluate);

        // From the snapshot and the results parquet, not from the truth: a linked runoff the run discovered (HubSpot does
        // not list it) whose results row prints the same name as the candidacy's linked row of an earlier stage, for the same
        // seat (the race name without its stage) in the same state and year, is that person's runoff.
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute($"""
            create view d as
            select candidate_id, state, election_date, regexp_replace(race_name, ' - [^-]*$', '') as seat,
                list_sort(string_split(upper(replace(candidate, ',', '')), ' ')) as name_tokens
            from {Sql.Literal(Path.Combine(_directory, "data", "airbyte", "ddhq_election_results.parquet"))};
            create view s as
            select gp_candidacy_id, ddhq_candidate_id, cast(json_extract(match_explanation, '$.discovered_runoff') as boolean) as discovered
            from {Sql.Literal(Path.Combine(_directory, "target", "model_predictions", "candidacy_ddhq_matches_20300603.parquet"))}
            where has_match;
            create table own_runoffs as
            select distinct r.gp_candidacy_id, r.ddhq_candidate_id
            from s as r
            join d as dr on dr.candidate_id = r.ddhq_candidate_id
            join s as b on b.gp_candidacy_id = r.gp_candidacy_id and not b.discovered
            join d as db on db.candidate_id = b.ddhq_candidate_id
            where r.discovered and db.state = dr.state and db.seat = dr.seat and db.name_tokens = dr.name_tokens
                and year(db.election_date) = year(dr.election_date) and db.election_date < dr.election_date;
            """);
        var runoffs = warehouse.Query("select gp_candidacy_id, cast(ddhq_candidate_id as varchar) from own_runoffs order by all", r => (Left: r.GetString(0), Right: r.GetString(1)));

        // Before, the truth held only the stages HubSpot lists, so each of these was printed as a false link.
        Assert.NotEmpty(runoffs);
        // A false line names the row between the ids: `false gpc-… runoff 2030-… -> 140… (truth: …)`.
        var falses = evaluate.Stdout.Split('\n').Where(l => l.StartsWith("false ", StringComparison.Ordinal)).ToList();
        Assert.All(runoffs, p => Assert.DoesNotContain(falses, l => l.StartsWith($"false {p.Left} ", StringComparison.Ordinal) && l.Contains($" -> {p.Right} (", StringComparison.Ordinal)));
        var truth = File.ReadAllLines(Path.Combine(_directory, "truth", "candidacy_ddhq_matches.csv"));
        Assert.All(runoffs, p => Assert.Contains($"{p.Left},runoff,{p.Right}", truth));
    }

    [Fact]
    public void An_out_folder_another_synth_or_bench_holds_is_refused_naming_the_holder()
    {
        // The lock synth and bench take on a project folder is the warehouse lock's, keyed by the folder's path.
        using (WarehouseLock.Acquire(_directory, TimeSpan.Zero, "synth --out elsewhere"))
        {
            var second = CliProcess.Run("synth", "--rows", "10", "--out", _directory, "--force");

            // Before, two synths on one folder replaced each other's files halfway, or one failed with EM0504.
            Assert.Equal(1, second.ExitCode);
            Assert.Contains("error EM0052: the folder is in use by another electionmatch command (process " + Environment.ProcessId + ", `electionmatch synth --out elsewhere` since", second.Stderr, StringComparison.Ordinal);
            Assert.Contains("let it finish, or write to another folder", second.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(_directory));
        }

        Succeeded(CliProcess.Run("synth", "--rows", "10", "--out", _directory));
    }

    [Fact]
    public void A_non_empty_directory_and_an_unknown_rate_are_refused()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "keep.txt"), "mine");

        var occupied = CliProcess.Run("synth", "--rows", "10", "--out", _directory);
        var unknown = CliProcess.Run("synth", "--rows", "10", "--out", _directory, "--force", "--rate", "nicknames=0.1");

        Assert.Equal(1, occupied.ExitCode);
        Assert.Contains("error EM0050", occupied.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("error EM0051", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("nickname", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void A_rate_given_twice_is_refused_naming_both_values()
    {
        var twice = CliProcess.Run("synth", "--rows", "10", "--out", _directory, "--rate", "typo=0.1", "--rate", "nickname=0.2", "--rate", "typo = 0.5");

        // Before: the second value won without a word.
        Assert.Equal(1, twice.ExitCode);
        Assert.Contains("error EM0051: --rate 'typo' is given twice ('typo=0.1', 'typo = 0.5')", twice.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void A_rate_of_minus_zero_writes_the_files_a_rate_of_zero_writes()
    {
        var minus = CliProcess.Run("synth", "--rows", "10", "--out", _directory, "--rate", "typo=-0");

        // Before: the truth README's rate table said -0, so the same data came with other bytes than typo=0's.
        Assert.Equal(0, minus.ExitCode);
        Assert.Contains("| `typo` | 0 | candidacy |", File.ReadAllText(Path.Combine(_directory, "truth", "README.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void An_out_path_that_is_a_file_or_cannot_be_written_is_refused_with_its_name()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "project");
        File.WriteAllText(file, "mine");
        var locked = Path.Combine(_directory, "locked");
        Directory.CreateDirectory(locked);

        var onFile = CliProcess.Run("synth", "--rows", "10", "--out", file, "--force");
        var underFile = CliProcess.Run("synth", "--rows", "10", "--out", Path.Combine(file, "sub"));
        ReadOnlyPaths.Set([locked], true);
        CliProcess.Result unwritable;
        try
        {
            unwritable = CliProcess.Run("synth", "--rows", "10", "--out", Path.Combine(locked, "sub"));
        }
        finally
        {
            ReadOnlyPaths.Set([locked], false);
        }

        // Before, each was EM0504 ("please report it") with .NET's exception text.
        Assert.Equal(1, onFile.ExitCode);
        Assert.Contains("project: error EM0050: is a file, not a directory", onFile.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, underFile.ExitCode);
        Assert.Contains("project: error EM0050: is a file, not a directory", underFile.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, unwritable.ExitCode);
        Assert.Contains("locked: error EM0503: the directory cannot be written (permission denied)", unwritable.Stderr, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(file));
        Assert.Empty(Directory.EnumerateFileSystemEntries(locked));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x y")]
    [InlineData("1abc")]
    [InlineData("a/b")]
    [InlineData("../../escape")]
    [InlineData("a: b")]
    public void A_name_dbt_would_refuse_is_refused_before_anything_is_written(string name)
    {
        var synth = CliProcess.Run("synth", "--rows", "10", "--out", _directory, "--name", name);

        // Before, it was written into dbt_project.yml and profiles.yml as it stood ('' made YAML run could not parse,
        // '../../escape' put the warehouse outside the project).
        Assert.Equal(1, synth.ExitCode);
        Assert.Contains($"error EM0051: --name '{name}' is not a dbt project name", synth.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void A_negative_seed_is_refused_by_synth_and_bench()
    {
        // System.Random folds the sign: --seed -7 wrote the same data as --seed 7 (and int.MinValue as int.MaxValue).
        var synth = CliProcess.Run("synth", "--rows", "10", "--seed", "-7", "--out", _directory);
        var bench = CliProcess.Run("bench", "--rows", "10", "--seed", "-7", "--dir", _directory);

        Assert.Equal(1, synth.ExitCode);
        Assert.Contains("error EM0051: --seed -7:", synth.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, bench.ExitCode);
        Assert.Contains("error EM0720: --seed -7:", bench.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Theory]
    [InlineData("synth", "--rows", "ten", "EM0051", "'ten' is not a whole number")]
    [InlineData("synth", "--seed", "1.5", "EM0051", "1.5 is not a whole number")]
    [InlineData("synth", "--rows", "3000000000", "EM0051", "3000000000 is more than it takes (2147483647 at most)")]
    [InlineData("synth", "--rows", "1.000", "EM0051", "1.000 is not a whole number: write it without a decimal point")]
    [InlineData("synth", "--rows", "5.0", "EM0051", "5.0 is not a whole number: write it without a decimal point")]
    [InlineData("bench", "--seed", "x", "EM0720", "'x' is not a whole number")]
    [InlineData("bench", "--repeat", "2.000", "EM0720", "2.000 is not a whole number: write it without a decimal point")]
    [InlineData("bench", "--repeat", "3x", "EM0720", "'3x' is not a whole number")]
    public void A_whole_number_option_given_something_else_is_the_commands_error_naming_it(string command, string option, string value, string code, string message)
    {
        string[] args = command == "synth"
            ? ["synth", "--out", _directory, .. option == "--rows" ? [] : new[] { "--rows", "10" }, option, value]
            : ["bench", "--dir", _directory, "--rows", "10", option, value];

        var result = CliProcess.Run(args);

        // Before: System.CommandLine's "Cannot parse argument 'ten' for option '--rows' as expected type 'System.Int32'" and the help;
        // and a decimal point was read: --rows 1.000 (a thousand, written the German way) generated one row.
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"electionmatch: error {code}: {option} {message}", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Usage:", result.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void Rows_beyond_the_free_space_of_the_output_device_are_refused_before_anything_is_written()
    {
        // int.MaxValue candidacies are about 800 GiB of files; before the check, synth wrote until the device was full.
        var free = new DriveInfo(Path.GetTempPath()).AvailableFreeSpace;
        Assert.True(free < 700L << 30, $"this test needs a temporary directory with less than 700 GiB free; it has {free >> 30} GiB");

        var synth = CliProcess.Run("synth", "--rows", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", _directory);
        var bench = CliProcess.Run("bench", "--rows", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", _directory);

        Assert.Equal(1, synth.ExitCode);
        Assert.Matches(@"error EM0051: --rows 2,147,483,647 needs about 800\.0 GiB on this device .* and it has \d+\.\d GiB free; generate at most about [\d,]+ rows there", synth.Stderr);
        Assert.Equal(1, bench.ExitCode);
        Assert.Contains("error EM0051: --rows 2,147,483,647 needs about 800.0 GiB", bench.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void Rates_that_exceed_1_together_are_named_with_their_values_and_the_fix()
    {
        // Only nickname was given: the message must show that quoted_nickname's default is what tips it over.
        var synth = CliProcess.Run("synth", "--rows", "10", "--out", _directory, "--rate", "nickname=1");
        var middle = CliProcess.Run("synth", "--rows", "10", "--out", _directory, "--rate", "middle_initial=0.9", "--rate", "goes_by_middle=0.2");

        Assert.Equal(1, synth.ExitCode);
        Assert.Contains("error EM0051: nickname (1) + quoted_nickname (0.03) exceed 1; a candidacy gets at most one of them: lower one, for example --rate quoted_nickname=0", synth.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, middle.ExitCode);
        Assert.Contains("error EM0051: middle_initial (0.9) + middle_name (0.04) + goes_by_middle (0.2) exceed 1; a candidacy gets at most one of them: lower one, for example --rate goes_by_middle=0", middle.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void A_synth_killed_while_replacing_a_project_leaves_the_old_project_whole_and_the_next_synth_clears_what_it_left()
    {
        Assert.Equal(0, CliProcess.Run("synth", "--rows", "10", "--out", _directory).ExitCode);
        var before = Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        var partialTruth = Path.Combine(_directory, SynthProjectWriter.PartialDirectory, "truth", "candidacy_ddhq_matches.csv");

        using (var running = WatchedCli.Start(new Dictionary<string, string>(), "synth", "--rows", "100000", "--seed", "2", "--out", _directory, "--force"))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(partialTruth) && clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                Thread.Sleep(10);
            }

            Assert.True(File.Exists(partialTruth), "synth never began writing its project aside");
        } // kill -9, mid-generation

        // Before, --force deleted the old files first and a killed synth left half of the new ones.
        var after = Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories).Where(f => !f.Contains(SynthProjectWriter.PartialDirectory, StringComparison.Ordinal)).ToList();
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Order(StringComparer.Ordinal));
        Assert.All(after, f => Assert.Equal(before[f], File.ReadAllBytes(f)));
        // Its scratch database too is in the folder the next synth clears, not left in the temporary directory.
        Assert.True(File.Exists(Path.Combine(_directory, SynthProjectWriter.PartialDirectory, "candidacies.scratch.duckdb")));

        var again = CliProcess.Run("synth", "--rows", "20", "--out", _directory, "--force");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.False(Directory.Exists(Path.Combine(_directory, SynthProjectWriter.PartialDirectory)));
        var candidacies = Path.Combine(_directory, SynthProjectWriter.CandidacyParquet);
        Assert.NotEqual(before[candidacies], File.ReadAllBytes(candidacies));
        Assert.True(File.Exists(Path.Combine(_directory, "dbt_project.yml")));
    }

    [Fact]
    public void Ctrl_C_stops_synth_and_says_the_project_is_incomplete()
    {
        // 100,000 rows take a few seconds: the truth file is created as generation starts, long before it ends.
        using var running = WatchedCli.Start(new Dictionary<string, string>(), "synth", "--rows", "100000", "--out", _directory);
        var truth = Path.Combine(_directory, SynthProjectWriter.PartialDirectory, "truth", "candidacy_ddhq_matches.csv");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(truth) && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            Thread.Sleep(10);
        }

        running.Interrupt();
        var synth = running.Finish();

        // Before, the last line spoke of provider answers being cached, which synth has none of.
        Assert.Equal(130, synth.ExitCode);
        Assert.Contains("electionmatch: cancelled; nothing in ", synth.Stderr, StringComparison.Ordinal);
        Assert.Contains(" was replaced: the project is generated aside and takes the old one's place only when whole", synth.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("provider", synth.Stderr, StringComparison.Ordinal);
        // Before, a stopped synth left data/ and truth/ half written beside no dbt_project.yml.
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
    }
}
