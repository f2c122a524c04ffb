namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A middle name that is a nickname of the other side's first name, through a whole run (the pairs' projection joins each
/// side's middle-name groups): Thomas Massie filed as J Tom Massie against THOMAS MASSIE, and a ballot J TOM MASSIE against
/// Thomas Massie, are linked at the first name's middle level as Douglas against DOUG is; before, both were vetoed.
/// </summary>
public sealed class MiddleNicknameRunTests
{
    [Fact]
    public void A_middle_name_that_is_short_for_the_other_sides_first_name_links_either_way()
    {
        var fixture = FixtureCopy.Of("legislators");
        var left = fixture.PathOf("data/left.csv");
        File.WriteAllText(left, File.ReadAllText(left).Replace("M001184-2012,M001184,Thomas,,Massie", "M001184-2012,M001184,J,Tom,Massie", StringComparison.Ordinal));
        var right = fixture.PathOf("data/right.csv");
        File.WriteAllText(right, File.ReadAllText(right).Replace("2016-11-08,general,THOMAS MASSIE,", "2016-11-08,general,J TOM MASSIE,", StringComparison.Ordinal));

        using var run = MatcherRun.Of(fixture);

        var rows = run.Warehouse.Query(
            $"""
            select gp_candidacy_id, coalesce(ddhq_candidate, ''), has_match, json_extract_string(match_explanation, '$.first_name.level')
            from {run.Table("output")}
            where gp_candidacy_id like 'M001184-%'
            order by gp_candidacy_id
            """,
            r => (r.GetString(0), r.GetString(1), r.GetBoolean(2), r.GetString(3)));

        Assert.Equal(
            [
                ("M001184-2012", "THOMAS MASSIE", true, "middle"),
                ("M001184-2014", "THOMAS MASSIE", true, "exact"),
                ("M001184-2016", "J TOM MASSIE", true, "middle"),
            ],
            rows);
    }
}
