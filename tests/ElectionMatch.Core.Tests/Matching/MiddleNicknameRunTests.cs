namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A middle name that is a nickname of the other side's first name, through a whole run (the pairs' projection joins each
/// side's middle-name groups): Richard Hudson filed as J Rick Hudson against RICHARD HUDSON, and a ballot J RICK HUDSON
/// against Richard Hudson, are linked at the first name's middle level as Douglas against DOUG is; before, both were
/// vetoed (nicknames.csv lists Rick for Richard, not Richard for Rick, so Richard's group does not hold Rick).
/// </summary>
public sealed class MiddleNicknameRunTests
{
    [Fact]
    public void A_middle_name_that_is_short_for_the_other_sides_first_name_links_either_way()
    {
        var fixture = FixtureCopy.Of("legislators");
        var left = fixture.PathOf("data/left.csv");
        File.WriteAllText(left, File.ReadAllText(left).Replace("H001067-2012,H001067,Richard,,Hudson", "H001067-2012,H001067,J,Rick,Hudson", StringComparison.Ordinal));
        var right = fixture.PathOf("data/right.csv");
        File.WriteAllText(right, File.ReadAllText(right).Replace("2016-11-08,general,RICHARD HUDSON,", "2016-11-08,general,J RICK HUDSON,", StringComparison.Ordinal));

        using var run = MatcherRun.Of(fixture);

        var rows = run.Warehouse.Query(
            $"""
            select gp_candidacy_id, coalesce(ddhq_candidate, ''), has_match, json_extract_string(match_explanation, '$.first_name.level')
            from {run.Table("output")}
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
}
