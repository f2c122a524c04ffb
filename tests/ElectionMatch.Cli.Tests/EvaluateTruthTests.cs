namespace ElectionMatch.Tests;

/// <summary>
/// `evaluate` refuses a truth file or a snapshot it cannot score instead of printing zeros or DuckDB's words. The tests
/// write their truth files into the class's copy of the collection's run (<see cref="ClassProjectCopy"/>).
/// </summary>
[Collection(QuarantinedCandidacyCollection.Name)]
public sealed class EvaluateTruthTests : IClassFixture<ClassProjectCopy>, IClassFixture<SharedUninterruptedRun>
{
    private const string Match = QuarantinedCandidacyRun.Match;
    private readonly FixtureCopy _project;
    private readonly UninterruptedRun _plain;

    public EvaluateTruthTests(QuarantinedCandidacyRun run, ClassProjectCopy copy, SharedUninterruptedRun plain)
    {
        _project = copy.Of(run.Project);
        _plain = plain.Run;
    }

    private CliProcess.Result Cli(string command, params string[] args) => CliProcess.Run([command, .. args, "--project-dir", _project.Directory]);

    private string Truth(string name, string text)
    {
        var path = _project.PathOf("truth/" + name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string SingleError(CliProcess.Result result)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        return Assert.Single(result.Stderr.Split('\n'), l => l.Contains(": error EM", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_truth_file_with_a_header_and_no_pairs_is_an_error_naming_it(bool partial)
    {
        var truth = Truth("header_only.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\n");

        var error = SingleError(Cli("evaluate", [Match, "--truth", truth, .. partial ? new[] { "--partial-truth" } : []]));

        Assert.Contains("header_only.csv(1,1): error EM0120: the truth file has a header and no pairs", error, StringComparison.Ordinal);
        Assert.Contains($"model_predictions.{QuarantinedCandidacyRun.Snapshot}", error, StringComparison.Ordinal);
    }

    // A header naming one id column of the match and not the other is in the match's terms, so the column at the other
    // id's place holds something else (a race id, a note). Before, it was read as that id by place: every pair missed, scores 0.
    [Theory]
    [InlineData("gp_candidacy_id,election_type,ddhq_race_id\ngpc-001623,primary,9001\n", "names gp_candidacy_id but no ddhq_candidate_id column (its columns: gp_candidacy_id, election_type, ddhq_race_id)", "ddhq_candidate_id", "last column, 'ddhq_race_id'")]
    [InlineData("hubspot_contact_id,election_type,ddhq_candidate_id\nhs-1,primary,1402703\n", "names ddhq_candidate_id but no gp_candidacy_id column (its columns: hubspot_contact_id, election_type, ddhq_candidate_id)", "gp_candidacy_id", "first column, 'hubspot_contact_id'")]
    public void A_truth_header_naming_one_id_column_and_not_the_other_is_an_error_at_line_1(string text, string names, string missing, string place)
    {
        var truth = Truth("half_named.csv", text);

        var error = SingleError(Cli("evaluate", Match, "--truth", truth));

        Assert.Equal(
            $"{truth}(1,1): error EM0024: the truth file's header {names}: each true pair is read from its gp_candidacy_id and ddhq_candidate_id columns, "
            + $"other columns being ignored; add a {missing} column holding each pair's {missing}: its {place}, is not read as one, since every pair would then be missed",
            error);
    }

    // Before: a long line read as no pairs (EM0120 at line 1), a blank right id as a pair no row could hold, a blank
    // left id in the middle as EM0504 once scoring read it.
    [Theory]
    [InlineData("gpc-001623,general,1403738,2\n", "line 3 of the truth file has 4 fields where the header has 3 (gp_candidacy_id, election_type, ddhq_candidate_id)")]
    [InlineData("gpc-001623,general,\n", "line 3 of the truth file has a blank right id (column 'ddhq_candidate_id', field 3)")]
    [InlineData(" ,general,1403738\n", "line 3 of the truth file has a blank left id (column 'gp_candidacy_id', field 1)")]
    public void A_truth_line_that_is_not_one_whole_pair_is_an_error_at_its_line(string badLine, string message)
    {
        var truth = Truth("bad_line.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\n\"gpc-001623\",\"primary\",1402703\n" + badLine + "gpc-000153,general,1403738\n");

        var error = SingleError(Cli("evaluate", Match, "--truth", truth));

        Assert.Contains("bad_line.csv(3,1): error EM0024: " + message, error, StringComparison.Ordinal);
    }

    // Before: DuckDB's words alone, "CSV Error on Line: 3" of a Latin-1 byte and "Error when sniffing file" of a UTF-16
    // file (Excel's "Unicode Text"), saying neither that the file is not UTF-8 nor where in the line.
    [Theory]
    [InlineData("latin1", "latin1.csv(3,10): error EM0024: line 3 of the truth file is not UTF-8: byte 0xE9 at its character 10 (a file saved as Latin-1 or Windows-1252); save it as UTF-8")]
    [InlineData("utf-16", "utf-16.csv(1,1): error EM0024: the truth file is UTF-16 (it starts with a UTF-16 byte order mark, as Excel's \"Unicode Text\" does); save it as UTF-8")]
    public void A_truth_file_that_is_not_utf8_is_an_error_saying_so_at_its_line(string encoding, string message)
    {
        const string Text = "gp_candidacy_id,election_type,ddhq_candidate_id\ngpc-001623,primary,1402703\ngpc-00162\u00e9,general,1403738\n";
        var path = _project.PathOf($"truth/{encoding}.csv");
        File.WriteAllBytes(path, encoding == "latin1" ? System.Text.Encoding.Latin1.GetBytes(Text) : [.. System.Text.Encoding.Unicode.GetPreamble(), .. System.Text.Encoding.Unicode.GetBytes(Text.Replace(',', '\t'))]);

        var error = SingleError(Cli("evaluate", Match, "--truth", path));

        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Another_matchs_truth_file_is_an_error_naming_the_snapshot(bool partial)
    {
        var truth = _project.PathOf("truth/llm_l2_br_match.csv");

        var error = SingleError(Cli("evaluate", [Match, "--truth", truth, .. partial ? new[] { "--partial-truth" } : []]));

        Assert.Contains("llm_l2_br_match.csv(1,1): error EM0120: ", error, StringComparison.Ordinal);
        Assert.Contains($"no truth pair names a left id of snapshot model_predictions.{QuarantinedCandidacyRun.Snapshot}", error, StringComparison.Ordinal);
        Assert.Contains("first column 'br_database_id'", error, StringComparison.Ordinal);
        Assert.Contains("gp_candidacy_id ids such as 'gpc-", error, StringComparison.Ordinal);
    }

    // The lines are checked, and then read, with the delimiter the header uses: a truth file saved with semicolons or
    // tabs scores as the comma file does, and its bad line is still named.
    [Theory]
    [InlineData(";")]
    [InlineData("\t")]
    public void A_truth_file_with_another_delimiter_scores_and_names_its_bad_line(string delimiter)
    {
        var lines = File.ReadAllLines(_project.PathOf("truth/candidacy_ddhq_matches.csv"));
        string Delimited(IEnumerable<string> rows) => string.Join('\n', rows.Select(l => l.Replace(",", delimiter, StringComparison.Ordinal))) + "\n";
        var chosen = lines.Where(l => l.StartsWith("gpc-001623,", StringComparison.Ordinal)).ToList();

        var evaluate = Cli("evaluate", Match, "--truth", Truth("delimited.csv", Delimited([lines[0], .. chosen])), "--partial-truth");
        var broken = Cli("evaluate", Match, "--truth", Truth("delimited_bad.csv", Delimited([lines[0], chosen[0], "gpc-001623,general"])));

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("truth pairs: 2, links: 2, correct: 2", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Contains("delimited_bad.csv(3,1): error EM0024: line 3 of the truth file has 2 fields where the header has 3", SingleError(broken), StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_with_its_right_ids_is_scored_without_reading_the_inputs()
    {
        // The results file rotated away after the run (or a machine without the inputs): the snapshot holds its right
        // ids, so only a hand-loaded file without them needs the right input. Before, evaluate failed with EM0022.
        // A copy of the fixture after a plain run (made once, UninterruptedRun), as the run left it.
        using var fixture = _plain.Project.Clone();
        File.Delete(fixture.PathOf("data/airbyte/ddhq_election_results.csv"));

        var evaluate = CliProcess.Run("evaluate", Match, "--truth", fixture.PathOf("truth/candidacy_ddhq_matches.csv"), "--project-dir", fixture.Directory);

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("precision: 1.0000\nrecall: 1.0000\n", evaluate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truth_file_whose_left_ids_are_in_no_row_of_the_snapshot_is_an_error()
    {
        var truth = Truth("elsewhere.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\ngpc-999998,general,1403738\ngpc-999999,primary,1402844\n");

        var error = SingleError(Cli("evaluate", Match, "--truth", truth));

        Assert.Contains("elsewhere.csv(1,1): error EM0120: no truth pair names a left id of snapshot", error, StringComparison.Ordinal);
        Assert.Contains("ids such as 'gpc-999998'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Truth_for_some_rows_only_still_scores_with_partial_truth()
    {
        // One candidacy's pairs of the fixture's truth: the snapshot links both, and partial truth knows no other link.
        var lines = File.ReadAllLines(_project.PathOf("truth/candidacy_ddhq_matches.csv"));
        var truth = Truth("one_candidacy.csv", string.Join('\n', [lines[0], .. lines.Where(l => l.StartsWith("gpc-001623,", StringComparison.Ordinal))]) + "\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth, "--partial-truth");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("precision: 1.0000\nrecall: 1.0000\n", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Contains("truth pairs: 2, links: 2, correct: 2", evaluate.Stdout, StringComparison.Ordinal);
    }

    // Before, --hardest gave every row a verdict as if the truth were complete: a link partial truth knows nothing of was
    // "wrong", an unlinked row of a candidacy it does not name "right", while the precision line left them out.
    [Fact]
    public void Hardest_with_partial_truth_says_unknown_for_the_rows_the_truth_does_not_decide()
    {
        var lines = File.ReadAllLines(_project.PathOf("truth/candidacy_ddhq_matches.csv"));
        var truth = Truth("one_candidacy_hard.csv", string.Join('\n', [lines[0], .. lines.Where(l => l.StartsWith("gpc-001623,", StringComparison.Ordinal))]) + "\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth, "--partial-truth", "--hardest", "100000");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var hard = evaluate.Stdout.Split('\n').Where(l => l.StartsWith("hard  ", StringComparison.Ordinal)).ToList();
        var named = hard.Where(l => l.StartsWith("hard  gpc-001623 ", StringComparison.Ordinal)).ToList();
        var others = hard.Except(named).ToList();
        Assert.NotEmpty(named);
        Assert.All(named, l => Assert.Contains(": right, ", l, StringComparison.Ordinal));
        Assert.Contains(others, l => l.Contains(": unknown, linked by ", StringComparison.Ordinal));
        Assert.Contains(others, l => l.Contains(": unknown, not linked by ", StringComparison.Ordinal));
        Assert.All(others, l => Assert.Contains(": unknown, ", l, StringComparison.Ordinal));
    }

    [Fact]
    public void A_snapshot_that_does_not_exist_is_named_with_the_matchs_snapshots()
    {
        var error = SingleError(Cli("evaluate", Match, "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"), "--snapshot", "candidacy_ddhq_matches_20991231"));

        Assert.Contains("goodparty.duckdb: error EM0101: snapshot model_predictions.candidacy_ddhq_matches_20991231 (--snapshot) is not in the warehouse", error, StringComparison.Ordinal);
        // The run's snapshot and the hand-uploaded ones declared with files, oldest first.
        Assert.Contains($"the snapshots of '{Match}' are candidacy_ddhq_matches_20251016, candidacy_ddhq_matches_20251112, {QuarantinedCandidacyRun.Snapshot}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Catalog Error", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_of_another_match_is_refused_before_it_is_read()
    {
        var error = SingleError(Cli("evaluate", "llm_l2_br_match", "--truth", _project.PathOf("truth/llm_l2_br_match.csv"), "--snapshot", QuarantinedCandidacyRun.Snapshot));

        Assert.Contains($"error EM0101: model_predictions.{QuarantinedCandidacyRun.Snapshot} (--snapshot) is not a snapshot of 'llm_l2_br_match': it has no column br_database_id", error, StringComparison.Ordinal);
        // Its own snapshots are listed, the hand-uploaded files declared in the sources YAML among them.
        Assert.Contains("the snapshots of 'llm_l2_br_match' are llm_l2_br_match_20250806, llm_l2_br_match_20250811", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_of_another_match_declared_with_a_file_is_refused_as_not_the_matchs()
    {
        var error = SingleError(Cli("evaluate", Match, "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"), "--snapshot", "llm_l2_br_match_20250811"));

        // Before, "is not in the warehouse nor declared with a file", though its entry names one.
        Assert.Contains($"error EM0101: model_predictions.llm_l2_br_match_20250811 (--snapshot) is not a snapshot of '{Match}': it is named as a snapshot of 'llm_l2_br_match'", error, StringComparison.Ordinal);
        Assert.Contains($"the snapshots of '{Match}' are candidacy_ddhq_matches_20251016, candidacy_ddhq_matches_20251112, {QuarantinedCandidacyRun.Snapshot}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("declared with a file", error, StringComparison.Ordinal);
    }

    // Today's pipeline's outputs, declared with external_location files: evaluate reads them where dbt does. Before, EM0101
    // ("has no snapshot", "not in the warehouse"). The expected scores are computed here from the file and the truth.
    [Theory]
    [InlineData("candidacy_ddhq_matches", "candidacy_ddhq_matches_20251016")]
    [InlineData("candidacy_ddhq_matches", "candidacy_ddhq_matches_20251112")]
    [InlineData("llm_l2_br_match", "llm_l2_br_match_20250806")]
    [InlineData("llm_l2_br_match", "llm_l2_br_match_20250811")]
    public void A_hand_uploaded_snapshot_is_scored_from_its_file_with_the_lines_it_cannot_give_said(string match, string snapshot)
    {
        var rows = ReadCsv(_project.PathOf($"data/model_predictions/{snapshot}.csv"));
        var (leftId, rightId) = match == Match ? ("gp_candidacy_id", "ddhq_candidate_id") : ("br_database_id", "l2_district_id");
        var truth = ReadCsv(_project.PathOf($"truth/{match}.csv")).Select(r => (r[leftId], r[rightId])).ToHashSet();
        // The district files name the district: its id is the L2 district with the same state, type and name.
        var districts = ReadCsv(_project.PathOf("data/airbyte/l2_districts.csv"))
            .ToDictionary(d => Key(d["state"], d["district_type"], d["district_name"]), d => d["l2_district_id"]);
        var links = match == Match
            ? rows.Where(r => r["has_match"] == "true").Select(r => (r["gp_candidacy_id"], r["ddhq_candidate_id"])).ToList()
            : rows.Where(r => r["is_matched"] == "true").Select(r => (r["br_database_id"], districts.GetValueOrDefault(Key(r["state"], r["l2_district_type"], r["l2_district_name"]), "?"))).ToList();
        var correct = links.Count(truth.Contains);
        var expected = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"precision: {(double)correct / links.Count:0.0000}\nrecall: {(double)correct / truth.Count:0.0000}\n");

        var evaluate = Cli("evaluate", match, "--truth", _project.PathOf($"truth/{match}.csv"), "--snapshot", snapshot, "--hardest", "3");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.StartsWith(expected, evaluate.Stdout, StringComparison.Ordinal);
        Assert.InRange(correct, 1, links.Count);
        Assert.Contains($"snapshot: model_predictions.{snapshot} (file data/model_predictions/{snapshot}.csv); truth pairs: {truth.Count}, links: {links.Count}, correct: {correct}", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Contains($"judge_share: not computed: {snapshot} has no decided_by column", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Contains($"tier: not computed: {snapshot} has no decided_by column", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Contains($"hard: not computed: {snapshot} has no match_probability column", evaluate.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("tier score", evaluate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_newest_readable_snapshot_is_a_declared_file_when_no_run_published_one()
    {
        // No run of the district match in this warehouse: before, EM0101 "'llm_l2_br_match' has no snapshot in model_predictions".
        var evaluate = Cli("evaluate", "llm_l2_br_match", "--truth", _project.PathOf("truth/llm_l2_br_match.csv"));

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("snapshot: model_predictions.llm_l2_br_match_20250811 (file data/model_predictions/llm_l2_br_match_20250811.csv)", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Contains("right ids: llm_l2_br_match_20250811 has no l2_district_id: looked up by state, l2_district_type, l2_district_name", evaluate.Stdout, StringComparison.Ordinal);
    }

    // A share with nothing to count read as a perfect one: "precision: 1.0000" for a snapshot with no link the truth
    // knows about (and "f1: 0.0000" beside it), "(precision 1.0000)" for a tier that linked nothing, "recall@5 1.0000
    // (0 of 0 truth pairs …)" for a truth whose pairs retrieval never searched.
    [Fact]
    public void Precision_with_no_link_to_score_is_na_and_says_why()
    {
        // gpc-000328 is linked in no row, and no row links 1402999: partial truth knows no link of the snapshot.
        var truth = Truth("no_known_link.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\ngpc-000328,general,1402999\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth, "--partial-truth");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.StartsWith("precision: n/a: the snapshot has no links whose correctness is known\nrecall: 0.0000\nf1: n/a: precision is n/a\n", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Contains("truth pairs: 1, links: 0, correct: 0", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^tier score: \d+ rows, 0 links, 0 correct \(precision n/a: no links whose correctness is known\), 1 truth pairs missed$", evaluate.Stdout);
    }

    [Fact]
    public void A_tier_that_linked_nothing_has_no_precision()
    {
        var evaluate = Cli("evaluate", Match, "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"));

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Matches(@"(?m)^tier judge: [1-9]\d* rows, 0 links, 0 correct \(precision n/a: no links\), \d+ truth pairs missed$", evaluate.Stdout);
        Assert.Matches(@"(?m)^tier score: \d+ rows, [1-9]\d* links, \d+ correct \(precision [01]\.\d{4}\)", evaluate.Stdout);
    }

    [Fact]
    public void Retrieval_recall_with_no_truth_pair_to_find_is_na_and_says_why()
    {
        // gpc-000132's primary is paired by the deterministic tier (its one results row with its name): retrieval never searched it.
        var truth = Truth("deterministic_only.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\ngpc-000132,primary,1402844\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth, "--partial-truth");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("precision: 1.0000\nrecall: 1.0000\n", evaluate.Stdout, StringComparison.Ordinal);
        Assert.Contains(
            "\nretrieval offline/hashed-ngram-v1/256: recall@5 n/a: no truth pair has its left row among those retrieval searched and its right row in that row's partition (0 of 0 truth pairs in the top 5 of their partition)\n",
            evaluate.Stdout.ReplaceLineEndings("\n"),
            StringComparison.Ordinal);
    }

    private static string Key(string state, string type, string name) => $"{state.Trim().ToUpperInvariant()}|{type.Trim().ToUpperInvariant()}|{name.Trim().ToUpperInvariant()}";

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(path) { HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        var rows = new List<Dictionary<string, string>>();
        while (parser.ReadFields() is { } fields)
        {
            rows.Add(header.Zip(fields).ToDictionary(p => p.First, p => p.Second));
        }

        return rows;
    }

    [Fact]
    public void A_snapshot_named_with_its_schema_is_scored()
    {
        var evaluate = Cli("evaluate", Match, "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"), "--snapshot", "model_predictions." + QuarantinedCandidacyRun.Snapshot);

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains($"snapshot: model_predictions.{QuarantinedCandidacyRun.Snapshot}; truth pairs: ", evaluate.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MODEL_PREDICTIONS.{0}")]
    [InlineData("\"model_predictions\".\"{0}\"")]
    [InlineData("\"{1}\".\"model_predictions\".\"{0}\"")]
    [InlineData("{1}.model_predictions.{0}")]
    public void A_snapshot_named_as_dbt_compiles_it_or_in_another_case_is_scored(string form)
    {
        // dbt-duckdb's compiled SQL names a snapshot "database"."schema"."table"; DuckDB binds names in any case. Before,
        // each was looked up with the schema put before it again: model_predictions."model_predictions"."…", EM0101.
        var name = string.Format(System.Globalization.CultureInfo.InvariantCulture, form, QuarantinedCandidacyRun.Snapshot, Path.GetFileNameWithoutExtension(_project.WarehousePath));

        var evaluate = Cli("evaluate", Match, "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"), "--snapshot", name);

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains($"snapshot: model_predictions.{QuarantinedCandidacyRun.Snapshot}; truth pairs: ", evaluate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_named_after_another_schema_is_refused_saying_where_snapshots_are()
    {
        var error = SingleError(Cli("evaluate", Match, "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"), "--snapshot", "dbt." + QuarantinedCandidacyRun.Snapshot));

        Assert.Contains($"error EM0101: dbt.{QuarantinedCandidacyRun.Snapshot} (--snapshot) names the schema dbt, but snapshots are published in model_predictions (electionmatch.yml's snapshots.schema); the snapshots of '{Match}' are ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_miss_is_told_with_the_reasoning_of_its_own_election_row()
    {
        // Marco Huerta (gpc-003688) is linked in his primary; here the truth says his general is Erick Huerta's row, and
        // gpc-002132's primary (removed by the temporal filter) is a results row: two misses of different kinds.
        var truth = Truth("row_misses.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\ngpc-003688,primary,1402168\ngpc-003688,general,1403365\ngpc-002132,primary,1402999\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth);

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var misses = evaluate.Stdout.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith("miss ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, misses.Count);
        Assert.Equal("miss  gpc-002132 primary -> 1402999: the snapshot has no row for it (quarantined, its election removed by the temporal filter, or a runoff the candidacy does not list that the run did not discover or did not link; `explain` says which)", misses[0]);
        Assert.StartsWith("miss  gpc-003688 general 2024-11-05 -> 1403365 (linked: nothing): judge chose no candidate (its confidence 100); ERICK HUERTA is the best scored candidate, shown at confidence 0: no candidate fits: ERICK HUERTA: different first name", misses[1], StringComparison.Ordinal);
        Assert.DoesNotContain("linked by score", misses[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_missed_runoff_the_candidacy_does_not_list_is_not_told_with_its_listed_runoffs_row()
    {
        // gpc-002164 lists a runoff, linked to 1402703; a second runoff of the same candidacy (a primary runoff HubSpot
        // does not list, as synth's truth holds) that the run did not discover has no row of its own. Before, it was told
        // with the listed runoff's row: "(linked: 1402703): linked by score …".
        var truth = Truth("second_runoff.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\ngpc-002164,runoff,1402703\ngpc-002164,runoff,1402999\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth);

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("truth pairs: 2, links: ", evaluate.Stdout, StringComparison.Ordinal);
        var miss = Assert.Single(evaluate.Stdout.ReplaceLineEndings("\n").Split('\n'), l => l.StartsWith("miss ", StringComparison.Ordinal));
        Assert.StartsWith("miss  gpc-002164 runoff 2024-06-18 -> 1402999: the snapshot's runoff row of gpc-002164 is linked to 1402703, which the truth file also names for it; the truth file gives that row two right ids", miss, StringComparison.Ordinal);
    }

    // A truth file with columns after the right id (a note, a score): before, the last column was read as the right id,
    // and evaluate printed precision 0 and recall 0 with a miss "-> 0.9" for every pair, exit 0.
    [Fact]
    public void A_truth_file_with_extra_columns_is_scored_by_its_id_columns_names()
    {
        var lines = File.ReadAllLines(_project.PathOf("truth/candidacy_ddhq_matches.csv"));
        var extra = Truth("extra_columns.csv", string.Join('\n', [lines[0] + ",note,score", .. lines.Skip(1).Select(l => l + ",\"x, y\",0.9")]) + "\n");
        // The right id first and the left id in the middle: still read by name.
        var moved = Truth("moved_columns.csv", string.Join('\n', lines.Select(l => l.Split(',') is var f ? $"{f[2]},{f[0]},{f[1]}" : l)) + "\n");

        var plain = Cli("evaluate", Match, "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"));
        foreach (var truth in new[] { extra, moved })
        {
            var evaluate = Cli("evaluate", Match, "--truth", truth);

            Assert.True(evaluate.ExitCode == 0, evaluate.Output);
            Assert.DoesNotContain("-> 0.9", evaluate.Stdout, StringComparison.Ordinal);
            Assert.Equal(Scores(plain.Stdout), Scores(evaluate.Stdout));
            Assert.Contains($"truth pairs: {lines.Length - 1}, ", evaluate.Stdout, StringComparison.Ordinal);
        }

        static string Scores(string stdout) => string.Join('\n', stdout.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith("precision:", StringComparison.Ordinal) || l.StartsWith("recall:", StringComparison.Ordinal) || l.StartsWith("snapshot:", StringComparison.Ordinal) || l.StartsWith("miss ", StringComparison.Ordinal) || l.StartsWith("retrieval ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_truth_file_without_the_id_columns_names_is_read_by_place()
    {
        // No column named gp_candidacy_id and ddhq_candidate_id: the first is the left id and the last the right id, as documented.
        var truth = Truth("by_place.csv", "candidacy,election_type,ddhq\ngpc-001623,primary,1402035\ngpc-001623,general,1403248\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth, "--partial-truth");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains("truth pairs: 2, links: 2, correct: 2", evaluate.Stdout, StringComparison.Ordinal);
    }

    // The fixture's truth file as a whole .gz or .zst file.
    private static byte[] Compressed(byte[] text, string compression)
    {
        if (compression == ".zst")
        {
            return new ZstdSharp.Compressor().Wrap(text).ToArray();
        }

        using var bytes = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(bytes, System.IO.Compression.CompressionLevel.Optimal))
        {
            gzip.Write(text);
        }

        return bytes.ToArray();
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData(".zst")]
    public void A_compressed_truth_file_cut_short_or_misnamed_is_em0024_at_its_line_1(string compression)
    {
        // Before: a cut .gz was scored on the pairs before the cut (a lower recall, exit 0), a cut .zst said to be empty,
        // and a plain file so named stopped with EM0504 ("unsupported compression method", "Unknown frame descriptor").
        var text = File.ReadAllBytes(_project.PathOf("truth/candidacy_ddhq_matches.csv"));
        var whole = Compressed(text, compression);

        var cut = _project.PathOf("truth/cut.csv" + compression);
        File.WriteAllBytes(cut, whole[..(whole.Length * 2 / 3)]);
        var plain = _project.PathOf("truth/plain.csv" + compression);
        File.WriteAllBytes(plain, text);

        Assert.Contains(
            $"cut.csv{compression}(1,1): error EM0024: the truth file is not a whole {(compression == ".gz" ? "gzip" : "zstd")} file (it stops before its end, or is damaged",
            SingleError(Cli("evaluate", Match, "--truth", cut)),
            StringComparison.Ordinal);
        Assert.Contains(
            $"plain.csv{compression}(1,1): error EM0024: the truth file is not a {(compression == ".gz" ? "gzip" : "zstd")} file though its name ends in {compression}",
            SingleError(Cli("evaluate", Match, "--truth", plain)),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData(".zst")]
    public void A_compressed_truth_file_with_bytes_after_its_end_is_em0024_saying_where_they_start(string compression)
    {
        // Before: "is not a whole … file (it stops before its end, or is damaged: a download or copy that stopped?)", of a
        // file whose compressed data is whole and followed by 100 zero bytes.
        var text = File.ReadAllBytes(_project.PathOf("truth/candidacy_ddhq_matches.csv"));
        var whole = Compressed(text, compression);

        var padded = _project.PathOf("truth/padded.csv" + compression);
        File.WriteAllBytes(padded, [.. whole, .. new byte[100]]);
        var (kind, part) = compression == ".gz" ? ("gzip", "member") : ("zstd", "frame");

        var error = SingleError(Cli("evaluate", Match, "--truth", padded));

        Assert.Contains(
            $"padded.csv{compression}(1,1): error EM0024: the truth file is not a whole {kind} file: its last {kind} {part} ends at byte offset {whole.Length:N0}, "
            + $"and the 100 bytes after it (00 00 00 00 00 00 00 00 …) are not {kind} data",
            error,
            StringComparison.Ordinal);
        Assert.DoesNotContain("stops before", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_truth_file_is_said_to_be_empty()
    {
        var error = SingleError(Cli("evaluate", Match, "--truth", Truth("empty.csv", "")));

        // Before: "a truth file needs at least two columns", as if its header had one.
        Assert.Contains("empty.csv(1,1): error EM0024: the truth file is empty: it needs a header of at least two columns (gp_candidacy_id and ddhq_candidate_id", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truth_path_that_is_a_directory_is_said_to_be_one()
    {
        var error = SingleError(Cli("evaluate", Match, "--truth", _project.PathOf("truth")));

        // Before: "truth file not found", though it is there.
        Assert.Contains("error EM0005: the truth file is a directory, not a CSV file of true pairs", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truth_pair_contradicting_another_names_the_row_and_its_link()
    {
        // gpc-001623's primary row is linked to 1402035, as the truth says; a second primary pair of it names 1402999.
        // Before: "the snapshot has no row for it (quarantined, …)", though the row is there and linked.
        var truth = Truth("contradiction.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\ngpc-001623,primary,1402035\ngpc-001623,primary,1402999\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth, "--partial-truth");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var miss = Assert.Single(evaluate.Stdout.ReplaceLineEndings("\n").Split('\n'), l => l.StartsWith("miss ", StringComparison.Ordinal));
        Assert.Equal(
            "miss  gpc-001623 primary 2024-03-05 -> 1402999: the snapshot's primary row of gpc-001623 is linked to 1402035, which the truth file also names for it; the truth file gives that row two right ids, and the snapshot has no other primary row of gpc-001623 (a second primary election the run did not discover, or a pair that contradicts another in the truth file)",
            miss);
    }

    private static List<string> Lines(CliProcess.Result result, string prefix) =>
        result.Stdout.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    [Fact]
    public void Each_missed_truth_pair_is_counted_once_under_the_tier_of_its_own_election_row()
    {
        // gpc-000919's primary (unlinked by score) is missed; its general, unlinked by the judge, is no truth row. gpc-000223's
        // general is linked right and its primary missed. gpc-002132's primary has no row (the temporal filter removed it).
        // Before: judge 1 (gpc-000919's general) and score 1 (gpc-000223 counted none: it has a right link), for 3 misses.
        var truth = Truth("tiers.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\ngpc-000919,primary,1402168\ngpc-000223,primary,1403365\ngpc-000223,general,1403386\ngpc-002132,primary,1402999\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth, "--partial-truth");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Equal(3, Lines(evaluate, "miss ").Count);
        Assert.Matches(@"(?m)^tier judge: \d+ rows, 0 links, 0 correct \(precision n/a: no links whose correctness is known\), 0 truth pairs missed$", evaluate.Stdout);
        Assert.Matches(@"(?m)^tier score: \d+ rows, \d+ links, \d+ correct \(precision [01]\.\d{4}\), 2 truth pairs missed$", evaluate.Stdout);
        Assert.Contains("\nuntiered: 1 truth pair missed with no row of its election in the snapshot, so under no tier (its miss line says why)\n", evaluate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truth_id_in_neither_input_is_said_to_be_so_with_a_warning()
    {
        // Before: "the snapshot has no row for it (quarantined, its election removed by the temporal filter, …)" for the
        // unknown candidacy, the ordinary miss's words for the unknown results id, and no warning.
        var truth = Truth("unknown_ids.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\ngpc-000223,general,1403386\ngpc-999999,general,1403365\ngpc-001623,primary,9999999\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth, "--partial-truth");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var misses = Lines(evaluate, "miss ");
        Assert.Equal(2, misses.Count);
        Assert.Equal("miss  gpc-001623 primary 2024-03-05 -> 9999999: no row of the right input (source('airbyte_source', 'ddhq_gdrive_election_results')) has its right id, nor did the run quarantine one with it, so no run could link it", misses[0]);
        Assert.StartsWith("miss  gpc-999999 general -> 1403365: the left id is not in the left input (source('airbyte_source', 'hubspot_api_candidacy'))", misses[1], StringComparison.Ordinal);
        var warning = Assert.Single(evaluate.Stderr.Split('\n'), l => l.Contains(": warning EM", StringComparison.Ordinal));
        Assert.Contains("unknown_ids.csv(3,1): warning EM0121: 1 truth pair names a gp_candidacy_id that is not in the left input (source('airbyte_source', 'hubspot_api_candidacy')), such as 'gpc-999999' at line 3; 1 truth pair names a ddhq_candidate_id that is not in the right input (source('airbyte_source', 'ddhq_gdrive_election_results')), such as '9999999' at line 4", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void False_links_name_their_row_and_what_the_truth_gives_it_and_repeated_lines_are_noted()
    {
        // gpc-001623's primary is linked to 1402035, which this truth gives gpc-000223's general (linked to 1403386).
        // Before: "false gpc-001623 -> 1402035: …", no row, nothing of the truth; the repeated line was merged silently.
        var truth = Truth("false_links.csv", "gp_candidacy_id,election_type,ddhq_candidate_id\ngpc-001623,primary,1402999\ngpc-000223,general,1402035\ngpc-001623,primary,1402999\n");

        var evaluate = Cli("evaluate", Match, "--truth", truth, "--partial-truth");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var falses = Lines(evaluate, "false ");
        Assert.Equal(3, falses.Count);
        Assert.StartsWith("false gpc-000223 general 2024-11-05 -> 1403386 (truth: 1402035): linked by score", falses[0], StringComparison.Ordinal);
        Assert.StartsWith("false gpc-001623 primary 2024-03-05 -> 1402035 (truth: 1402999; 1402035 is gpc-000223's): linked by score", falses[1], StringComparison.Ordinal);
        // Its general row's link is known wrong with partial truth: the truth names gpc-001623, and no pair of that row.
        Assert.StartsWith("false gpc-001623 general 2024-11-05 -> 1403248 (truth: no pair for this row): linked by score", falses[2], StringComparison.Ordinal);
        Assert.Contains("\ntruth note: 1 line repeats a pair of another line and is counted once (3 lines of pairs, 2 pairs)\n", evaluate.Stdout, StringComparison.Ordinal);
    }
}
