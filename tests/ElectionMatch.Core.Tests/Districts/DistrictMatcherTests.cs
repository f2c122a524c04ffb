using ElectionMatch.Matches.L2BallotReady;

namespace ElectionMatch.Tests.Districts;

/// <summary>L2 districts → BallotReady positions on the goodparty fixture (its cases: dbt_fixtures/goodparty/truth/README.md).</summary>
public sealed class DistrictMatcherTests : IClassFixture<DistrictMatcherRun>
{
    private readonly DistrictMatcherRun _run;

    public DistrictMatcherTests(DistrictMatcherRun run)
    {
        _run = run;
    }

    private Dictionary<string, string> Truth() =>
        File.ReadAllLines(_run.Fixture.PathOf("truth/llm_l2_br_match.csv")).Skip(1)
            .Select(l => l.Split(','))
            .ToDictionary(p => p[0], p => p[^1]);

    [Fact]
    public void Every_position_is_decided_as_the_truth_file_says()
    {
        var links = _run.Warehouse.Query(
            $"select cast(br_database_id as varchar), cast(l2_district_id as varchar) from {_run.Table("output")} where is_matched",
            r => (r.GetString(0), r.GetString(1))).ToHashSet();
        var truth = Truth().Select(t => (t.Key, t.Value)).ToHashSet();

        Assert.True(truth.SetEquals(links), $"missed: {string.Join("; ", truth.Except(links))}; wrong: {string.Join("; ", links.Except(truth))}");
    }

    [Fact]
    public void Every_position_has_thirteen_candidates_the_top_ten_then_the_state_district_then_two_buffer()
    {
        var lists = _run.Warehouse.Query(
            $"""
            select c.left_key, list(c.found_by order by c.candidate_number), list(c.score order by c.candidate_number), list(r.district_type order by c.candidate_number)
            from {_run.Table("candidates")} as c
            join {_run.Table("right_keyed")} as r using (right_key)
            group by c.left_key
            """,
            r => (Found: ((List<string>)r.GetValue(1)).ToArray(), Scores: ((List<float>)r.GetValue(2)).ToArray(), Types: ((List<string>)r.GetValue(3)).ToArray()));

        Assert.Equal(89, lists.Count);
        foreach (var (found, scores, types) in lists)
        {
            Assert.Equal(DistrictSelection.MaxCandidates, found.Length);
            Assert.Equal([.. Enumerable.Repeat("top_k", 10), "state_level", "buffer", "buffer"], found);
            Assert.Equal("State", types[10]);
            // Ranked by similarity, the buffer after the top ten; the state district sits apart from the ranking.
            var ranked = scores[..10].Concat(scores[11..]).ToArray();
            Assert.Equal(ranked.OrderByDescending(s => s), ranked);
        }
    }

    [Fact]
    public void The_embeddings_column_keeps_the_thirteen_in_order_with_their_scores()
    {
        var embeddings = _run.Warehouse.Scalar<string>($"select embeddings from {_run.Table("output")} where br_database_id = 140741")!;
        using var json = System.Text.Json.JsonDocument.Parse(embeddings);
        var items = json.RootElement.EnumerateArray().ToList();

        Assert.Equal(13, items.Count);
        Assert.Equal("STATE HOUSE 015", items[0].GetProperty("district_name").GetString());
        Assert.Equal("CALIFORNIA", items[10].GetProperty("district_name").GetString());
        Assert.All(items, i => Assert.Equal(["district_name", "district_type", "score"], i.EnumerateObject().Select(p => p.Name)));
        Assert.Equal("race name: California State Assembly - District 15", _run.Warehouse.Scalar<string>($"select embedding_queried_term from {_run.Table("output")} where br_database_id = 140741"));
    }

    [Fact]
    public void District_numbers_must_agree_so_district_15_never_takes_district_5()
    {
        Assert.Equal("1022", _run.Linked(140741)); // Assembly 15 → STATE HOUSE 015
        Assert.Equal("1023", _run.Linked(140300)); // Assembly 5 → STATE HOUSE 005
        Assert.Equal("1073", _run.Linked(143300)); // LA Council 1 → CNCL 01, not 11
        Assert.Equal("1601", _run.Linked(165529)); // Houston ISD District IV → TRUSTEE DIST 4
        Assert.Null(_run.Linked(143350)); // LA Council 14: L2 has 04, 11, 01
        Assert.Null(_run.Linked(149700)); // Georgia House 14: L2 has 144
        Assert.Null(_run.Linked(170200)); // Missouri House 26: L2 has 24, 25
        Assert.Null(_run.Linked(141500)); // Assembly 51: L2 has 54, 15, 05
    }

    [Fact]
    public void The_office_decides_the_district_type()
    {
        Assert.Equal("1350", _run.Linked(153192)); // Board of Education → FULTON CNTY SCHOOL BRD DIST 02
        Assert.Equal("1313", _run.Linked(152147)); // County Commission → FULTON CNTY COMM DIST 02
        Assert.Equal("1110", _run.Linked(145020)); // Mayor of Los Angeles → the city
        Assert.Equal("1197", _run.Linked(146900)); // Los Angeles County Sheriff → the county
        Assert.Equal("1392", _run.Linked(155787)); // Atlanta Board of Education, seat 7 ignored → ATLANTA PUBLIC SCHOOLS
        Assert.Equal("1010", _run.Linked(142588)); // Governor of California → the state-level district
    }

    [Fact]
    public void A_numbered_seat_never_takes_the_whole_district_it_is_part_of()
    {
        Assert.Equal("1164", _run.Linked(145189)); // LA Unified District 3 → BRD DIST 3, not the whole school district
        Assert.Null(_run.Linked(165155)); // Austin ISD District 3: only AUSTIN ISD
        Assert.Null(_run.Linked(148327)); // Moraga-Orinda Division 2: only the whole fire district
        Assert.Null(_run.Linked(156258)); // Gwinnett District 1: only the whole school district
    }

    [Fact]
    public void Offices_above_state_level_are_answered_zero_by_rule()
    {
        var federal = _run.Warehouse.Query(
            $"select br_database_id, decided_by, is_matched, selected_candidate_number from {_run.Table("output")} where br_database_id in (142402, 142450, 151918, 151950, 160859, 170400)",
            r => (Decided: r.GetString(1), Matched: r.GetBoolean(2), Selected: r.GetInt32(3)));

        Assert.Equal(6, federal.Count);
        Assert.All(federal, f => Assert.Equal(("rule", false, 0), f));
    }

    [Fact]
    public void Positions_no_district_fits_are_answered_zero_with_a_reason()
    {
        var truth = Truth();
        var unmatched = _run.Warehouse.Query(
            $"select cast(br_database_id as varchar), selected_candidate_number, llm_reason from {_run.Table("output")} where not is_matched",
            r => (Id: r.GetString(0), Selected: r.GetInt32(1), Reason: r.GetString(2)));

        Assert.Equal(89 - truth.Count, unmatched.Count);
        Assert.All(unmatched, u => Assert.DoesNotContain(u.Id, truth.Keys));
        Assert.All(unmatched, u => Assert.Equal(0, u.Selected));
        Assert.All(unmatched, u => Assert.False(string.IsNullOrWhiteSpace(u.Reason)));
    }

    [Fact]
    public void The_output_has_the_spec_columns_in_order_then_ours()
    {
        var columns = _run.Warehouse.Describe($"select * from {_run.Table("output")}").Select(c => c.Name);

        Assert.Equal(
            [
                "br_database_id", "name", "state", "l2_district_name", "l2_district_type", "is_matched", "llm_reason",
                "confidence", "top_embedding_score", "embeddings", "alternative_matches", "embedding_queried_term",
                "l2_district_id", "selected_candidate_number", "match_probability", "match_weight", "decided_by", "match_explanation",
                "l2_district_other_names",
            ],
            columns);
        Assert.Equal(L2BallotReadyColumns.All.Select(c => c.Name), columns);
    }

    [Fact]
    public void Rows_read_are_accounted_for_and_the_state_summary_covers_every_position()
    {
        Assert.All(_run.Result.Accounts, a => Assert.True(a.Balances, $"{a.Input} {a.Unit}: {a.Read} read, {a.Accounted} accounted"));
        Assert.Equal(89, _run.Result.Counts["output_rows"]);
        Assert.Contains(_run.Result.Summary, l => l.StartsWith("all ", StringComparison.Ordinal) && l.Contains(" 89 ", StringComparison.Ordinal));
        Assert.Equal(["CA", "GA", "MO", "TX", "all", "mean"], _run.Result.Summary.Skip(1).Select(l => l.Split(' ')[0]));
        // The line under the table says which positions its confidence columns count.
        Assert.StartsWith("mean confidence and 90-100 / 70-89 / <70 count matched positions only; ", _run.Result.Summary[^1], StringComparison.Ordinal);
    }
}
