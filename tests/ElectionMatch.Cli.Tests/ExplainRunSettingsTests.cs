using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// `explain` shows a snapshot's run as that run was: a candidacy's name as its input row writes it, a judged row's reason by
/// the thresholds the run applied (recorded with it), whatever electionmatch.yml says now, or by today's with a warning
/// when the run recorded none; and it reads the warehouse with
/// the <c>engine:</c> settings a run applies.
/// </summary>
public sealed class ExplainRunSettingsTests(SharedUninterruptedRun shared) : IClassFixture<SharedUninterruptedRun>, IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private static CliProcess.Result Cli(FixtureCopy fixture, params string[] args)
    {
        var result = CliProcess.Run([.. args, "--project-dir", fixture.Directory]);
        Assert.True(result.ExitCode == 0, result.Output);
        return result;
    }

    // Before, the header read "Henry Johnson": the first and last name the model reads, without the middle name, nickname
    // and suffix the input maps, by which a reader tells him from another Henry Johnson.
    [Fact]
    public void A_candidacys_header_shows_its_name_as_the_input_writes_it_after_a_plain_and_an_incremental_run()
    {
        using var legislators = FixtureCopy.Of("legislators");
        Assert.Contains("J000288-2012,J000288,Henry,C.,Johnson,Jr.,Hank,M,GA,", legislators.Read("data/left.csv"), StringComparison.Ordinal);
        Assert.Contains("B000490-2012,B000490,Sanford,D.,Bishop,Jr.,,M,GA,", legislators.Read("data/left.csv"), StringComparison.Ordinal);
        // Georgia's candidacies alone: the incremental run below then computes one state partition, not fifty.
        File.WriteAllLines(legislators.PathOf("data/left.csv"), File.ReadAllLines(legislators.PathOf("data/left.csv")).Where((l, i) => i == 0 || l.Split(',')[8] == "GA"));
        string Header(string id) => Assert.Single(
            Cli(legislators, "explain", Match, id, "--candidates", "0").Stdout.ReplaceLineEndings("\n").Split('\n'),
            l => l.StartsWith(id + " general ", StringComparison.Ordinal));

        Cli(legislators, "run", Match, "--snapshot-date", "2026-11-30");
        Assert.Equal("J000288-2012 general 2012-11-06: Henry C. \"Hank\" Johnson Jr. (GA)", Header("J000288-2012"));
        Assert.Equal("B000490-2012 general 2012-11-06: Sanford D. Bishop Jr. (GA)", Header("B000490-2012"));

        // A state partition's stages are read from the cache, which keeps the input row's name columns for it.
        Cli(legislators, "run", Match, "--snapshot-date", "2026-11-30", "--replace", "--incremental");
        Assert.Equal("J000288-2012 general 2012-11-06: Henry C. \"Hank\" Johnson Jr. (GA)", Header("J000288-2012"));
    }

    // Before, the reason read "below accept 0.9995 and above reject 0.5": the thresholds of electionmatch.yml as edited
    // after the run, which did not send the row to the judge for that reason.
    [Fact]
    public void A_judged_rows_reason_is_worded_by_the_thresholds_its_run_applied_and_a_changed_electionmatch_yml_is_said_in_one_line()
    {
        Cli(_fixture, "run", Match, "--snapshot-date", "2026-11-30");
        // gpc-003688's general: Marco Huerta's best free pair, ERICK HUERTA, is above accept 0.95 but its first name is vetoed.
        var before = Cli(_fixture, "explain", Match, "gpc-003688", "--candidates", "0");
        Assert.Contains(
            "\n  sent to the judge: its best free pair, ERICK HUERTA [1403365], has match probability 0.9990, at or above accept 0.95, but a veto level (first_name different): no score overrules it, only the judge\n",
            before.Stdout.ReplaceLineEndings("\n"),
            StringComparison.Ordinal);
        Assert.Equal("", before.Stderr);

        _fixture.Replace("electionmatch.yml", "      accept: 0.95 ", "      accept: 0.9995 ");
        var after = Cli(_fixture, "explain", Match, "gpc-003688", "--candidates", "0");

        Assert.Equal(before.Stdout, after.Stdout);
        var line = _fixture.Read("electionmatch.yml").Split('\n').ToList().FindIndex(l => l == "  candidacy_ddhq_matches:") + 1;
        var warning = Assert.Single(after.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith(
            $"electionmatch.yml({line},3): warning EM0609: the settings of candidacy_ddhq_matches in electionmatch.yml (its entry under matches:, or quarantine:) changed since candidacy_ddhq_matches_20261130 was made; "
            + "explain shows that run's decisions by its own thresholds: accept 0.95, reject 0.5, judge_accept 70 (electionmatch.yml now: accept 0.9995, reject 0.5, judge_accept 70)",
            warning,
            StringComparison.Ordinal);
    }

    // Before, a run of an earlier build, which recorded no thresholds, had its judged rows' reasons worded by
    // electionmatch.yml's thresholds as they are now, and said so only in the one reason worded "yet not linked by score".
    [Fact]
    public void A_run_that_recorded_no_thresholds_is_worded_by_todays_electionmatch_yml_and_one_warning_says_so()
    {
        using var project = shared.Run.Project.Clone();
        using (var warehouse = DuckDbWarehouse.Open(project.WarehousePath))
        {
            // run_identity as an earlier build wrote it: the run id and the snapshot alone.
            warehouse.Execute("""
                alter table em_run_candidacy_ddhq_matches.run_identity drop column thresholds_json;
                alter table em_run_candidacy_ddhq_matches.run_identity drop column match_settings_sha256;
                """);
        }

        project.Replace("electionmatch.yml", "      accept: 0.95 ", "      accept: 0.9995 ");
        var explain = Cli(project, "explain", Match, "gpc-003688", "--candidates", "0");

        // Today's accept is the only one known: the line is worded by it, and the warning says whose thresholds they are.
        Assert.Contains(
            "\n  sent to the judge: its best free pair, ERICK HUERTA [1403365], has match probability 0.9990, below accept 0.9995 and above reject 0.5\n",
            explain.Stdout.ReplaceLineEndings("\n"),
            StringComparison.Ordinal);
        var line = project.Read("electionmatch.yml").Split('\n').ToList().FindIndex(l => l == "  candidacy_ddhq_matches:") + 1;
        var warning = Assert.Single(explain.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith(
            $"electionmatch.yml({line},3): warning EM0116: the run that published {UninterruptedRun.Snapshot} did not record the thresholds it decided by (a run of an earlier build), "
            + "so explain words its judged rows by electionmatch.yml's thresholds today, which may not be those the run applied: accept 0.9995, reject 0.5, judge_accept 70",
            warning,
            StringComparison.Ordinal);
    }

    // Before, explain (as check and verify, which open the warehouse the same way: ProjectReadingTests) read with DuckDB's
    // default memory_limit, 80 % of the machine. The run's output is made a view that appends the connection's memory_limit
    // to each decision, so explain prints the limit its own connection has.
    [Fact]
    public void Explain_reads_the_warehouse_with_the_engine_memory_limit()
    {
        Cli(_fixture, "run", Match, "--snapshot-date", "2026-11-30");
        _fixture.Replace("electionmatch.yml", "engine:\n", "engine:\n  memory_limit: 300MB\n");
        using (var connection = new DuckDB.NET.Data.DuckDBConnection($"Data Source={_fixture.WarehousePath}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                alter table em_run_candidacy_ddhq_matches.output rename to output_published;
                create view em_run_candidacy_ddhq_matches.output as
                select * replace (llm_reasoning || ' [memory_limit ' || current_setting('memory_limit') || ']' as llm_reasoning)
                from em_run_candidacy_ddhq_matches.output_published;
                """;
            command.ExecuteNonQuery();
        }

        var explain = Cli(_fixture, "explain", Match, "gpc-003688", "--candidates", "0");

        var decisions = explain.Stdout.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith("  decision: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, decisions.Count);
        Assert.All(decisions, d => Assert.EndsWith(" [memory_limit 286.1 MiB]", d, StringComparison.Ordinal));
    }
}
