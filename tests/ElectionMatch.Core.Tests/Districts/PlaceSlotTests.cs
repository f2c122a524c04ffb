using ElectionMatch.Matches.L2BallotReady;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>The words a name writes where its place goes (<see cref="PlaceSlot"/>), in DuckDB.</summary>
public sealed class PlaceSlotTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    private string Slot(string name) =>
        _warehouse.Scalar<string>($"select cast({PlaceSlot.WordsSql(Sql.Literal(name))} as varchar)")!;

    [Theory]
    [InlineData("Congress Town Council - District 2", "[congress]")]
    [InlineData("Town of Congress Council Member - District 3", "[congress]")]
    [InlineData("Justice Village Board - Trustee", "[justice]")]
    [InlineData("Ward County Commission - District 2", "[ward]")]
    [InlineData("CONGRESS TOWN CNCL DIST 02", "[congress]")]
    [InlineData("Macon-Bibb County Mayor", "[macon, bibb]")]
    [InlineData("Council Bluffs City Council - Ward 2", "[council, bluffs]")]
    [InlineData("District Heights City Commission", "[district, heights]")]
    [InlineData("School City of Mishawaka Board of Trustees", "[mishawaka]")]
    [InlineData("Board of County Commissioners - District 1", "[]")]
    [InlineData("U.S. Congress - Arizona District 7", "[]")]
    public void A_places_name_is_read_where_the_name_puts_it(string name, string slot) => Assert.Equal(slot, Slot(name));

    // Before, every word before the jurisdiction's word was the place's: [district, court], [district, court, judge, clark].
    [Theory]
    [InlineData("District Court County Judge", "[]")]
    [InlineData("DISTRICT COURT CNTY 03", "[]")]
    [InlineData("District Court Judge - Clark County", "[clark]")]
    [InlineData("Circuit Court Judge Cook County", "[cook]")]
    [InlineData("District Court Magistrate Ward County", "[ward]")]
    [InlineData("District Attorney - Harris County", "[harris]")]
    [InlineData("At Large County Commissioner", "[]")]
    public void A_court_an_office_or_a_seat_before_the_jurisdictions_word_is_no_part_of_the_place(string name, string slot) => Assert.Equal(slot, Slot(name));

    // Before, only the first jurisdiction word was read, which here names the office, so the place after the break was lost.
    [Theory]
    [InlineData("County Commission - Ward County", "[ward]")]
    [InlineData("City Council - Congress Town", "[congress]")]
    [InlineData("Kansas City County Commission", "[kansas]")]
    public void A_place_before_a_later_jurisdiction_word_is_read_too(string name, string slot) => Assert.Equal(slot, Slot(name));

    public void Dispose() => _warehouse.Dispose();
}
