namespace ElectionMatch.Synthesis;

/// <summary>
/// A kind of office GoodParty candidates run for, with how HubSpot and DDHQ name it.
/// <paramref name="Pattern"/> holds <c>{city}</c>, <c>{county}</c> or <c>{state}</c>; seats are
/// "<paramref name="SeatWord"/> N" up to <paramref name="MaxSeat"/>, or "At Large".
/// </summary>
internal sealed record OfficeKind(
    string CrmOffice,
    string DdhqOffice,
    string Level,
    bool Partisan,
    double Weight,
    string Pattern,
    string? SeatWord,
    int MaxSeat,
    double AtLargeShare = 0,
    string SeatSeparator = " - ")
{
    /// <summary>Local seats are the only ones elected in odd years.</summary>
    public bool IsLocal => Level == "local";

    /// <summary>The kinds and how often GoodParty candidates run for each (about the HubSpot fixture's mix).</summary>
    public static IReadOnlyList<OfficeKind> All { get; } =
    [
        new("City Council", "City Council", "local", false, 0.32, "{city} City Council", "District", 9, AtLargeShare: 0.15),
        new("School Board", "School Board", "local", false, 0.17, "{city} Board of Education", "District", 7, AtLargeShare: 0.2),
        new("School Board", "School Board", "local", false, 0.05, "{city} Unified School District Board of Education", "Area", 5, AtLargeShare: 0.1),
        new("Mayor", "Mayor", "local", false, 0.06, "{city} Mayor", null, 0),
        new("County Commission", "County Commission", "county", true, 0.11, "{county} County Commission", "District", 7),
        new("County Supervisor", "Board of Supervisors", "county", false, 0.01, "{county} County Board of Supervisors", "District", 5),
        new("Sheriff", "Sheriff", "county", true, 0.02, "{county} County Sheriff", null, 0),
        new("Judge", "Judge", "county", false, 0.03, "{county} County Superior Court Judge", "Seat", 40),
        new("Soil and Water District", "Soil and Water Conservation District", "county", false, 0.02, "{county} Soil and Water Conservation District", "Seat", 5, AtLargeShare: 0.3),
        new("State House", "State House", "state", true, 0.14, "{state} State House", "District", 120),
        new("State Senate", "State Senate", "state", true, 0.04, "{state} State Senate", "District", 40),
        new("U.S. House", "U.S. House", "federal", true, 0.03, "U.S. House - {state}", "District", 0, SeatSeparator: " "),
    ];
}
