using ElectionMatch.Matches.L2BallotReady;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>The office kind read from a BallotReady position's name and level (<see cref="OfficeKind"/>), in DuckDB.</summary>
public sealed class OfficeKindTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    private string? KindOf(string name, string level) =>
        _warehouse.Scalar<string>($"select {OfficeKind.PositionKindSql($"lower({Sql.Literal(name)})", Sql.Literal(level))}");

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
