using ElectionMatch.Matches.CandidacyDdhq;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A middle name that is a nickname of the other side's first name, through a whole run (the pairs' projection reads each
/// side's middle-name groups, stored per row by cleaning): Richard Hudson filed as J Rick Hudson against RICHARD HUDSON,
/// and a ballot J RICK HUDSON against Richard Hudson, are linked at the first name's middle level as Douglas against DOUG
/// is; before, both were vetoed (nicknames.csv lists Rick for Richard, not Richard for Rick, so Richard's group does not
/// hold Rick).
/// </summary>
public sealed class MiddleNicknameRunTests : IClassFixture<MiddleNicknameRunTests.HudsonRun>
{
    private readonly MatcherRun _run;

    public MiddleNicknameRunTests(HudsonRun run) => _run = run.Run;

    [Fact]
    public void A_middle_name_that_is_short_for_the_other_sides_first_name_links_either_way()
    {
        var rows = _run.Warehouse.Query(
            $"""
            select gp_candidacy_id, coalesce(ddhq_candidate, ''), has_match, json_extract_string(match_explanation, '$.first_name.level')
            from {_run.Table("output")}
            where gp_candidacy_id like 'H001067-%'
            order by gp_candidacy_id
            """,
            r => (r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetString(3)));

        Assert.Equal(
            [
                ("H001067-2012", "RICHARD HUDSON", true, "middle"),
                ("H001067-2014", "RICHARD HUDSON", true, "exact"),
                ("H001067-2016", "J RICK HUDSON", true, "middle"),
            ],
            rows);
    }

    /// <summary>
    /// The projection's test (the other side's first name among the middle name's groups, stored per row) says what a join
    /// of (middle name, formal name) rows says, on every candidate pair of the run, both ways.
    /// </summary>
    [Fact]
    public void The_stored_middle_groups_answer_as_a_join_of_the_nickname_groups_does_on_every_pair()
    {
        var (pairs, differing, left, right) = _run.Warehouse.Query(
            $"""
            with formal as (select distinct name, unnest(groups) as formal from {_run.Table("first_name_groups")})
            select
                count(*),
                count(*) filter (where {CandidacyDdhqMatcher.MiddleFor("l", "r")} <> (lm.name is not null) or {CandidacyDdhqMatcher.MiddleFor("r", "l")} <> (rm.name is not null)),
                count(*) filter (where lm.name is not null),
                count(*) filter (where rm.name is not null)
            from {_run.Table("candidate_pairs")} as pr
            join {_run.Table("right_clean")} as r using (right_key)
            join {_run.Table("left_keyed")} as l using (left_key)
            left join formal as lm on lm.name = l.middle1 and lm.formal = r.first_name
            left join formal as rm on rm.name = split_part(r.middle_name, ' ', 1) and rm.formal = l.first_name
            """,
            r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3))).Single();

        Assert.True(pairs > 300, $"{pairs} pairs");
        Assert.Equal(0, differing);
        // Hudson's two rows, one each way, and whatever else the legislators' middle names meet.
        Assert.True(left >= 1 && right >= 1, $"{left} left, {right} right middle names short for the other's first name");
    }

    /// <summary>The legislators fixture with Hudson's 2012 row and 2016 ballot going by his middle name Rick, run once.</summary>
    public sealed class HudsonRun : IDisposable
    {
        public HudsonRun()
        {
            var fixture = FixtureCopy.Of("legislators");
            var left = fixture.PathOf("data/left.csv");
            File.WriteAllText(left, File.ReadAllText(left).Replace("H001067-2012,H001067,Richard,,Hudson", "H001067-2012,H001067,J,Rick,Hudson", StringComparison.Ordinal));
            var right = fixture.PathOf("data/right.csv");
            File.WriteAllText(right, File.ReadAllText(right).Replace("2016-11-08,general,RICHARD HUDSON,", "2016-11-08,general,J RICK HUDSON,", StringComparison.Ordinal));
            Run = MatcherRun.Of(fixture);
        }

        internal MatcherRun Run { get; }

        public void Dispose() => Run.Dispose();
    }
}
