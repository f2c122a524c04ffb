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

    public void Dispose() => _warehouse.Dispose();
}
