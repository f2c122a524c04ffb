using System.Globalization;
using System.Text.Json;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>
/// The L2 → BallotReady match on the fixture with positions whose place is named like an office (Overland Park, Menlo
/// Park, Port St. Lucie, Park County), a unicameral legislature, a consolidated government, an Emergency Services
/// District beside 300 Municipal Utility Districts, a position with one candidate and one whose name and sub-area disagree
/// on its district. One run, read by every test.
/// </summary>
public sealed class OfficeWordsRunTests(OfficeWordsRunTests.Run run) : IClassFixture<OfficeWordsRunTests.Run>
{
    private const string Positions = """
        191001,X,Overland Park City Council - Ward 1,KS,city,City Legislature,Ward,1,4
        191002,X,College Park City Council - Ward 2,GA,city,City Legislature,Ward,2,4
        191003,X,Mayor of Menlo Park,CA,city,Mayor,,,4
        191004,X,Port St. Lucie City Council - District 3,FL,city,City Legislature,District,3,4
        191005,X,Nebraska Legislature - District 5,NE,state,State Senator,District,5,2
        191006,X,Park County Commission - District 2,WY,county,County Legislature,District,2,3
        191011,X,Unified Government of Wyandotte County and Kansas City Commission - District 3,KS,county,County Legislature,District,3,3
        190020,X,Oregon House of Representatives - District 24,OR,state,State Representative,District,24,2
        192010,X,Missouri House of Representatives - District 24,MO,state,State Representative,District,25,2
        193001,X,Congress Town Council - District 2,AZ,city,City Legislature,District,2,4
        193002,X,Town of Congress Council Member - District 3,AZ,city,,District,3,4
        193003,X,U.S. Congress - Arizona District 7,AZ,,,District,7,1

        """;

    private const string Districts = """
        9601,KS,City_Ward,OVERLAND PARK CITY WARD 01
        9604,GA,City_Ward,COLLEGE PARK CITY WARD 02
        9606,CA,City,MENLO PARK
        9607,FL,City_Council_Commissioner_District,PORT ST LUCIE CITY CNCL 03
        9609,NE,State_Senate,STATE SENATE 05
        9611,WY,County_Commissioner_District,PARK CNTY COMM DIST 02
        9614,KS,County_Commissioner_District,WYANDOTTE CNTY COMM DIST 03
        9003,OR,State_House,STATE HOUSE 024
        9701,AZ,Town_Council,CONGRESS TOWN CNCL DIST 02
        9702,AZ,Town_Council,CONGRESS TOWN CNCL DIST 03
        9703,AZ,Town_Council,WICKENBURG TOWN CNCL DIST 02
        9704,AZ,Town_Council,WICKENBURG TOWN CNCL DIST 03
        9705,AZ,US_Congressional_District,CONGRESSIONAL DISTRICT 07

        """;

    // Harris County has hundreds of MUDs: MUD 011 was as good a fit for ESD 11's commissioner as ESD 11.
    private static string HarrisCountyMuds() =>
        string.Concat(Enumerable.Range(1, 300).Select(i => string.Create(CultureInfo.InvariantCulture, $"{9100 + i},TX,Water_District,HARRIS CNTY MUD {i:000}\n")));

    private string? Linked(long position) => run.Warehouse.Scalar<string>(
        $"select cast(l2_district_id as varchar) from {Table("output")} where br_database_id = {position} and is_matched");

    private string Reason(long position) => run.Warehouse.Scalar<string>($"select llm_reason from {Table("output")} where br_database_id = {position}")!;

    private static string Table(string stage) => RunSchema.For(DistrictMatcherRun.Match).Table(stage);

    [Theory]
    [InlineData(191001, "9601")] // Overland Park City Council - Ward 1 → OVERLAND PARK CITY WARD 01, no park district
    [InlineData(191002, "9604")] // College Park
    [InlineData(191003, "9606")] // Mayor of Menlo Park → the city
    [InlineData(191004, "9607")] // Port St. Lucie, no port
    [InlineData(191005, "9609")] // Nebraska Legislature → STATE SENATE 05, no county legislature
    [InlineData(191006, "9611")] // Park County Commission → PARK CNTY COMM DIST 02
    [InlineData(191011, "9614")] // Unified Government … Commission → the county's district, no school district
    public void A_place_named_like_an_office_links_to_the_district_its_office_words_name(long position, string district) =>
        Assert.Equal(district, Linked(position));

    [Theory]
    [InlineData(193001, "9701")] // Congress Town Council - District 2 → CONGRESS TOWN CNCL DIST 02, not Wickenburg's
    [InlineData(193002, "9702")] // Town of Congress Council Member - District 3: no federal office, Congress's district 3
    public void A_place_named_with_an_office_word_keeps_it_as_its_place_where_the_name_puts_its_place(long position, string district)
    {
        // Both dropped "congress" as an office word: neither name named a place, and the second read as federal.
        Assert.Equal(district, Linked(position));
        Assert.Equal("[congress]", run.Warehouse.Scalar<string>($"select cast(place_words as varchar) from {Table("left_clean")} where left_id = '{position}'"));
        Assert.Equal("[congress]", run.Warehouse.Scalar<string>($"select cast(place_words as varchar) from {Table("right_clean")} where right_id = '{district}'"));
        Assert.Equal("city_council", run.Warehouse.Scalar<string>($"select office_kind from {Table("left_clean")} where left_id = '{position}'"));
    }

    [Fact]
    public void A_us_congress_seat_whose_level_is_blank_is_still_read_as_federal_from_its_name()
    {
        Assert.Null(Linked(193003));
        Assert.Equal("federal", run.Warehouse.Scalar<string>($"select office_kind from {Table("left_clean")} where left_id = '193003'"));
        Assert.StartsWith("rule: the office is above state level (federal)", Reason(193003), StringComparison.Ordinal);
    }

    [Fact]
    public void An_emergency_services_district_takes_its_district_beside_hundreds_of_utility_districts_and_the_fixture_holds()
    {
        Assert.Equal("1608", Linked(166955)); // Harris County ESD No. 11 → HARRIS CNTY ESD 11, not MUD 011
        var fixtureTruth = File.ReadAllLines(run.Fixture.PathOf("truth/llm_l2_br_match.csv")).Skip(1).Select(l => l.Split(','));
        Assert.All(fixtureTruth, t => Assert.Equal(t[^1], Linked(long.Parse(t[0], CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void A_link_with_one_candidate_says_it_was_the_only_one()
    {
        Assert.Equal("9003", Linked(190020));
        Assert.StartsWith("linked by score: candidate 1 (STATE HOUSE 024) at match probability ", Reason(190020), StringComparison.Ordinal);
        Assert.Contains(", the only candidate (office same_district", Reason(190020), StringComparison.Ordinal);
        Assert.DoesNotContain("bits ahead", Reason(190020), StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_and_sub_area_that_disagree_on_the_district_say_so_in_the_reason()
    {
        Assert.Equal("1714", Linked(192010)); // the sub-area's 25, as before
        Assert.EndsWith("; the name says district 24 and sub_area_value district 25; the sub-area's is used", Reason(192010), StringComparison.Ordinal);
        Assert.DoesNotContain("the name says", Reason(170100), StringComparison.Ordinal); // name and sub-area agree on 24
    }

    [Fact]
    public void The_top_embedding_score_is_the_first_candidates_and_scores_have_four_decimals()
    {
        var rows = run.Warehouse.Query(
            $"select br_database_id, top_embedding_score, embeddings from {Table("output")}",
            r => (Id: r.GetInt64(0), Top: r.GetDouble(1), Embeddings: r.GetString(2)));

        foreach (var (_, top, embeddings) in rows)
        {
            using var json = JsonDocument.Parse(embeddings);
            var scores = json.RootElement.EnumerateArray().Select(e => e.GetProperty("score").GetDouble()).ToList();
            Assert.Equal(scores[0], top);
            Assert.All(scores, s => Assert.Equal(Math.Round(s, 4), s)); // 0.3301, not the float's 0.33009999990463257
        }

        // Assembly 51: STATE SENATE 07 first at 0.3301, not the state district CALIFORNIA's higher 0.5018 at place 11.
        Assert.Equal(0.3301, rows.Single(r => r.Id == 141500).Top);
    }

    /// <summary>The fixture with the rows above appended, matched once.</summary>
    public sealed class Run() : AppendedRowsRun(Positions, Districts + HarrisCountyMuds());
}
