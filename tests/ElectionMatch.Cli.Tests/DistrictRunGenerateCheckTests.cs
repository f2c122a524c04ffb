using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>The L2 → BallotReady match end to end with the real CLI: run, generate, check and evaluate on a private fixture copy.</summary>
public sealed class DistrictRunGenerateCheckTests : IDisposable
{
    private const string Match = "llm_l2_br_match";
    private const string Snapshot = "llm_l2_br_match_20300603";
    private const string StagingDirectory = "models/staging/model_predictions_source/";
    private const string StableModel = StagingDirectory + "stg_model_predictions__llm_l2_br_match.sql";
    private const string Mart = "models/marts/general/m_general__candidacy_result.sql";
    private const string OfficeModel = "models/intermediate/l2/int__zip_code_to_br_office.sql";
    private const string VoterFile = "data/l2/l2_nationwide_uniform.csv";
    private const string Sources = "models/staging/__sources.yaml";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", _fixture.Directory]);

    private CliProcess.Result RunMatch()
    {
        var result = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-03");
        Assert.True(result.ExitCode == 0, result.Output);
        return result;
    }

    [Fact]
    public void Run_publishes_the_snapshot_moves_the_stable_model_and_generate_and_check_pass()
    {
        var officeModel = _fixture.Read(OfficeModel);

        var run = RunMatch();
        var generate = Cli("generate");
        var check = Cli("check");

        Assert.Contains($"published model_predictions.{Snapshot} (89 rows, 71 matched)", run.Stdout, StringComparison.Ordinal);
        // The fixture's voter file carries every district type the snapshot links.
        Assert.DoesNotContain(Codes.LinkedDistrictTypeWithoutColumn, run.Output, StringComparison.Ordinal);
        // merge_all_states.py's report: match rate and confidence per state.
        Assert.Matches(@"(?m)^state +positions +matched +match rate +mean confidence", run.Stdout);
        Assert.Matches(@"(?m)^MO +13 +10 +76\.9 %", run.Stdout);
        Assert.Matches(@"(?m)^all +89 +71 ", run.Stdout);
        Assert.Contains("\nmean confidence and 90-100 / 70-89 / <70 count matched positions only; 18 unmatched (0 of them undecided by the judge, published at confidence 0)\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"ref('stg_model_predictions__{Snapshot}')", _fixture.Read(StableModel), StringComparison.Ordinal);
        Assert.True(File.Exists(_fixture.PathOf(StagingDirectory + $"stg_model_predictions__{Snapshot}.yml")));
        Assert.Equal(officeModel, _fixture.Read(OfficeModel));
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.StartsWith("0 written", generate.Stdout, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("check passed", check.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(": error ", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_published_table_has_the_spec_columns_in_order_then_ours()
    {
        RunMatch();

        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        var columns = warehouse.Describe($"select * from model_predictions.{Snapshot}").Select(c => c.Name);

        Assert.Equal(
            [
                "br_database_id", "name", "state", "l2_district_name", "l2_district_type", "is_matched", "llm_reason",
                "confidence", "top_embedding_score", "embeddings", "alternative_matches", "embedding_queried_term",
                "l2_district_id", "selected_candidate_number", "match_probability", "match_weight", "decided_by", "match_explanation",
                "l2_district_other_names",
            ],
            columns);
    }

    [Fact]
    public void A_district_the_judge_chose_below_judge_accept_is_not_counted_as_an_answer_of_no_district()
    {
        // Every position but a few to the judge, whose choices below 100 are not linked: Savannah's at-large post 1,
        // which the offline judge gives its city at 90. Before, the run counted it among 'positions no district fits (answer 0)'.
        _fixture.Replace("electionmatch.yml", "    retrieval:\n      top_k: 10 ", "    thresholds:\n      accept: 0.9999\n      reject: 0.001\n      judge_accept: 100\n    retrieval:\n      top_k: 10 ");

        var run = RunMatch();

        Assert.Contains($"published model_predictions.{Snapshot} (89 rows, 70 matched)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("rows: output snapshot rows: 89 read = 70 used (positions matched to a district) + 18 used (positions no district fits (answer 0)) + 1 used (positions whose district the judge chose below judge_accept (published unlinked)) + 0 used (positions the judge could not decide (its reply was invalid twice; published unlinked))\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nmean confidence and 90-100 / 70-89 / <70 count matched positions only; 19 unmatched (0 of them undecided by the judge, published at confidence 0; 1 whose district the judge chose below judge_accept 100, published at 100 less its confidence)\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_scores_the_district_match_against_its_truth_file()
    {
        RunMatch();

        var evaluate = Cli("evaluate", Match, "--truth", _fixture.PathOf("truth/llm_l2_br_match.csv"), "--hardest", "2");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var lines = evaluate.Stdout.Split('\n');
        Assert.Equal("precision: 1.0000", lines[0]);
        Assert.Equal("recall: 1.0000", lines[1]);
        Assert.StartsWith("judge_share: ", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("judge_zero_share: ", lines[4], StringComparison.Ordinal);
        Assert.Matches(@"(?m)^tier rule: 6 rows, 0 links", evaluate.Stdout);
        Assert.Equal(2, lines.Count(l => l.StartsWith("hard ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Evaluate_refuses_a_truth_file_with_br_database_id_and_no_l2_district_id_naming_its_columns()
    {
        // The truth in spec 000's columns, without the id. Before, its last column, the district's name, was taken as the
        // id, every pair was missed and evaluate printed precision 0 and recall 0 with exit 0.
        var truth = _fixture.Read("truth/llm_l2_br_match.csv").Split('\n').Where(l => l.Length > 0)
            .Select(l => string.Join(',', l.Split(',')[..5]));
        _fixture.Write("truth/spec_columns.csv", string.Join('\n', truth) + "\n");
        RunMatch();

        var evaluate = Cli("evaluate", Match, "--truth", _fixture.PathOf("truth/spec_columns.csv"));

        Assert.Equal(1, evaluate.ExitCode);
        Assert.Equal("", evaluate.Stdout);
        Assert.Equal(
            $"{_fixture.PathOf("truth/spec_columns.csv")}(1,1): error EM0024: the truth file's header names br_database_id but no l2_district_id column "
            + "(its columns: br_database_id, name, state, l2_district_type, l2_district_name): each true pair is read from its br_database_id and "
            + "l2_district_id columns, other columns being ignored; add a l2_district_id column holding each pair's l2_district_id: its last column, "
            + "'l2_district_name', is not read as one, since every pair would then be missed",
            Assert.Single(evaluate.Stderr.Split('\n'), l => l.Contains(": error EM", StringComparison.Ordinal)));
    }

    [Fact]
    public void Evaluate_names_the_column_it_read_as_the_district_id_when_the_truth_header_names_neither_id_column()
    {
        // A header naming neither id column is read by place, as documented: its last column, the district's name, is
        // taken as the id, and EM0121 says so. Before, EM0121 called 'STATE HOUSE 005' an l2_district_id and said nothing of the column.
        var truth = _fixture.Read("truth/llm_l2_br_match.csv").Split('\n').Where(l => l.Length > 0)
            .Select(l => string.Join(',', l.Split(',')[..5]));
        _fixture.Write("truth/other_names.csv", string.Join('\n', truth).Replace("br_database_id,", "position_id,", StringComparison.Ordinal) + "\n");
        RunMatch();

        var evaluate = Cli("evaluate", Match, "--truth", _fixture.PathOf("truth/other_names.csv"));

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("warning EM0121: 71 truth pairs name a l2_district_id that is not in the right input (source('airbyte_source', 'l2_districts')), such as 'STATE HOUSE 005' at line 2 (its header has no l2_district_id column, so its last column 'l2_district_name' was read as the right id; give the file br_database_id and l2_district_id columns): they are missed", evaluate.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_given_a_district_id_names_the_district_and_the_positions_linked_to_it()
    {
        // 1023 is STATE HOUSE 005's l2_district_id, not a position's. Before, EM0111 said only that no left input holds it.
        RunMatch();

        var explain = Cli("explain", Match, "1023");

        Assert.Equal(1, explain.ExitCode);
        Assert.Contains("error EM0111: '1023' is not a br_database_id of the latest run of 'llm_l2_br_match': neither its left input (89 rows, em_run_llm_l2_br_match.left_input) nor its quarantine holds it; it is the l2_district_id of a district (STATE HOUSE 005, State_House, CA); explain takes a position's br_database_id: the run linked position 140300 to it: `electionmatch explain llm_l2_br_match 140300 --project-dir ", explain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_tells_a_district_miss_with_no_row_in_district_terms_with_its_quarantine_code()
    {
        // Position 140741's id blanked (EMQ001), 140944's changed to an earlier row's (EMQ002), 141362's name blanked
        // (EMQ300, its id kept). Before, each miss was told in candidacy terms and sent to explain, which refuses districts.
        var lines = _fixture.Read("data/airbyte/ballotready_positions.csv").Split('\n');
        lines[2] = lines[2].Replace("140741,", ",", StringComparison.Ordinal);
        lines[3] = lines[3].Replace("140944,", "140300,", StringComparison.Ordinal);
        lines[4] = lines[4].Replace(",California State Assembly - District 76,", ",,", StringComparison.Ordinal);
        _fixture.Write("data/airbyte/ballotready_positions.csv", string.Join('\n', lines));
        RunMatch();

        var evaluate = Cli("evaluate", Match, "--truth", _fixture.PathOf("truth/llm_l2_br_match.csv"));

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var misses = evaluate.Stdout.Split('\n').Where(l => l.StartsWith("miss ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, misses.Count);
        Assert.All(misses, m => Assert.DoesNotContain("explain", m, StringComparison.Ordinal));
        Assert.All(misses, m => Assert.DoesNotContain("candidacy", m, StringComparison.Ordinal));
        // Blanked and renamed in the input: neither id is in it now (before, both were told with the run's causes alone).
        Assert.StartsWith("miss  140741 -> 1022: the left id is not in the left input (", misses[0], StringComparison.Ordinal);
        // The row quarantined for a blank id is named with its file line and input row, as a results row's is.
        Assert.Contains("as far as its rows can be read: the run quarantined left rows whose id is blank, an earlier row's or unreadable (EMQ001 x1 (EMQ001 ", misses[0], StringComparison.Ordinal);
        Assert.EndsWith("ballotready_positions.csv line 3), left input row 2), EMQ002 x1), which may be this one", misses[0], StringComparison.Ordinal);
        Assert.StartsWith("miss  140944 -> 1025: the left id is not in the left input (", misses[1], StringComparison.Ordinal);
        Assert.Contains("warning EM0121: 2 truth pairs name a br_database_id that is not in the left input", evaluate.Stderr, StringComparison.Ordinal);
        // The quarantine's message ends with the row's file and line (line 5, below the header).
        Assert.StartsWith("miss  141362 -> 1027: the snapshot has no row for it: the run quarantined its left row (EMQ300 the position name, or the district name or type, is empty: column name = empty (", misses[2], StringComparison.Ordinal);
        Assert.EndsWith("data/airbyte/ballotready_positions.csv line 5), left input row 4)", misses[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Check_warns_on_a_ref_to_a_dated_staging_model_and_generate_rewrite_refs_moves_it_to_the_stable_model()
    {
        var before = _fixture.Read(Mart);

        var check = Cli("check");
        var rewrite = Cli("generate", "--rewrite-refs");
        var after = _fixture.Read(Mart);
        var recheck = Cli("check");

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains($"m_general__candidacy_result.sql(8,26): warning {Codes.ReferenceToDatedStagingModel}", check.Stderr, StringComparison.Ordinal);
        Assert.True(rewrite.ExitCode == 0, rewrite.Output);
        Assert.Contains("--- models/marts/general/m_general__candidacy_result.sql", rewrite.Stdout.Replace(_fixture.Directory + "/", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("-        select * from {{ ref('stg_model_predictions__candidacy_ddhq_matches_20251112') }}", rewrite.Stdout, StringComparison.Ordinal);
        Assert.Contains("+        select * from {{ ref('stg_model_predictions__candidacy_ddhq_matches') }}", rewrite.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 reference line(s) rewritten in 1 file(s)", rewrite.Stdout, StringComparison.Ordinal);
        // Only the model name inside the ref() changed.
        Assert.Equal(before.Replace("candidacy_ddhq_matches_20251112", "candidacy_ddhq_matches", StringComparison.Ordinal), after);
        Assert.DoesNotContain(Codes.ReferenceToDatedStagingModel, recheck.Stderr, StringComparison.Ordinal);
        Assert.True(recheck.ExitCode == 0, recheck.Output);
    }

    [Fact]
    public void Check_warns_when_the_zip_code_ranges_have_no_rows()
    {
        const string Ranges = "data/reference/states_zip_code_range.csv";
        _fixture.Write(Ranges, _fixture.Read(Ranges).Split('\n')[0] + "\n");
        var line = Array.FindIndex(_fixture.Read("electionmatch.yml").Split('\n'), l => l.StartsWith("  state_zip_code_ranges:", StringComparison.Ordinal)) + 1;

        var check = Cli("check");

        // Every other check passes: the office model compiles and runs, it just keeps no zip code.
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains($"electionmatch.yml({line},26): warning {Codes.ZipCodeRangesEmpty}: state_zip_code_ranges (ref('int__general_states_zip_code_range')) has no rows", check.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Renames voter-file columns to <paramref name="renamed"/> and drops them from district_types, as a voter file
    /// without those district columns has them; then generate (the models follow district_types) and check.
    /// </summary>
    private (CliProcess.Result Generate, CliProcess.Result Check, int VotersLine) CheckWithoutVoterColumns(params (string Column, string Renamed)[] renamed)
    {
        var line = WithoutVoterColumns(renamed);
        return (Cli("generate"), Cli("check"), line);
    }

    /// <summary>Renames voter-file columns and drops them from district_types; the line of <c>voters:</c> in electionmatch.yml.</summary>
    private int WithoutVoterColumns(params (string Column, string Renamed)[] renamed)
    {
        const string Voters = "data/l2/l2_nationwide_uniform.csv";
        var lines = _fixture.Read(Voters).Split('\n');
        lines[0] = string.Join(',', lines[0].Split(',').Select(c => renamed.FirstOrDefault(r => r.Column == c).Renamed ?? c));
        _fixture.Write(Voters, string.Join('\n', lines));
        foreach (var (column, _) in renamed)
        {
            _fixture.Write("electionmatch.yml", _fixture.Read("electionmatch.yml").Replace($"    - {column}\n", "", StringComparison.Ordinal));
        }

        return Array.FindIndex(_fixture.Read("electionmatch.yml").Split('\n'), l => l.StartsWith("  voters:", StringComparison.Ordinal)) + 1;
    }

    [Fact]
    public void Check_warns_when_the_match_links_a_position_to_a_district_type_no_voter_file_column_carries()
    {
        // The fixture's newest snapshot links Texas 151st District Court Judge to DISTRICT COURT 151, of type
        // Judicial_District_Court_District; here the voter file has no such column. Before, that office reached no zip
        // code in int__zip_code_to_br_office without a word: EM0305 looks only at types that are voter-file columns.
        var (generate, check, line) = CheckWithoutVoterColumns(("Judicial_District_Court_District", "District_Court_Precinct"));

        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Equal(
            $"{_fixture.PathOf("electionmatch.yml")}({line},11): warning {Codes.LinkedDistrictTypeWithoutColumn}: llm_l2_br_match_20250811 links 1 position to a district "
            + "of type Judicial_District_Court_District, which no column of the voter file ref('int__l2_nationwide_uniform') carries, so its office reaches no "
            + "zip code in int__zip_code_to_br_office; to place it, give the voter file a column named for the type holding each voter's district, add it to "
            + "district_types and run `electionmatch generate`",
            Assert.Single(check.Stderr.Split('\n'), l => l.Contains(Codes.LinkedDistrictTypeWithoutColumn, StringComparison.Ordinal)));
        Assert.DoesNotContain(Codes.LinkedDistrictTypeNotListed, check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_counts_the_positions_of_each_district_type_no_voter_file_column_carries()
    {
        // Two types without a column, one of them a typo's distance from a column's name (a voter file naming the fire
        // district otherwise), which the warning names.
        var (generate, check, line) = CheckWithoutVoterColumns(("Fire_District", "Fire_Districts"), ("Judicial_District_Court_District", "District_Court_Precinct"));

        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Equal(
            $"{_fixture.PathOf("electionmatch.yml")}({line},11): warning {Codes.LinkedDistrictTypeWithoutColumn}: llm_l2_br_match_20250811 links 2 positions to districts "
            + "of types Fire_District (1 position; the voter file's nearest column is Fire_Districts), Judicial_District_Court_District (1 position), which no column "
            + "of the voter file ref('int__l2_nationwide_uniform') carries, so their offices reach no zip code in int__zip_code_to_br_office; to place them, give "
            + "the voter file a column named for each type holding each voter's district, add it to district_types and run `electionmatch generate`",
            Assert.Single(check.Stderr.Split('\n'), l => l.Contains(Codes.LinkedDistrictTypeWithoutColumn, StringComparison.Ordinal)));
    }

    [Fact]
    public void Run_warns_as_check_does_when_its_snapshot_links_a_position_to_a_district_type_no_voter_file_column_carries()
    {
        // Before, only check said it: the run that linked the position to Judicial_District_Court_District said nothing,
        // and the office reached no zip code once the models were built.
        var line = WithoutVoterColumns(("Judicial_District_Court_District", "District_Court_Precinct"));
        var generate = Cli("generate");

        var run = RunMatch();

        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal(
            $"{_fixture.PathOf("electionmatch.yml")}({line},11): warning {Codes.LinkedDistrictTypeWithoutColumn}: {Snapshot} links 1 position to a district "
            + "of type Judicial_District_Court_District, which no column of the voter file ref('int__l2_nationwide_uniform') carries, so its office reaches no "
            + "zip code in int__zip_code_to_br_office; to place it, give the voter file a column named for the type holding each voter's district, add it to "
            + "district_types and run `electionmatch generate`",
            Assert.Single(run.Stderr.Split('\n'), l => l.Contains(Codes.LinkedDistrictTypeWithoutColumn, StringComparison.Ordinal)));
    }

    [Fact]
    public void Run_warns_as_check_does_when_its_snapshot_links_a_position_to_a_voter_file_column_district_types_leaves_out()
    {
        // Before, only check said it: Fire_District is a column of the voter file, but without it in district_types the
        // run's newly linked fire district office reached no zip code once the models were built.
        _fixture.Write("electionmatch.yml", _fixture.Read("electionmatch.yml").Replace("    - Fire_District\n", "", StringComparison.Ordinal));
        var lines = _fixture.Read("electionmatch.yml").Split('\n');
        var last = Array.FindIndex(lines, l => l.StartsWith("  district_types:", StringComparison.Ordinal)) + 1;
        while (lines[last].StartsWith("    - ", StringComparison.Ordinal))
        {
            last++;
        }

        var run = RunMatch();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(
            $"{_fixture.PathOf("electionmatch.yml")}({last},7): warning {Codes.LinkedDistrictTypeNotListed}: {Snapshot} links positions to districts of type "
            + "Fire_District (1 position), a column of the voter file ref('int__l2_nationwide_uniform') that district_types does not list, so their offices reach "
            + "no zip code in int__zip_code_to_br_office; add Fire_District to district_types and run `electionmatch generate`",
            Assert.Single(run.Stderr.Split('\n'), l => l.Contains(Codes.LinkedDistrictTypeNotListed, StringComparison.Ordinal)));
        Assert.DoesNotContain(Codes.LinkedDistrictTypeWithoutColumn, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_of_a_snapshot_dated_before_the_newest_says_nothing_of_district_types_the_zip_code_models_do_not_read_from_it()
    {
        // The stable model, which the office model joins, stays on the fixture's newest snapshot (20250811): check says
        // that one's types, and this one's would be said of a snapshot nothing reads.
        WithoutVoterColumns(("Judicial_District_Court_District", "District_Court_Precinct"));
        Assert.True(Cli("generate").ExitCode == 0);

        var run = Cli("run", Match, "--snapshot-date", "2025-01-06");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("ref('stg_model_predictions__llm_l2_br_match_20250811')", _fixture.Read(StableModel), StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.LinkedDistrictTypeWithoutColumn, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_warns_as_check_does_when_the_voter_file_is_missing()
    {
        // The match does not read the voter file, so its snapshot is published and the run exits 0; the zip code models
        // read it. Before, the run said nothing: LinkedDistrictTypes.Read could not read its columns and returned null.
        File.Delete(_fixture.PathOf(VoterFile));
        var line = LineOf(Sources, $"external_location: \"{VoterFile}\"");

        var run = RunMatch();

        Assert.Contains($"published model_predictions.{Snapshot} (89 rows, 71 matched)", run.Stdout, StringComparison.Ordinal);
        var warning = Assert.Single(run.Stderr.Split('\n'), l => l.Contains(Codes.ExternalFileMissing, StringComparison.Ordinal));
        Assert.StartsWith($"{_fixture.PathOf(Sources)}({line},", warning, StringComparison.Ordinal);
        Assert.Contains($": warning {Codes.ExternalFileMissing}: external_location '{VoterFile}' of source('l2_source', 'l2_nationwide_uniform') does not exist", warning, StringComparison.Ordinal);
        Assert.EndsWith($"; the run published {Snapshot}, but the zip code models, which read the voter file ref('int__l2_nationwide_uniform'), cannot run until this is fixed", warning, StringComparison.Ordinal);
        // check says the same fault, as an error, at the same line.
        var check = Cli("check");
        Assert.Contains($"{_fixture.PathOf(Sources)}({line},", Assert.Single(check.Stderr.Split('\n'), l => l.Contains(Codes.ExternalFileMissing, StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_warns_as_check_does_when_the_voter_file_is_a_cut_gzip_file()
    {
        // The voter file gzipped and cut to 300 bytes, as a download that stopped leaves it, and read from there by its source.
        var plain = File.ReadAllBytes(_fixture.PathOf(VoterFile));
        using var memory = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(memory, System.IO.Compression.CompressionLevel.Optimal))
        {
            gzip.Write(plain);
        }

        File.Delete(_fixture.PathOf(VoterFile));
        File.WriteAllBytes(_fixture.PathOf(VoterFile + ".gz"), memory.ToArray()[..300]);
        _fixture.Replace(Sources, $"external_location: \"{VoterFile}\"", $"external_location: \"{VoterFile}.gz\"");
        var line = LineOf(Sources, $"external_location: \"{VoterFile}.gz\"");

        var run = RunMatch();

        Assert.Contains($"published model_predictions.{Snapshot} (89 rows, 71 matched)", run.Stdout, StringComparison.Ordinal);
        var warning = Assert.Single(run.Stderr.Split('\n'), l => l.Contains(Codes.InputUnreadable, StringComparison.Ordinal));
        Assert.StartsWith(
            $"{_fixture.PathOf(Sources)}({line},30): warning {Codes.InputUnreadable}: cannot read the voter file ref('int__l2_nationwide_uniform'): "
            + $"source('l2_source', 'l2_nationwide_uniform')'s file {_fixture.PathOf(VoterFile)}.gz is not a whole gzip file",
            warning, StringComparison.Ordinal);
        Assert.EndsWith($"; the run published {Snapshot}, but the zip code models, which read the voter file ref('int__l2_nationwide_uniform'), cannot run until this is fixed", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.LinkedDistrictTypeWithoutColumn, run.Stderr, StringComparison.Ordinal);
    }

    private int LineOf(string relative, string text) =>
        Array.FindIndex(File.ReadAllLines(_fixture.PathOf(relative)), l => l.Contains(text, StringComparison.Ordinal)) + 1;

    [Fact]
    public void Check_says_nothing_of_district_types_when_every_linked_type_reaches_zip_codes()
    {
        // The fixture's voter file carries every type its newest snapshot links (the Texas courts' columns among them).
        var check = Cli("check");

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.DoesNotContain(Codes.LinkedDistrictTypeWithoutColumn, check.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.LinkedDistrictTypeNotListed, check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_reports_a_stale_stable_model_and_a_hand_edited_zip_code_model()
    {
        RunMatch();
        // Point the stable model back at the older snapshot, as a merge of an old branch would.
        _fixture.Write(StableModel, _fixture.Read(StableModel).Replace(Snapshot, "llm_l2_br_match_20250811", StringComparison.Ordinal));
        _fixture.Write(OfficeModel, _fixture.Read(OfficeModel).Replace("where is_matched", "where is_matched and confidence > 80", StringComparison.Ordinal));

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"stg_model_predictions__llm_l2_br_match.sql(", check.Stderr, StringComparison.Ordinal);
        Assert.Contains("error " + Codes.GeneratedFileEdited, check.Stderr, StringComparison.Ordinal);
        Assert.Contains("int__zip_code_to_br_office.sql(", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void In_a_clone_without_the_warehouse_the_zip_code_office_model_is_not_run_over_the_missing_snapshot()
    {
        // docs/ci.md: without the warehouse each snapshot is one EM0101 and nothing that only restates the absence is
        // reported. Before, the office model, which reads the match's stable model, was also an EM0301 ("does not run:
        // Catalog Error: Table with name model_predictions.llm_l2_br_match_… does not exist").
        RunMatch();
        Directory.Delete(_fixture.PathOf("target"), recursive: true);

        var check = Cli("check");

        var errors = check.Stderr.Split('\n').Where(l => l.Contains(": error EM", StringComparison.Ordinal)).ToList();
        Assert.Contains(errors, e => e.Contains($"error {Codes.SnapshotTableMissing}: snapshot '{Snapshot}' is declared here", StringComparison.Ordinal));
        Assert.DoesNotContain(Codes.GeneratedModelFailed, check.Stderr, StringComparison.Ordinal);
        Assert.Single(errors);
    }
}
