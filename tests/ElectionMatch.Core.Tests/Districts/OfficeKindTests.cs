using ElectionMatch.Matches.L2BallotReady;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>The office kind read from a BallotReady position's name, normalized_position_name and level (<see cref="OfficeKind"/>), in DuckDB.</summary>
public sealed class OfficeKindTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    private string? KindOf(string name, string level, string? normalized = null) => Kind(name, level, normalized).Kind;

    private (string? Kind, string? From) Kind(string name, string level, string? normalized) => _warehouse.Query(
        $"select office_kind, office_kind_source from ({OfficeKind.PositionKindSql($"(select {Sql.Literal(name)} as name, {(normalized is null ? "cast(null as varchar)" : Sql.Literal(normalized))} as normalized, {Sql.Literal(level)} as level)", "name", "normalized", "level")})",
        r => (r.IsDBNull(0) ? null : r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1))).Single();

    [Theory]
    [InlineData("Berkeley Councilmember - District 4")]
    [InlineData("City of Berkeley Council Member, District 4")]
    [InlineData("Los Angeles Council District 4")]
    [InlineData("City of St. Louis Alderperson - Ward 8")]
    [InlineData("Madison Alder - District 4")]
    [InlineData("Somerville Councilor - Ward 2")]
    [InlineData("Providence Councilwoman - Ward 3")]
    [InlineData("Milwaukee Common Council - District 4")]
    [InlineData("LA City Council - District 4")]
    public void A_council_members_wording_is_a_city_council(string name) => Assert.Equal("city_council", KindOf(name, "city"));

    [Theory]
    [InlineData("King County Council Member - District 4", "county", "county_legislative")]
    [InlineData("Austin ISD Board of Trustees Member - District 4", "local", "school")]
    [InlineData("Mayor of Berkeley", "city", "city")]
    [InlineData("Berkeley City Clerk", "city", "city")]
    [InlineData("Tribal Council Member - District 2", "local", "tribal")]
    [InlineData("Tribal Court Judge", "local", "tribal")]
    public void A_more_specific_kind_or_no_council_wording_keeps_its_kind(string name, string level, string kind) => Assert.Equal(kind, KindOf(name, level));

    [Theory]
    [InlineData("Overland Park City Council - Ward 1", "city", "city_council")]
    [InlineData("College Park City Council - Ward 2", "city", "city_council")]
    [InlineData("Mayor of Menlo Park", "city", "city")]
    [InlineData("Port St. Lucie City Council - District 3", "city", "city_council")]
    [InlineData("Park County Commission - District 2", "county", "county_legislative")]
    [InlineData("Water Valley Board of Aldermen - Ward 2", "city", "city_council")]
    [InlineData("Nebraska Legislature - District 5", "state", "state_upper")]
    [InlineData("Jackson County Legislature - District 1", "county", "county_legislative")]
    [InlineData("Unified Government of Wyandotte County and Kansas City Commission - District 3", "county", "county_legislative")]
    [InlineData("Los Angeles Unified School District Board of Education - District 3", "local", "school")]
    public void A_place_named_like_an_office_leaves_the_kind_to_the_office_words(string name, string level, string kind) =>
        Assert.Equal(kind, KindOf(name, level));

    [Theory]
    [InlineData("Congress Town Council - District 2", "city", "city_council")] // was federal: Congress, AZ
    [InlineData("Town of Congress Council Member - District 3", "city", "city_council")] // was federal
    [InlineData("Justice Village Board - Trustee", "city", "city_council")] // was judicial: Justice, IL
    [InlineData("Ward County Commission - District 2", "county", "county_legislative")] // Ward County, ND
    [InlineData("U.S. Congress - Arizona District 7", "", "federal")] // no jurisdiction word: Congress is the office
    [InlineData("Congressional District 5 Representative", "", "federal")]
    [InlineData("Superior Court Judge - County of Maricopa", "county", "judicial")] // a place after "of", not before
    public void A_word_where_the_names_place_goes_names_the_place_not_the_office(string name, string level, string kind) =>
        Assert.Equal(kind, KindOf(name, level));

    // Before, the words before the jurisdiction's word were all taken as its place's name (PlaceSlot) and the kind read
    // from "county" alone: a court, a magistrate or a school board read as a county-wide office.
    [Theory]
    [InlineData("District Court Judge - Clark County", "county", "judicial")]
    [InlineData("Probate Court Judge - Wayne County", "county", "judicial")]
    [InlineData("Circuit Court Judge Cook County", "county", "judicial")]
    [InlineData("Superior Court Judge Fulton County", "county", "judicial")]
    [InlineData("District Court Magistrate Ward County", "county", "judicial")]
    [InlineData("District School Board Polk County", "county", "school")]
    public void A_court_or_board_named_before_a_jurisdiction_word_names_the_office_not_the_place(string name, string level, string kind) =>
        Assert.Equal(kind, KindOf(name, level));

    [Theory]
    [InlineData("Harris County Emergency Services District No. 11 Commissioner", "special_fire")]
    [InlineData("Harris County ESD 11 Commissioner", "special_fire")]
    [InlineData("Moraga-Orinda Fire District Board of Directors - Division 2", "special_fire")]
    [InlineData("Menlo Park Fire Protection District Board", "special_fire")]
    [InlineData("Harris County Municipal Utility District No. 11 Director", "special_water")]
    [InlineData("Harris County MUD 11 Director", "special_water")]
    [InlineData("Central Basin Municipal Water District Director - Division 2", "special_water")]
    [InlineData("Travis Soil and Water Conservation District Director", "special_water")]
    [InlineData("Chicago Park District Commissioner", "special_park")]
    [InlineData("Port of Seattle Commission - Position 1", "special_port")]
    [InlineData("Capital Metropolitan Transportation Authority Board", "special_transit")]
    public void A_special_district_is_of_the_sub_kind_of_what_it_does(string name, string kind) => Assert.Equal(kind, KindOf(name, "regional"));

    [Theory]
    [InlineData("Springfield - District 3", "city", "City Legislature", "city_council", "normalized_position_name")] // the level alone read the city
    [InlineData("Louisville Metro Council - District 3", "city", "City Legislature", "city_council", "normalized_position_name")]
    [InlineData("Board of Trustees - District 2", "local", "Local School Board", "school", "normalized_position_name")] // no kind at all
    [InlineData("Anchorage Assembly - District 3", "city", "City Legislature", "city_council", "normalized_position_name")] // read as a state assembly
    [InlineData("Congress Town Council - District 2", "city", "City Legislature", "city_council", "name")] // its place's word is no office's (PlaceSlot)
    [InlineData("Travis County Commissioners Court - Precinct 2", "county", "County Judge", "county_legislative", "name")] // clear: the name's
    [InlineData("Nebraska Legislature - District 5", "state", "State Senator", "state_upper", "name")]
    [InlineData("Travis County Sheriff", "county", "Sheriff", "county", "level")] // neither names a kind
    [InlineData("U.S. House of Representatives - Texas District 35", "federal", "City Legislature", "federal", "level")]
    public void The_normalized_position_name_sets_the_kind_where_the_name_names_none_or_another_than_its_council_or_school_board(
        string name, string level, string normalized, string kind, string from) =>
        Assert.Equal((kind, from), Kind(name, level, normalized));

    [Theory]
    [InlineData("City Legislature", "city_council")] // no state's legislature
    [InlineData("Local School Board", "school")]
    [InlineData("County Legislature", "county_legislative")]
    [InlineData("State Representative", "state_lower")]
    [InlineData("State Senator", "state_upper")]
    [InlineData("Water District Board", "special_water")]
    [InlineData("Emergency Services District Board", "special_fire")]
    [InlineData("Judge of the Superior Court", "judicial")]
    [InlineData("Mayor", "city")]
    public void BallotReadys_normalized_names_read_as_the_kind_they_name(string normalized, string kind) =>
        Assert.Equal(kind, Kind("Board - Seat 1", "regional", normalized).Kind);

    [Theory]
    [InlineData("Fire_District", "special_fire")]
    [InlineData("Emergency_Services_District", "special_fire")]
    [InlineData("Water_District", "special_water")]
    [InlineData("Municipal_Utility_District", "special_water")]
    [InlineData("Transportation_District", "special_transit")]
    [InlineData("Port_District", "special_port")]
    [InlineData("Park_District", "special_park")]
    public void A_special_district_type_is_of_the_sub_kind_of_what_it_does(string type, string kind) =>
        Assert.Equal(kind, _warehouse.Scalar<string>($"select {OfficeKind.DistrictKindSql($"lower({Sql.Literal(type)})")}"));

    public void Dispose() => _warehouse.Dispose();
}
