using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The office comparison's <c>same</c> level: the results row's race name holds the CRM's office name as whole words,
/// both normalised to their race family (runs of <c>[a-z0-9]</c> joined by one space). As plain text containment,
/// office "District 1" was in race "District 113" and "District 4" in "District 45", and such a namesake on another
/// district's ballot escaped the office veto (2 of the 13 false links of the 100,000-candidacy synthetic set).
/// </summary>
public sealed class OfficeLevelTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    public void Dispose() => _warehouse.Dispose();

    [Theory]
    [InlineData("Olympia City Council District 2", "WA Olympia City Council - District 2 - Primary", true)]
    [InlineData("City Council District 1", "TX Plano City Council - District 1 - General", true)]
    [InlineData("City Council District 1", "TX Plano City Council - District 113 - General", false)]
    [InlineData("State House District 4", "OH State House - District 45 - Republican Primary", false)]
    [InlineData("State House District 45", "OH State House - District 45 - Republican Primary", true)]
    [InlineData("School Board", "Springfield School Board Seat 4 - General", true)]
    [InlineData("Mayor", "Mayoral Recall - Springfield", false)]
    [InlineData("Mayor", "Springfield Mayor - Nonpartisan General", true)]
    [InlineData("Council", "Councilman At Large", false)]
    [InlineData("Dallas City Council District 03", "TX Dallas City Council - District 3 - General", true)]
    [InlineData("Dallas City Council Dist. 3", "TX Dallas City Council - District 3 - General", true)]
    [InlineData("City Council District III", "TX Dallas City Council - District 3 - General", true)]
    [InlineData("Circuit Judge Division 2", "AR Circuit Judge - Division II - Nonpartisan General", true)]
    [InlineData("City Council District No. 3", "TX Dallas City Council - District 3 - General", true)]
    [InlineData("City Council District 3", "TX Dallas City Council - District 13 - General", false)]
    [InlineData("City Council District III", "TX Dallas City Council - District 13 - General", false)]
    public void The_race_name_holds_the_office_as_whole_words(string office, string race, bool same)
    {
        RaceFamily.Register(_warehouse);
        var level = CandidacyDdhqComparisons.All.Single(c => c.Name == "office").Levels.Single(l => l.Name == "same").Condition!;

        var answer = _warehouse.Query(
            $"""
            select {level}, l_office, r_race
            from (select {RaceFamily.Function}({Sql.Literal(office)}) as l_office, {RaceFamily.Function}({Sql.Literal(race)}) as r_race)
            """,
            r => (Same: r.GetBoolean(0), Office: r.GetString(1), Race: r.GetString(2))).Single();

        Assert.True(answer.Same == same, $"office '{answer.Office}' in race '{answer.Race}': {answer.Same}");
    }
}
