using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>
/// The L2 → BallotReady match on the fixture with positions whose name leaves the office kind unclear (a place and a
/// number, a board of trustees) or reads another kind (Anchorage's Assembly is its city council, no state assembly),
/// where BallotReady's normalized_position_name says what the office is; and one whose name is clear, which keeps its
/// kind. One run, read by every test.
/// </summary>
public sealed class NormalizedPositionNameRunTests(NormalizedPositionNameRunTests.Run run) : IClassFixture<NormalizedPositionNameRunTests.Run>
{
    private const string Positions = """
        194001,X,Springfield - District 3,IL,city,City Legislature,District,3,4
        194002,X,Anchorage Assembly - District 3,AK,city,City Legislature,District,3,4
        194003,X,Round Rock Board of Trustees - District 2,TX,local,Local School Board,District,2,4
        194004,X,Travis County Commissioners Court - Precinct 2,TX,county,County Judge,Precinct,2,3

        """;

    private const string Districts = """
        9951,IL,State,ILLINOIS
        9952,IL,City,SPRINGFIELD
        9953,IL,City_Council_Commissioner_District,SPRINGFIELD CITY CNCL DIST 03
        9954,AK,State,ALASKA
        9955,AK,State_House,STATE HOUSE 003
        9956,AK,City_Council_Commissioner_District,ANCHORAGE ASSEMBLY DIST 03
        9957,TX,School_Board_District,ROUND ROCK ISD TRUSTEE DIST 2

        """;

    private static string Table(string stage) => RunSchema.For(DistrictMatcherRun.Match).Table(stage);

    private (string? District, string? Kind, string? From, string Reason) Published(long position) => run.Warehouse.Query(
        $"""
        select cast(l2_district_id as varchar), match_explanation->>'office_kind', match_explanation->>'office_kind_from', llm_reason
        from {Table("output")}
        where br_database_id = {position}
        """,
        r => (Text(r, 0), Text(r, 1), Text(r, 2), r.GetString(3))).Single();

    private static string? Text(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    [Theory]
    [InlineData(194001, "9953", "city_council", ": the name's words name none")] // a place and a number: was the level's city, no council district
    [InlineData(194002, "9956", "city_council", ", over the name's words, which read state_lower")] // was STATE HOUSE 003
    [InlineData(194003, "9957", "school", ": the name's words name none")] // a board of trustees, of no kind by its name or level
    public void Where_the_name_leaves_the_kind_unclear_or_reads_another_the_normalized_name_sets_it(long position, string district, string kind, string why)
    {
        var published = Published(position);

        Assert.Equal(district, published.District);
        Assert.Equal(kind, published.Kind);
        Assert.Equal("normalized_position_name", published.From);
        Assert.Contains($"; the office kind, {kind}, is read from normalized_position_name '", published.Reason, StringComparison.Ordinal);
        Assert.EndsWith(why, published.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_whose_words_name_its_kind_keeps_it_and_the_reason_names_the_normalized_names_other_reading()
    {
        var published = Published(194004);

        Assert.Equal("1534", published.District); // TRAVIS CNTY COMM PCT 2, as the fixture's own Travis County position
        Assert.Equal("county_legislative", published.Kind);
        Assert.Equal("name", published.From);
        Assert.EndsWith(
            "; the office kind, county_legislative, is read from the name; normalized_position_name 'County Judge' reads judicial",
            published.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fixtures_positions_keep_their_links_and_say_which_column_set_their_kind()
    {
        var fixtureTruth = File.ReadAllLines(run.Fixture.PathOf("truth/llm_l2_br_match.csv")).Skip(1).Select(l => l.Split(','));
        Assert.All(fixtureTruth, t => Assert.Equal(t[^1], Published(long.Parse(t[0], System.Globalization.CultureInfo.InvariantCulture)).District));

        var from = run.Warehouse.Query(
            $"select match_explanation->>'office_kind_from', count(*) from {Table("output")} where br_database_id < 190000 group by all order by all",
            r => (Text(r, 0), r.GetInt64(1)));
        Assert.Equal(["level", "name"], from.Select(f => f.Item1)); // the fixture's names all name their kind, or leave it to the level
    }

    /// <summary>The fixture with the rows above appended, matched once.</summary>
    public sealed class Run() : AppendedRowsRun(Positions, Districts);
}
