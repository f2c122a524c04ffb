using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// Each published row's reasoning says what the run actually did: the runner-up a link by score was measured against,
/// the row a lost candidate went to, a judge's pick that lost its candidate, and why a row had no candidate at all.
/// </summary>
public sealed class DecisionReasoningTests(DecisionReasoningTests.RivalRun rival) : IClassFixture<DecisionReasoningTests.RivalRun>
{
    private const string Hubspot = "data/airbyte/hubspot_candidacy.csv";

    /// <summary>Bob Johnson's row as committed: Robert Johnson on the ballot of Bakersfield District 1.</summary>
    private const string BobJohnson = "gpc-001623,580181832,Bob,Johnson,CA,City Council,Bakersfield City Council - District 1,local,1,Nonpartisan,2024-03-05,2024-11-05,";

    private static string Reasoning(MatcherRun run, string id, string type) =>
        run.Warehouse.Scalar<string>($"select llm_reasoning from {run.Table("output")} where gp_candidacy_id = '{id}' and hubspot_election_type = '{type}'")!;

    [Fact]
    public void A_link_whose_runner_up_is_another_candidacy_for_its_results_row_names_that_candidacy()
    {
        var run = rival.Run;

        var reasoning = Reasoning(run, "gpc-001623", "general");

        // The runner-up was no other results row of gpc-001623 but gpc-009002's claim on the same results row.
        Assert.StartsWith("linked by score: match probability 1.0000, no other candidate above the reject threshold; ", reasoning, StringComparison.Ordinal);
        Assert.Matches(@"; \d+\.\d bits ahead of the next candidacy for this results row, gpc-009002 \(first_name nickname, ", reasoning);
        Assert.DoesNotContain("ahead of the next candidate", reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_whose_best_candidate_is_linked_to_another_row_names_that_row()
    {
        var run = rival.Run;

        Assert.Equal("best candidate Robert Johnson is linked to another row (gpc-001623)", Reasoning(run, "gpc-009002", "general"));
    }

    [Fact]
    public void A_link_whose_runner_up_is_another_results_row_names_it_with_its_id()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // Robert Johnson again, on another office's ballot the same day: a candidate for Bob Johnson, far behind.
        File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"),
            "299999,CA Bakersfield Board of Education - District 1 - General,1499998,Robert Johnson,Nonpartisan,false,99,2024-11-05,CA,general,Board of Education,1,false\n");
        using var run = MatcherRun.Of(fixture);

        Assert.Matches(
            @"^linked by score: match probability 1\.0000, \d+\.\d bits ahead of the next candidate, Robert Johnson \[1499998\] \(first_name nickname, ",
            Reasoning(run, "gpc-001623", "general"));
    }

    [Fact]
    public void Two_judge_picks_of_one_candidate_at_equal_confidence_in_separate_requests_are_both_left_undecided()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // One row per judge request, and a second William Harris: each request sees one row, so both pick Bill Harris at 92.
        // In one request the judge itself leaves two equal claims uncertain; split across requests, row order must not
        // choose the winner either.
        var settings = fixture.Read("electionmatch.yml");
        Assert.Contains("    judge:\n      provider: offline\n\n  # L2", settings, StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", settings.Replace("    judge:\n      provider: offline\n\n  # L2", "    judge:\n      provider: offline\n      max_rows_per_request: 1\n\n  # L2", StringComparison.Ordinal));
        File.AppendAllText(fixture.PathOf(Hubspot), "gpc-009001,672709399,William,Harris,TX,City Council,Plano City Council - District 4,local,4,Nonpartisan,2024-03-05,2024-11-05,\n");
        using var run = MatcherRun.Of(fixture);

        var rows = run.Warehouse.Query(
            $"select gp_candidacy_id, llm_confidence, has_match, decided_by from {run.Table("output")} where gp_candidacy_id in ('gpc-000153', 'gpc-009001') and hubspot_election_type = 'general' order by 1",
            r => (Id: r.GetString(0), Confidence: r.GetInt32(1), Linked: r.GetBoolean(2), DecidedBy: r.GetString(3)));
        Assert.Equal([("gpc-000153", 92, false, "judge"), ("gpc-009001", 92, false, "judge")], rows);
        Assert.StartsWith("judge chose Bill Harris (confidence 92) but the judge chose it for gpc-009001 as well (confidence 92), so neither is linked: candidate 1 (Bill Harris)",
            Reasoning(run, "gpc-000153", "general"), StringComparison.Ordinal);
        Assert.StartsWith("judge chose Bill Harris (confidence 92) but the judge chose it for gpc-000153 as well (confidence 92), so neither is linked: candidate 1 (Bill Harris)",
            Reasoning(run, "gpc-009001", "general"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_judge_names_a_rival_row_of_its_request_by_its_candidacy_id()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // A second William Harris in Bill Harris's race: one request holds both rows, and the judge's words name each
        // by the id a user can look up, not by the run's internal row key.
        File.AppendAllText(fixture.PathOf(Hubspot), "gpc-009001,672709399,William,Harris,TX,City Council,Plano City Council - District 4,local,4,Nonpartisan,2024-03-05,2024-11-05,\n");
        using var run = MatcherRun.Of(fixture);

        // The row the judge decides first (by the run's key) takes Bill Harris; which one that is does not matter here.
        var reasoning = new[] { "gpc-000153", "gpc-009001" }.ToDictionary(id => id, id => Reasoning(run, id, "general"));
        var loser = Assert.Single(reasoning, r => r.Value.Contains("no free candidate fits", StringComparison.Ordinal)).Key;
        var winner = reasoning.Keys.Single(id => id != loser);
        Assert.Contains($"; but William Harris ({loser}) fits this candidate as well (92), so this is not certain (-35)", reasoning[winner], StringComparison.Ordinal);
        Assert.Contains($"no free candidate fits: candidate 1 (Bill Harris) fits (92) but was chosen for William Harris ({winner})", reasoning[loser], StringComparison.Ordinal);
    }

    [Fact]
    public void A_judge_pick_that_no_blocking_rule_found_is_published_with_its_candidate_and_weights()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // Retrieval keeps one candidate a row and the surnames sound different (W440, W400), so Richard Will is no candidate
        // pair of Richard Wlil; his race-mate Richard Bush is, and sends the row to the judge, which sees the whole race and
        // picks Richard Will. Seen at a million synthetic candidacies with the default top 5: such a link was published
        // with has_match true and no candidate, id or weights.
        var settings = fixture.Read("electionmatch.yml");
        Assert.Contains("    retrieval:\n      top_k: 5\n", settings, StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", settings.Replace("    retrieval:\n      top_k: 5\n", "    retrieval:\n      top_k: 1\n", StringComparison.Ordinal));
        File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"), """
            299990,TX Plano City Council - District 7 - General,1499990,"Bush, Richard",Nonpartisan,true,5000,2024-11-05,TX,general,City Council,7,false
            299990,TX Plano City Council - District 7 - General,1499991,"Will, Richard R.",Nonpartisan,false,4000,2024-11-05,TX,general,City Council,7,false
            299990,TX Plano City Council - District 7 - General,1499992,"Fapalm, Vernell",Nonpartisan,false,3000,2024-11-05,TX,general,City Council,7,false

            """);
        File.AppendAllText(fixture.PathOf(Hubspot), "gpc-009101,672709401,Richard,Wlil,TX,City Council,Plano City Council - District 7,local,7,Nonpartisan,,2024-11-05,\n");
        static string T(string stage) => RunSchema.For("candidacy_ddhq_matches").Table(stage);

        // The run published in the project's own warehouse, whose stages explain reads as that snapshot's.
        long pairsOfWill;
        (bool Linked, string DecidedBy, string? Best, string? Candidate, long? Id, long? Race, int Confidence, bool Weighed, string? LastName, List<string>? FoundBy) row;
        new RunOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2026, 11, 30)));
        using (var warehouse = DuckDbWarehouse.Open(fixture.WarehousePath))
        {
            pairsOfWill = warehouse.Scalar<long>(
                $"""
                select count(*) from {T("candidate_pairs")}
                where right_key = (select right_key from {T("right_clean")} where right_id_value = 1499991)
                    and left_key in (select left_key from {T("left_keyed")} where left_id = 'gpc-009101')
                """);
            row = warehouse.Query(
                $"""
                select has_match, decided_by, llm_best_match, ddhq_candidate, ddhq_candidate_id, ddhq_race_id, llm_confidence, match_weight is not null,
                    json_extract_string(match_explanation, '$.last_name.level'), cast(json_extract(match_explanation, '$.found_by') as varchar[])
                from {T("output")} where gp_candidacy_id = 'gpc-009101'
                """,
                r => (Linked: r.GetBoolean(0), DecidedBy: r.GetString(1), Best: r.IsDBNull(2) ? null : r.GetString(2), Candidate: r.IsDBNull(3) ? null : r.GetString(3),
                    Id: r.IsDBNull(4) ? (long?)null : r.GetInt64(4), Race: r.IsDBNull(5) ? (long?)null : r.GetInt64(5), Confidence: r.GetInt32(6), Weighed: r.GetBoolean(7),
                    LastName: r.IsDBNull(8) ? null : r.GetString(8), FoundBy: r.IsDBNull(9) ? null : r.GetFieldValue<List<string>>(9))).Single();
        }

        Assert.Equal(0L, pairsOfWill);
        Assert.Equal((true, "judge", "Will, Richard R.", "Will, Richard R.", 1499991L, 299990L, 92, true), (row.Linked, row.DecidedBy, row.Best, row.Candidate, row.Id, row.Race, row.Confidence, row.Weighed));
        Assert.Equal("fuzzy", row.LastName);
        // No blocking rule found the pair: the explanation says so instead of naming one, and explain lists it as linked.
        Assert.Equal(["judge_race"], row.FoundBy);
        var pairs = new ExplainOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute("candidacy_ddhq_matches", "gpc-009101").Rows.Single().Candidates;
        var judged = pairs.Single(p => p.RightId == "1499991");
        Assert.True(judged.Linked);
        Assert.Equal(["judge_race"], judged.FoundBy);
        Assert.Equal("fuzzy", judged.Steps.Single(step => step.Field == "last_name").Level);
    }

    [Fact]
    public void A_row_whose_best_candidate_has_no_race_id_is_judged_in_the_race_of_its_name()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // A race whose results rows have no race_id (a blank the input allows), and a candidacy in the judge's band for it:
        // Bill Wilsen against William R. Wilson. The judge joined races on their id, so it was shown no race and gave no
        // answer, and the row was published as "best candidate Wilson, William R. is linked to another row (?)", decided
        // by score, though no row had that candidate.
        File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"), """
            ,TX Plano City Council - District 7 - General,1499990,"Bush, Richard",Nonpartisan,true,5000,2024-11-05,TX,general,City Council,7,false
            ,TX Plano City Council - District 7 - General,1499991,"Wilson, William R.",Nonpartisan,false,4000,2024-11-05,TX,general,City Council,7,false
            ,TX Plano City Council - District 7 - General,1499992,"Fapalm, Vernell",Nonpartisan,false,3000,2024-11-05,TX,general,City Council,7,false

            """);
        File.AppendAllText(fixture.PathOf(Hubspot), "gpc-009101,672709401,Bill,Wilsen,TX,City Council,Plano City Council - District 7,local,7,Nonpartisan,,2024-11-05,\n");
        using var run = MatcherRun.Of(fixture);

        Assert.Equal("judge", run.Warehouse.Scalar<string>($"select decided_by from {run.Table("output")} where gp_candidacy_id = 'gpc-009101'"));
        // The judge saw the whole race of that name: three candidates, William R. Wilson the second.
        Assert.Equal(
            "judge: candidate 2 (Wilson, William R.): first name nickname, surname fuzzy, only a partial name match (-8), no exact name part (-15) = 77",
            Reasoning(run, "gpc-009101", "general"));
        Assert.Equal(3L, run.Warehouse.Scalar<long>(
            $"select count(*) from {run.Table("judge_evidence")} where left_key = (select left_key from {run.Table("left_keyed")} where left_id = 'gpc-009101')"));
    }

    [Fact]
    public void A_row_whose_best_candidate_has_no_race_id_and_no_race_name_is_judged_against_that_candidate_alone()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // Results rows with neither a race id nor a race name: no race can be found for them, so the judge is shown the
        // best candidate alone. Before, it was shown nothing, gave no answer, and Billy Wilson was left unlinked as "best
        // candidate Wilson, William R. is linked to another row (?)", decided by score, though no row had that candidate.
        File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"), """
            ,,1499990,"Bush, Richard",Nonpartisan,true,5000,2024-11-05,TX,general,City Council,7,false
            ,,1499991,"Wilson, William R.",Nonpartisan,false,4000,2024-11-05,TX,general,City Council,7,false

            """);
        File.AppendAllText(fixture.PathOf(Hubspot), "gpc-009101,672709401,Billy,Wilson,TX,City Council,Plano City Council - District 7,local,7,Nonpartisan,,2024-11-05,\n");
        using var run = MatcherRun.Of(fixture);

        Assert.Equal("judge", run.Warehouse.Scalar<string>($"select decided_by from {run.Table("output")} where gp_candidacy_id = 'gpc-009101'"));
        Assert.Equal(1499991L, run.Warehouse.Scalar<long>($"select ddhq_candidate_id from {run.Table("output")} where gp_candidacy_id = 'gpc-009101'"));
        Assert.Equal(
            "judge: candidate 1 (Wilson, William R.): first name nickname, surname exact, only a partial name match (-8) = 92",
            Reasoning(run, "gpc-009101", "general"));
        Assert.Equal(1L, run.Warehouse.Scalar<long>(
            $"select count(*) from {run.Table("judge_evidence")} where left_key = (select left_key from {run.Table("left_keyed")} where left_id = 'gpc-009101')"));
    }

    [Fact]
    public void A_row_with_no_results_of_its_election_type_that_day_says_so()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // A runoff date copied from the general: Texas has results that day, none of them a runoff.
        const string row = "gpc-003602,70693647248,Dolores,Villarreal,TX,State House,Texas House of Representatives - District 54,state,54,Republican,2024-03-05,2024-11-05,2024-05-28";
        Assert.Contains(row, fixture.Read(Hubspot), StringComparison.Ordinal);
        fixture.Write(Hubspot, fixture.Read(Hubspot).Replace(row, row.Replace("2024-05-28", "2024-11-05", StringComparison.Ordinal), StringComparison.Ordinal));
        using var run = MatcherRun.Of(fixture);

        var listed = $"from {run.Table("output")} where gp_candidacy_id = 'gpc-003602' and hubspot_election_type = 'runoff' and hubspot_election_date = date '2024-11-05'";
        Assert.Equal("none", run.Warehouse.Scalar<string>($"select decided_by {listed}"));
        Assert.Equal("no candidate: no results row of this election type on this date in this state", run.Warehouse.Scalar<string>($"select llm_reasoning {listed}"));
        // The primary runoff she ran in is still found, discovered from her primary: the listed runoff is on another date.
        Assert.Contains(("gpc-003602", "runoff", "1402660"), run.Links());
    }

    [Fact]
    public void A_discovered_runoff_whose_results_rows_the_main_pass_linked_to_others_says_so()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // Dolores Villarreal no longer lists her primary runoff, so the run discovers it from her primary; two other
        // candidacies list that runoff and the main pass links them to its only two results rows (hers among them).
        const string row = "gpc-003602,70693647248,Dolores,Villarreal,TX,State House,Texas House of Representatives - District 54,state,54,Republican,2024-03-05,2024-11-05,2024-05-28";
        Assert.Contains(row, fixture.Read(Hubspot), StringComparison.Ordinal);
        fixture.Write(Hubspot, fixture.Read(Hubspot).Replace(row, row[..^"2024-05-28".Length], StringComparison.Ordinal)
            + "gpc-009301,70693647301,Dolores,Villarreal,TX,State House,Texas House of Representatives - District 54,state,54,Republican,,,2024-05-28\n"
            + "gpc-009302,70693647302,Diane,Westbrook,TX,State House,Texas House of Representatives - District 54,state,54,Republican,,,2024-05-28\n");
        using var run = MatcherRun.Of(fixture);

        Assert.Contains(("gpc-009301", "runoff", "1402660"), run.Links());
        Assert.Contains(("gpc-009302", "runoff", "1402667"), run.Links());
        var unlinked = run.Warehouse.Query(
            $"select decided_by, llm_reasoning from {run.Table(Matches.CandidacyDdhq.CandidacyDdhqMatcher.UnlinkedRunoffsTable)} where gp_candidacy_id = 'gpc-003602' and hubspot_election_date = date '2024-05-28'",
            r => (DecidedBy: r.GetString(0), Reasoning: r.GetString(1)));
        // Before, it said there was no runoff results row that day, though its runoff was found among them.
        Assert.Equal(
            ("none", "no candidate: every results row of this election type on this date in this state is linked to another election row, and a discovered runoff is offered only the results rows left unlinked"),
            Assert.Single(unlinked));
    }

    [Fact]
    public void A_link_of_the_deterministic_tier_says_it_had_no_other_candidate_to_compare()
    {
        using var run = MatcherRun.Of(FixtureCopy.Of("goodparty"));

        var links = run.Warehouse.Query(
            $"select list_contains(cast(json_extract(match_explanation, '$.found_by') as varchar[]), 'exact_name'), llm_reasoning from {run.Table("output")} where decided_by = 'score'",
            r => (Exact: r.GetBoolean(0), Reasoning: r.GetString(1)));

        // Every link by score of the tier says so, and no other link claims the tier.
        var exact = links.Where(l => l.Exact).ToList();
        Assert.NotEmpty(exact);
        Assert.All(exact, l => Assert.Contains(", its only candidate: the one results row of its election with its first name and surname on a ballot for its office (deterministic tier)", l.Reasoning, StringComparison.Ordinal));
        Assert.All(exact, l => Assert.DoesNotContain("no other candidate above the reject threshold", l.Reasoning, StringComparison.Ordinal));
        Assert.All(links.Where(l => !l.Exact), l => Assert.DoesNotContain("deterministic tier", l.Reasoning, StringComparison.Ordinal));
        Assert.Contains(links, l => !l.Exact);
    }

    /// <summary>
    /// The fixture with a second Bob Johnson filed under another district: he fits Robert Johnson about 10 bits worse.
    /// Run once for the class, when one of the two tests that read it (and change nothing) first asks.
    /// </summary>
    public sealed class RivalRun : IDisposable
    {
        private readonly Lazy<MatcherRun> _run = new(() =>
        {
            var fixture = FixtureCopy.Of("goodparty");
            Assert.Contains(BobJohnson, fixture.Read(Hubspot), StringComparison.Ordinal);
            File.AppendAllText(fixture.PathOf(Hubspot), BobJohnson.Replace("gpc-001623,580181832", "gpc-009002,580181899", StringComparison.Ordinal).Replace(",local,1,", ",local,7,", StringComparison.Ordinal) + "\n");
            return MatcherRun.Of(fixture);
        });

        internal MatcherRun Run => _run.Value;

        public void Dispose()
        {
            if (_run.IsValueCreated)
            {
                _run.Value.Dispose();
            }
        }
    }
}
