using System.Globalization;
using ElectionMatch.Matches.L2BallotReady;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>
/// The L2 → BallotReady match on the fixture with districts whose names name no place though their kind has one (a
/// council district, a fire district, a school district or a city written only as its type and number, or as #N/A):
/// their place is unknown, not agreed, so none is linked by score and none is taken over a district whose place agrees.
/// One run, read by every test.
/// </summary>
public sealed class UnplacedDistrictRunTests(UnplacedDistrictRunTests.Run run) : IClassFixture<UnplacedDistrictRunTests.Run>
{
    private const string Positions = """
        193001,X,Round Rock City Council - District 3,TX,city,City Legislature,District,3,4
        193002,X,Mayor of Round Rock,TX,city,Mayor,,,4

        """;

    // Beside the fixture's AUSTIN CITY CNCL 05, HARRIS CNTY ESD 11 and HOUSTON ISD TRUSTEE DIST 4, the same kinds and numbers with no place.
    private const string Districts = """
        9901,TX,City,#N/A
        9902,TX,City_Council_Commissioner_District,CITY CNCL 05
        9903,TX,City_Council_Commissioner_District,CITY CNCL DIST 03
        9904,TX,Fire_District,ESD 11
        9905,TX,School_Board_District,ISD TRUSTEE DIST 4

        """;

    private static Comparison Office { get; } = L2BallotReadyComparisons.Named("office");

    private static Comparison Place { get; } = L2BallotReadyComparisons.Named("place");

    private static string Table(string stage) => RunSchema.For(DistrictMatcherRun.Match).Table(stage);

    private string? Linked(long position) => run.Warehouse.Scalar<string>(
        $"select cast(l2_district_id as varchar) from {Table("output")} where br_database_id = {position} and is_matched");

    private (string DecidedBy, int Confidence, string Reason) Published(long position) => run.Warehouse.Query(
        $"select decided_by, confidence, llm_reason from {Table("output")} where br_database_id = {position}",
        r => (r.GetString(0), r.GetInt32(1), r.GetString(2))).Single();

    [Fact]
    public void A_council_district_that_names_no_place_is_not_linked_by_score_its_place_being_unknown()
    {
        // Round Rock has no council district in L2; CITY CNCL DIST 03 is of its office and number, in a place unknown.
        Assert.Null(Linked(193001));
        var (decidedBy, confidence, reason) = Published(193001);
        Assert.Equal("judge", decidedBy);
        Assert.Equal(50, confidence); // unsure that none fits, not 90: the unplaced district may be Round Rock's
        Assert.Contains("candidate 1 (CITY CNCL DIST 03, City_Council_Commissioner_District): the office is elected by City_Council_Commissioner_District districts and district 3 agrees, but the district's name names no place", reason, StringComparison.Ordinal);
        Assert.EndsWith("; confidence that none fits 100 - 50 (candidate 1 (CITY CNCL DIST 03) earns 50) = 50", reason, StringComparison.Ordinal);

        // The score tier read its place as unknown (null), its office as of unknown place, neither agreement nor a veto.
        var levels = run.Warehouse.Query(
            $"""
            select s.{Office.At("place_unknown")}, s.{Place.At("null")}
            from {Table("scored_pairs")} as s
            join {Table("left_keyed")} as l using (left_key)
            join {Table("right_keyed")} as r using (right_key)
            where l.left_id = '193001' and r.right_id = '9903'
            """,
            r => (PlaceUnknown: r.GetBoolean(0), PlaceNull: r.GetBoolean(1))).Single();
        Assert.True(levels.PlaceUnknown); // before: same_district, linked by score at 0.98
        Assert.True(levels.PlaceNull);
    }

    [Theory]
    [InlineData(163170, "1549")] // Austin City Council - District 5 → AUSTIN CITY CNCL 05, not CITY CNCL 05
    [InlineData(166955, "1608")] // Harris County ESD No. 11 → HARRIS CNTY ESD 11, not ESD 11
    [InlineData(165529, "1601")] // Houston ISD Board of Trustees - District IV → HOUSTON ISD TRUSTEE DIST 4, not ISD TRUSTEE DIST 4
    public void A_district_whose_place_agrees_is_linked_beside_one_of_its_kind_that_names_no_place(long position, string district)
    {
        Assert.Equal(district, Linked(position));
        Assert.Equal("score", Published(position).DecidedBy);
    }

    [Fact]
    public void A_whole_city_that_names_no_place_takes_no_mayor_and_the_fixture_holds()
    {
        Assert.Null(Linked(193002)); // Mayor of Round Rock: not #N/A
        var fixtureTruth = File.ReadAllLines(run.Fixture.PathOf("truth/llm_l2_br_match.csv")).Skip(1).Select(l => l.Split(','));
        Assert.All(fixtureTruth, t => Assert.Equal(t[^1], Linked(long.Parse(t[0], CultureInfo.InvariantCulture))));
        Assert.DoesNotContain(
            run.Warehouse.Query($"select cast(l2_district_id as varchar) from {Table("output")} where is_matched", r => r.GetString(0)),
            id => id.StartsWith("990", StringComparison.Ordinal));
    }

    /// <summary>The fixture with the rows above appended, matched once.</summary>
    public sealed class Run() : AppendedRowsRun(Positions, Districts);
}
