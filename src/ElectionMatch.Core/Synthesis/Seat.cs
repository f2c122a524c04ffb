namespace ElectionMatch.Synthesis;

/// <summary>One seat in one state: its office name as HubSpot keeps it and as DDHQ prints it in race names.</summary>
/// <param name="District">The district or seat number, or null for a whole-jurisdiction or at-large seat.</param>
/// <param name="Name">The full office name (<c>Plano City Council - District 4</c>).</param>
internal sealed record Seat(OfficeKind Office, StateCalendar State, string Name, string? District)
{
    /// <summary>A seat of that office in that state, in a town or county named at random.</summary>
    public static Seat Sample(OfficeKind office, StateCalendar state, Random random)
    {
        var name = office.Pattern
            .Replace("{city}", office.Pattern.Contains("{city}", StringComparison.Ordinal) ? PlaceNames.Town(random) : "", StringComparison.Ordinal)
            .Replace("{county}", office.Pattern.Contains("{county}", StringComparison.Ordinal) ? PlaceNames.County(random) : "", StringComparison.Ordinal)
            .Replace("{state}", state.Name, StringComparison.Ordinal);
        if (office.CrmOffice == "State House" && state.Code is "CA" or "NV" or "NY" or "NJ" or "WI")
        {
            name = name.Replace("State House", "State Assembly", StringComparison.Ordinal);
        }

        if (office.SeatWord is null)
        {
            return new Seat(office, state, name, null);
        }

        if (random.NextDouble() < office.AtLargeShare)
        {
            return new Seat(office, state, name + " - At Large", null);
        }

        // U.S. House seats per state are about 1.3 per million people.
        var seats = office.MaxSeat > 0 ? office.MaxSeat : Math.Max(1, (int)Math.Round(state.Weight * 1.3));
        var district = (1 + random.Next(seats)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Seat(office, state, $"{name}{office.SeatSeparator}{office.SeatWord} {district}", district);
    }

    /// <summary>The DDHQ race name for one stage: <c>TX Plano City Council - District 4 - Republican Primary</c>.</summary>
    public string RaceName(string stage) => $"{State.Code} {Name} - {stage}";

    /// <summary>HubSpot's official_office_name: the same name with the separator people type (" - ", ", " or " ").</summary>
    public string CrmName(Random random)
    {
        var separator = Office.SeatSeparator + (Office.SeatWord ?? "");
        var at = Office.SeatWord is null ? -1 : Name.LastIndexOf(separator, StringComparison.Ordinal);
        if (at < 0 || Office.SeatSeparator != " - ")
        {
            return Name;
        }

        var roll = random.Next(10);
        var typed = roll < 7 ? " - " : roll < 9 ? ", " : " ";
        return string.Concat(Name.AsSpan(0, at), typed, Name.AsSpan(at + 3));
    }
}
