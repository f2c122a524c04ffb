namespace ElectionMatch.Tests.Matching;

/// <summary>
/// Issue #8, pairs at scale: the sounds-alike rule pairs only surnames that sound alike with given names the first
/// name comparison would not veto, and a namesake on another office's ballot that day is not linked by score, while an
/// office that is no race on the ballot (written another way) goes to the judge rather than being rejected by score.
/// Rows are added to the goodparty fixture in a state and on a date of their own (Vermont, 2024-11-05).
/// </summary>
public sealed class PairEvidenceTests(PairEvidenceTests.VermontRun vermont) : IClassFixture<PairEvidenceTests.VermontRun>
{
    private const string Ballots = """
        990001,VT Burlington City Council - District 3 - General,9900011,Robert Smith,Nonpartisan,true,900,2024-11-05,VT,general,City Council,3,false
        990001,VT Burlington City Council - District 3 - General,9900012,Jennifer Smith,Nonpartisan,false,800,2024-11-05,VT,general,City Council,3,false
        990001,VT Burlington City Council - District 3 - General,9900013,Kevin Morrow,Nonpartisan,false,700,2024-11-05,VT,general,City Council,3,false
        990002,VT Rutland County Sheriff - General,9900021,Dana Garcia,Nonpartisan,true,600,2024-11-05,VT,general,Sheriff,,false
        990002,VT Rutland County Sheriff - General,9900022,Mark Jones,Nonpartisan,false,500,2024-11-05,VT,general,Sheriff,,false
        990003,VT Winooski City Council - District 1 - General,9900031,Laura Hill,Nonpartisan,true,400,2024-11-05,VT,general,City Council,1,false
        990003,VT Winooski City Council - District 1 - General,9900032,Peter Quinn,Nonpartisan,false,300,2024-11-05,VT,general,City Council,1,false

        """;

    private const string Candidacies = """
        gpc-990001,990001,Bob,Smith,VT,City Council,Burlington City Council - District 3,local,3,Nonpartisan,,2024-11-05,
        gpc-990002,990002,Dana,Garcia,VT,City Council,Winooski City Council - District 1,local,1,Nonpartisan,,2024-11-05,
        gpc-990003,990003,Laura,Hill,VT,City Council,Council Member Seat One of the City of Winooski,local,1,Nonpartisan,,2024-11-05,

        """;

    [Fact]
    public void Surnames_that_sound_alike_pair_only_with_given_names_that_agree()
    {
        var run = vermont.Run;

        // Bob is a nickname of Robert: the sound and the nickname group pair them; Jennifer shares only the sound.
        Assert.Contains("surname_sound", Rules(run, "gpc-990001", "9900011"));
        Assert.DoesNotContain("surname_sound", Rules(run, "gpc-990001", "9900012"));
        Assert.Contains(("gpc-990001", "general", "9900011"), run.Links());
    }

    [Fact]
    public void A_namesake_on_another_offices_ballot_is_not_linked_by_score()
    {
        var run = vermont.Run;

        // Dana Garcia ran for Winooski City Council; the only Dana Garcia that day is on the sheriff's ballot.
        var (office, acceptable) = run.Warehouse.Query(
            $"""
            select s.gamma_office, s.match_probability
            from {run.Table("scored_pairs")} as s
            join {run.Table("left_keyed")} as l using (left_key)
            join {run.Table("right_keyed")} as r using (right_key)
            where l.left_id = 'gpc-990002' and r.right_id = '9900021'
            """,
            r => (Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), r.GetDouble(1))).Single();
        Assert.Equal(2, office); // "different": the race name does not contain the candidacy's office
        Assert.True(acceptable > 0.5, $"the names agree, so only the office keeps this pair apart (probability {acceptable})");
        Assert.DoesNotContain(run.Links(), l => l.Left == "gpc-990002");

        // Her own office is on the ballot that day (Winooski City Council - District 1), so the judge is not asked.
        var (decidedBy, reasoning) = run.Warehouse.Query(
            $"select decided_by, llm_reasoning from {run.Table("output")} where gp_candidacy_id = 'gpc-990002'",
            r => (r.GetString(0), r.GetString(1))).Single();
        Assert.Equal("score", decidedBy);
        Assert.Contains("Dana Garcia is on the ballot of another office (VT Rutland County Sheriff - General)", reasoning, StringComparison.Ordinal);

        // The same names in the candidacy's own race are linked, and the office level says why.
        var explanation = run.Warehouse.Scalar<string>(
            $"select cast(match_explanation as varchar) from {run.Table("output")} where gp_candidacy_id = 'gpc-990001'");
        Assert.Contains("\"office\":{\"level\":\"same\"", explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void An_office_written_another_way_than_any_race_is_a_question_for_the_judge_not_a_veto_by_score()
    {
        var run = vermont.Run;

        // No race on Vermont's ballot that day is called "council member seat one of the city of winooski": the
        // race does not contain the office ('different'), but since the office is no race at all (written another
        // way, or a seat DDHQ does not cover) the row is not rejected by score; the judge reads both names.
        var office = run.Warehouse.Scalar<int>(
            $"""
            select s.gamma_office
            from {run.Table("scored_pairs")} as s
            join {run.Table("left_keyed")} as l using (left_key)
            join {run.Table("right_keyed")} as r using (right_key)
            where l.left_id = 'gpc-990003' and r.right_id = '9900031'
            """);
        Assert.Equal(2, office);
        Assert.Equal("judge", run.Warehouse.Scalar<string>($"select decided_by from {run.Table("output")} where gp_candidacy_id = 'gpc-990003'"));
    }

    private static IReadOnlyList<string> Rules(MatcherRun run, string leftId, string rightId) =>
        run.Warehouse.Query(
            $"""
            select unnest(c.rules)
            from {run.Table("candidate_pairs")} as c
            join {run.Table("left_keyed")} as l using (left_key)
            join {run.Table("right_keyed")} as r using (right_key)
            where l.left_id = '{leftId}' and r.right_id = '{rightId}'
            """,
            r => r.GetString(0));

    /// <summary>The fixture with the Vermont rows added, run once for the class: every test reads the same run.</summary>
    public sealed class VermontRun : IDisposable
    {
        public VermontRun()
        {
            var fixture = FixtureCopy.Of("goodparty");
            File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"), Ballots);
            File.AppendAllText(fixture.PathOf("data/airbyte/hubspot_candidacy.csv"), Candidacies);
            Run = MatcherRun.Of(fixture);
        }

        internal MatcherRun Run { get; }

        public void Dispose() => Run.Dispose();
    }
}
