using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>The walking skeleton end to end: run, generate and check on a private copy of the goodparty fixture.</summary>
public sealed class RunGenerateCheckTests(SharedUninterruptedRun shared) : IClassFixture<SharedUninterruptedRun>, IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Snapshot = "candidacy_ddhq_matches_20300603";
    private const string StagingSql = "models/staging/model_predictions_source/stg_model_predictions__candidacy_ddhq_matches_20300603.sql";
    private const string StagingYaml = "models/staging/model_predictions_source/stg_model_predictions__candidacy_ddhq_matches_20300603.yml";
    private const string SourcesYaml = "models/staging/__sources.yaml";

    private FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    /// <summary>
    /// Starts from the fixture as a plain run of the match on 2030-06-03 left it: a copy of the run the test process made
    /// once (<see cref="SharedUninterruptedRun"/>), the same command <see cref="RunMatch"/> runs.
    /// </summary>
    private void StartFromPlainRun()
    {
        _fixture.Dispose();
        _fixture = shared.Run.Project.Clone();
    }

    private CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", _fixture.Directory]);

    private CliProcess.Result RunMatch(params string[] extra)
    {
        var result = Cli("run", [Match, "--allow-future-date", "--snapshot-date", "2030-06-03", .. extra]);
        Assert.True(result.ExitCode == 0, result.Output);
        return result;
    }

    [Fact]
    public void Run_generate_and_check_pass_on_the_fixture()
    {
        var sourcesBefore = _fixture.Read(SourcesYaml);

        // The executable itself, as a user runs it (the other tests run the same command tree in this process).
        var run = CliProcess.RunChild("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-03", "--project-dir", _fixture.Directory);
        Assert.True(run.ExitCode == 0, run.Output);

        Assert.Contains("published model_predictions.candidacy_ddhq_matches_20300603", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("temporal filter kept", run.Stdout, StringComparison.Ordinal);
        // The startup stage says when DuckDB's pool got huge pages: wherever the kernel's THP mode lets a process ask.
        Assert.Equal(HugePages.Mode() is "madvise" or "always", run.Stdout.Contains("buffer pool advised for transparent huge pages", StringComparison.Ordinal));
        Assert.True(File.Exists(_fixture.PathOf(StagingSql)));
        Assert.True(File.Exists(_fixture.PathOf(StagingYaml)));
        Assert.True(File.Exists(_fixture.PathOf("target/model_predictions/candidacy_ddhq_matches_20300603.parquet")));
        Assert.True(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")));

        // The sources YAML gained exactly one entry and kept every other byte.
        var sourcesAfter = _fixture.Read(SourcesYaml);
        var entryStart = sourcesAfter.IndexOf("      - name: candidacy_ddhq_matches_20300603\n", StringComparison.Ordinal);
        Assert.True(entryStart > 0, sourcesAfter);
        var entryEnd = sourcesAfter.IndexOf("manifest: electionmatch/manifests/candidacy_ddhq_matches_20300603.json\n", entryStart, StringComparison.Ordinal);
        entryEnd += "manifest: electionmatch/manifests/candidacy_ddhq_matches_20300603.json\n".Length;
        Assert.Equal(sourcesBefore, sourcesAfter.Remove(entryStart, entryEnd - entryStart));

        var check = CliProcess.RunChild("check", "--project-dir", _fixture.Directory);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("check passed", check.Stdout, StringComparison.Ordinal);
        // The mart still reads the hand-loaded November snapshot: superseded now, so a warning, not an error.
        Assert.Contains("warning EM0106", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("m_general__candidacy_result.sql(8,26)", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_twice_changes_nothing_and_leaves_hand_written_models_alone()
    {
        StartFromPlainRun();
        var before = _fixture.Snapshot();

        var first = Cli("generate");
        var second = Cli("generate");

        Assert.True(first.ExitCode == 0, first.Output);
        // The hand-written staging models of the two older candidacy snapshots and the two older district snapshots.
        Assert.Matches(@"^0 written, \d+ unchanged, 4 user-owned left alone", first.Stdout);
        Assert.Contains("0 written", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, _fixture.Snapshot());
    }

    [Fact]
    public void Generate_recreates_a_deleted_staging_model_byte_for_byte()
    {
        StartFromPlainRun();
        var original = _fixture.Read(StagingSql);
        File.Delete(_fixture.PathOf(StagingSql));

        var generate = Cli("generate");

        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal(original, _fixture.Read(StagingSql));
    }

    [Fact]
    public void The_published_table_has_the_spec_columns_in_order_then_ours()
    {
        StartFromPlainRun();

        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        var columns = warehouse.Describe($"select * from model_predictions.{Snapshot}").Select(c => c.Name);

        Assert.Equal(
            [
                "gp_candidacy_id", "hubspot_first_name", "hubspot_last_name", "hubspot_election_date", "hubspot_election_type",
                "llm_best_match", "llm_confidence", "llm_reasoning", "has_match", "ddhq_candidate", "ddhq_race_name",
                "ddhq_race_id", "ddhq_candidate_id", "ddhq_is_winner", "match_similarity", "embedding_text",
                "match_probability", "match_weight", "decided_by", "match_explanation",
            ],
            columns);
        Assert.True(warehouse.TableExists("model_predictions", Snapshot + "__quarantine"));
        Assert.Equal(0, warehouse.Scalar<long>("select count(*) from information_schema.tables where table_name like '__em_publishing_%'"));
    }

    [Fact]
    public void Easy_and_named_hard_cases_agree_with_the_truth_file()
    {
        StartFromPlainRun();
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        string? Linked(string id, string type) => warehouse.Scalar<string>(
            $"select cast(ddhq_candidate_id as varchar) from model_predictions.{Snapshot} where gp_candidacy_id = {Sql.Literal(id)} and hubspot_election_type = {Sql.Literal(type)} and has_match");

        // Nickname, quoted ballot nickname, accents, suffix, a blank state, primary + runoff + general.
        Assert.Equal("1403248", Linked("gpc-001623", "general"));
        Assert.Equal("1404909", Linked("gpc-002463", "general"));
        Assert.NotNull(Linked("gpc-003816", "general"));
        Assert.NotNull(Linked("gpc-000566", "general"));
        Assert.NotNull(Linked("gpc-001283", "general"));
        Assert.Equal("1402314", Linked("gpc-003602", "primary"));
        Assert.Equal("1402660", Linked("gpc-003602", "runoff"));
        Assert.Equal("1404782", Linked("gpc-003602", "general"));
        // Michael Turner is "J. Michael Turner" on the ballot.
        Assert.Equal("1404647", Linked("gpc-002423", "general"));
        // Susan Kopras is not Stanley Pokras; Geraldine is not Gerald; Erick Huerta is not Marco Huerta.
        Assert.Null(Linked("gpc-003288", "general"));
        Assert.Null(Linked("gpc-000919", "general"));
        Assert.Null(Linked("gpc-003688", "general"));
        Assert.Equal("1402168", Linked("gpc-003688", "primary"));

        // Every row with a truth pair agrees with it.
        var disagreements = warehouse.Scalar<long>($"""
            with
                truth as (select * from read_csv({Sql.Literal(_fixture.PathOf("truth/candidacy_ddhq_matches.csv"))}, header = true, all_varchar = true)),
                snapshot as (select * from model_predictions.{Snapshot})
            select count(*)
            from truth t
            left join snapshot s on s.gp_candidacy_id = t.gp_candidacy_id and s.hubspot_election_type = t.election_type
            where (not coalesce(s.has_match, false) or cast(s.ddhq_candidate_id as varchar) <> t.ddhq_candidate_id)
            """);
        Assert.Equal(0, disagreements);
    }

    [Fact]
    public void Evaluate_prints_precision_and_recall_against_the_truth()
    {
        StartFromPlainRun();

        var evaluate = Cli("evaluate", Match, "--truth", _fixture.PathOf("truth/candidacy_ddhq_matches.csv"));

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var lines = evaluate.Stdout.Split('\n');
        Assert.Matches(@"^precision: (1\.0000|0\.99\d\d)$", lines[0]);
        Assert.Matches(@"^recall: (1\.0000|0\.99\d\d)$", lines[1]);
        Assert.StartsWith("f1: ", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("judge_share: ", lines[3], StringComparison.Ordinal);
        var judgeShare = double.Parse(lines[3]["judge_share: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(judgeShare, 0.0, 0.05);
    }

    [Fact]
    public void Evaluate_reports_each_tier_and_the_closest_calls()
    {
        StartFromPlainRun();

        var evaluate = Cli("evaluate", Match, "--truth", _fixture.PathOf("truth/candidacy_ddhq_matches.csv"), "--hardest", "3");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Matches(@"(?m)^tier score: \d+ rows, \d+ links, \d+ correct \(precision 1\.0000\)", evaluate.Stdout);
        var hard = evaluate.Stdout.Split('\n').Where(l => l.StartsWith("hard ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, hard.Count);
        // The judge's rows come first: Gerald Whitfield is not Geraldine Whitfield.
        Assert.Contains(hard, l => l.Contains("gpc-000919", StringComparison.Ordinal) && l.Contains("right, not linked by judge", StringComparison.Ordinal));
        // Each names its row as miss and false lines do, by election type and date (before, the type alone).
        Assert.All(hard, l => Assert.Matches(@"^hard  gpc-\d{6} (primary|general|runoff) \d{4}-\d{2}-\d{2} \S", l));
        Assert.Contains(hard, l => Regex.IsMatch(l, "^hard  gpc-000919 (primary 2024-08-20|general 2024-11-05) "));
    }

    [Fact]
    public void Explain_prints_the_weight_waterfall_of_a_rows_candidates()
    {
        StartFromPlainRun();

        var explain = Cli("explain", Match, "gpc-001623");

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Contains("gpc-001623 primary 2024-03-05: Bob Johnson (CA)", explain.Stdout, StringComparison.Ordinal);
        // The decision in the published words (the snapshot's llm_reasoning).
        Assert.Contains("decision: linked by score: match probability 1.0000", explain.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\* Robert Johnson \[1402035\]", explain.Stdout);
        Assert.Matches(@"first_name +nickname +\+\d+\.\d\d", explain.Stdout);
        Assert.Matches(@"prior +-\d+\.\d\d", explain.Stdout);

        // Each pair says which rules made it a candidate: Bob against Robert by the searches, a row with the only
        // same-name results row on its office's ballot by the deterministic tier alone.
        Assert.Matches(new Regex(@"\* Robert Johnson \[1402035\] .*, found by embedding_top_k, surname_sound$", RegexOptions.Multiline), explain.Stdout);
        var tier = Cli("explain", Match, "gpc-000132");
        Assert.True(tier.ExitCode == 0, tier.Output);
        Assert.Matches(new Regex(@"\* Alyssa Vega \[1402844\] .*, found by exact_name$", RegexOptions.Multiline), tier.Stdout);
    }

    [Fact]
    public void Explain_before_any_run_says_to_run_first()
    {
        // The copy brings a warehouse along when the README's main command ran in the repository.
        if (Directory.Exists(_fixture.PathOf("target")))
        {
            Directory.Delete(_fixture.PathOf("target"), recursive: true);
        }

        var explain = Cli("explain", Match, "gpc-001623");

        Assert.Equal(1, explain.ExitCode);
        Assert.Contains("error EM0110", explain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_run_on_the_same_day_refuses_unless_told_to_replace()
    {
        StartFromPlainRun();
        var before = _fixture.Snapshot();

        var again = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-03");

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("error EM0040", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("--replace", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(before.Where(f => !f.Key.EndsWith(".duckdb", StringComparison.Ordinal)), _fixture.Snapshot().Where(f => !f.Key.EndsWith(".duckdb", StringComparison.Ordinal)));

        var replaced = RunMatch("--replace");
        Assert.Contains("published", replaced.Stdout, StringComparison.Ordinal);
        Assert.Single(_fixture.Read(SourcesYaml).Split('\n'), l => l.Contains("- name: candidacy_ddhq_matches_20300603", StringComparison.Ordinal));
    }

    [Fact]
    public void The_manifest_chains_to_the_previous_snapshot()
    {
        StartFromPlainRun();
        var first = _fixture.Read("electionmatch/manifests/candidacy_ddhq_matches_20300603.json");
        var second = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-10");
        Assert.True(second.ExitCode == 0, second.Output);

        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read("electionmatch/manifests/candidacy_ddhq_matches_20300610.json"));

        Assert.Equal(ElectionMatch.Snapshots.SnapshotManifest.Sha256(first), manifest.PreviousManifestSha256);
        Assert.Equal(300, manifest.Inputs[0].Rows);
        Assert.Equal(manifest.Counts["output_rows"], manifest.Rows);
    }

    [Fact]
    public void A_run_while_the_previous_manifest_is_away_chains_to_it_by_the_snapshot_log_and_verify_passes_once_it_is_back()
    {
        // The previous manifest moved away (a checkout that lacks it, a file not yet restored): the run linked to no
        // manifest, and putting the file back, as EM0607 advises, left the chain broken for good (EM0606).
        StartFromPlainRun();
        const string Previous = "electionmatch/manifests/candidacy_ddhq_matches_20300603.json";
        var first = _fixture.Read(Previous);
        File.Delete(_fixture.PathOf(Previous));

        var second = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-10");
        Assert.True(second.ExitCode == 0, second.Output);
        var manifest = ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read("electionmatch/manifests/candidacy_ddhq_matches_20300610.json"));
        Assert.Equal(ElectionMatch.Snapshots.SnapshotManifest.Sha256(first), manifest.PreviousManifestSha256);

        _fixture.Write(Previous, first);
        var verify = Cli("verify");
        Assert.True(verify.ExitCode == 0, verify.Output);
    }

    [Fact]
    public void A_generate_while_a_published_manifest_is_missing_keeps_naming_it_so_check_asks_only_to_restore_it()
    {
        // The snapshot log says a run wrote the manifest: generate wrote the staging YAML without its "Manifest: …"
        // sentence, check then asked both to restore the file (EM0607) and to generate (EM0107), and once the file was
        // restored, the YAML was out of date again.
        StartFromPlainRun();
        const string Manifest = "electionmatch/manifests/candidacy_ddhq_matches_20300603.json";
        const string StableYaml = "models/staging/model_predictions_source/stg_model_predictions__candidacy_ddhq_matches.yml";
        var manifest = _fixture.Read(Manifest);
        var staging = _fixture.Read(StagingYaml);
        var stable = _fixture.Read(StableYaml);
        Assert.Contains($"Manifest: {Manifest}.", staging, StringComparison.Ordinal);
        File.Delete(_fixture.PathOf(Manifest));

        var generate = Cli("generate");
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal(staging, _fixture.Read(StagingYaml));
        Assert.Equal(stable, _fixture.Read(StableYaml));

        var missing = Cli("check");
        Assert.Equal(1, missing.ExitCode);
        var error = Assert.Single(missing.Stderr.Split('\n'), l => l.Contains(": error EM", StringComparison.Ordinal));
        Assert.Contains($"error {Codes.ManifestMissing}: the manifest ", error, StringComparison.Ordinal);
        Assert.Contains($"{Manifest} of snapshot {Snapshot} is missing", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.GeneratedFileStale, missing.Output, StringComparison.Ordinal);

        _fixture.Write(Manifest, manifest);
        var check = Cli("check");
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.DoesNotContain(Codes.GeneratedFileStale, check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Manifests_checked_out_with_crlf_line_ends_verify_and_chain_as_published()
    {
        // Git for Windows checks text out with CRLF (core.autocrlf=true): every manifest and model file was "edited after
        // it was published" (EM0605, EM0610) and the chain broken (EM0606).
        StartFromPlainRun();
        void WithCrlf()
        {
            foreach (var file in Directory.EnumerateFiles(_fixture.PathOf("electionmatch/manifests"), "*.json"))
            {
                File.WriteAllText(file, File.ReadAllText(file).ReplaceLineEndings("\n").Replace("\n", "\r\n", StringComparison.Ordinal));
            }
        }

        WithCrlf();
        var verify = Cli("verify");
        Assert.True(verify.ExitCode == 0, verify.Output);

        var second = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-10");
        Assert.True(second.ExitCode == 0, second.Output);
        WithCrlf();
        verify = Cli("verify");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("\r\n", _fixture.Read("electionmatch/manifests/candidacy_ddhq_matches_20300610.model.json"), StringComparison.Ordinal);

        // A changed value is still an edit, whatever the line ends.
        _fixture.Replace("electionmatch/manifests/candidacy_ddhq_matches_20300603.json", "\"rows\": 360,", "\"rows\": 361,");
        verify = Cli("verify");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("EM0605", verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_fails_when_a_generated_file_was_edited_by_hand()
    {
        StartFromPlainRun();
        _fixture.Write(StagingSql, _fixture.Read(StagingSql).Replace("            has_match,\n", "            has_match, -- tweak\n", StringComparison.Ordinal));

        var check = Cli("check");
        var generate = Cli("generate");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("stg_model_predictions__candidacy_ddhq_matches_20300603.sql(", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("error " + Codes.GeneratedFileEdited, check.Stderr, StringComparison.Ordinal);
        // generate refuses to overwrite the edit and says why.
        Assert.Equal(1, generate.ExitCode);
        Assert.Contains("-- tweak", _fixture.Read(StagingSql), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_fails_when_a_staging_model_is_missing()
    {
        StartFromPlainRun();
        File.Delete(_fixture.PathOf(StagingSql));
        var sourcesLine = _fixture.Read(SourcesYaml).Split('\n').ToList().FindIndex(l => l.Contains("- name: candidacy_ddhq_matches_20300603", StringComparison.Ordinal)) + 1;

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"__sources.yaml({sourcesLine},", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("error " + Codes.StagingModelMissing, check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_fails_when_a_generated_staging_yaml_is_missing_and_generate_writes_it_again()
    {
        StartFromPlainRun();
        var yaml = _fixture.Read(StagingYaml);
        File.Delete(_fixture.PathOf(StagingYaml));
        var sourcesLine = _fixture.Read(SourcesYaml).Split('\n').ToList().FindIndex(l => l.Contains("- name: candidacy_ddhq_matches_20300603", StringComparison.Ordinal)) + 1;

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        var error = Assert.Single(check.Stderr.Split('\n'), l => l.Contains(": error EM", StringComparison.Ordinal));
        Assert.Contains($"__sources.yaml({sourcesLine},", error, StringComparison.Ordinal);
        Assert.Contains($"error {Codes.StagingModelMissing}: snapshot '{Snapshot}' has no staging model YAML ", error, StringComparison.Ordinal);
        Assert.Contains($"{StagingYaml}; run `electionmatch generate`", error, StringComparison.Ordinal);
        var generate = Cli("generate");
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal(yaml, _fixture.Read(StagingYaml));
        Assert.True(Cli("check").ExitCode == 0);
    }

    [Fact]
    public void Check_fails_when_a_published_snapshot_lost_its_sources_entry_and_generate_restores_it()
    {
        // A change that publishes a snapshot but leaves the sources YAML and the staging model behind.
        StartFromPlainRun();
        var published = _fixture.Read(SourcesYaml);
        var yaml = _fixture.Read(StagingYaml);
        using (var committed = FixtureCopy.Of("goodparty"))
        {
            _fixture.Write(SourcesYaml, committed.Read(SourcesYaml));
        }
        File.Delete(_fixture.PathOf(StagingSql));
        File.Delete(_fixture.PathOf(StagingYaml));
        var sourceLine = _fixture.Read(SourcesYaml).Split('\n').ToList().FindIndex(l => l == "  - name: model_predictions") + 1;

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        // Also an error: the stable model reads the snapshot's staging model, which is gone with it (EM0021).
        var error = Assert.Single(check.Stderr.Split('\n'), l => l.Contains($": error {Codes.SourceEntryMissing}", StringComparison.Ordinal));
        Assert.Contains($"__sources.yaml({sourceLine},11): error {Codes.SourceEntryMissing}: snapshot '{Snapshot}' is published in the warehouse (model_predictions.{Snapshot}) but not declared in source 'model_predictions'", error, StringComparison.Ordinal);
        var generate = Cli("generate");
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal(published, _fixture.Read(SourcesYaml));
        Assert.Equal(yaml, _fixture.Read(StagingYaml));
        Assert.True(Cli("check").ExitCode == 0);
    }

    [Fact]
    public void Check_fails_on_a_dated_staging_yaml_left_without_its_model_or_entry()
    {
        StartFromPlainRun();
        _fixture.Write(StagingYaml.Replace("20300603", "20300101", StringComparison.Ordinal), _fixture.Read(StagingYaml).Replace("20300603", "20300101", StringComparison.Ordinal));

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"stg_model_predictions__candidacy_ddhq_matches_20300101.yml(1,1): error {Codes.SourceEntryMissing}: staging model YAML, without its SQL, for snapshot 'candidacy_ddhq_matches_20300101', which is not declared", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_fails_when_a_downstream_model_references_a_missing_snapshot()
    {
        _fixture.Write("models/marts/general/m_general__winners.sql", "select *\nfrom {{ ref('stg_model_predictions__candidacy_ddhq_matches_20240101') }}\nwhere ddhq_is_winner\n");

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("m_general__winners.sql(2,9): error " + Codes.ReferenceToMissingSnapshot, check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_fails_when_a_declared_snapshot_has_no_table()
    {
        File.Delete(_fixture.PathOf("data/model_predictions/candidacy_ddhq_matches_20251016.csv"));

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("error " + Codes.SnapshotTableMissing, check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_column_mapping_to_a_missing_column_names_its_line_and_changes_nothing()
    {
        var settings = _fixture.Read("electionmatch.yml").Replace("race_name: race_name", "race_name: race_nmae", StringComparison.Ordinal);
        _fixture.Write("electionmatch.yml", settings);
        var line = settings.Split('\n').ToList().FindIndex(l => l.Contains("race_nmae", StringComparison.Ordinal)) + 1;
        var before = _fixture.Snapshot();

        var run = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-03");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"electionmatch.yml({line},20): error {Codes.ColumnNotFound}: column 'race_nmae'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("did you mean 'race_name'?", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before.Keys.Where(k => !k.StartsWith("target", StringComparison.Ordinal)), _fixture.Snapshot().Keys.Where(k => !k.StartsWith("target", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_unknown_match_suggests_the_nearest_name()
    {
        var run = Cli("run", "candidacy_ddhq_match");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error " + Codes.MatchNotDefined, run.Stderr, StringComparison.Ordinal);
        Assert.Contains("did you mean 'candidacy_ddhq_matches'?", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_input_file_is_named_at_its_external_location_line()
    {
        File.WriteAllText(_fixture.PathOf("data/airbyte/ddhq_election_results.csv"), "");
        var line = _fixture.Read(SourcesYaml).Split('\n').ToList().FindIndex(l => l.Contains("external_location: \"data/airbyte/ddhq_election_results.csv\"", StringComparison.Ordinal)) + 1;

        var run = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-03");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"__sources.yaml({line},30): error {Codes.InputUnreadable}", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("is an empty file", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf(StagingSql)));
    }
}
