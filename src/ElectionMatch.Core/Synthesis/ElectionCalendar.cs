namespace ElectionMatch.Synthesis;

/// <summary>
/// Every state's election dates: even-year primaries (on the day the state held them in 2024, as a
/// weekday rule), the general on the Tuesday after the first Monday in November, primary runoffs
/// where the state holds them (TX, GA, AL, AR, MS, NC, OK, SC, SD), general runoffs (GA, LA), and
/// odd-year municipal elections (November in most states that hold them, May in Texas, April in
/// Wisconsin and Oklahoma). Many local races share each of these dates, as in reality.
/// </summary>
internal sealed class ElectionCalendar
{
    private static readonly DateRule Nov = DateRule.GeneralElection;

    private static DateRule Tue(int month, int nth) => new(month, DayOfWeek.Tuesday, nth);

    public static IReadOnlyList<StateCalendar> States { get; } =
    [
        new("AL", "Alabama", 5.0, Tue(3, 1), PrimaryRunoffWeeks: 6),
        new("AK", "Alaska", 0.7, Tue(8, 3)),
        new("AZ", "Arizona", 7.2, Tue(7, -1)),
        new("AR", "Arkansas", 3.0, Tue(3, 1), PrimaryRunoffWeeks: 4),
        new("CA", "California", 39.5, Tue(3, 1)),
        new("CO", "Colorado", 5.8, Tue(6, -1), OddYears: new(Nov)),
        new("CT", "Connecticut", 3.6, Tue(8, 2), OddYears: new(Nov, Tue(9, 2))),
        new("DE", "Delaware", 1.0, Tue(9, 2)),
        new("DC", "District of Columbia", 0.7, Tue(6, 1)),
        new("FL", "Florida", 21.5, Tue(8, 3)),
        new("GA", "Georgia", 10.7, Tue(5, 3), PrimaryRunoffWeeks: 4, GeneralRunoffWeeks: 4, OddYears: new(Nov, RunoffWeeks: 4)),
        new("HI", "Hawaii", 1.5, new(8, DayOfWeek.Saturday, 2)),
        new("ID", "Idaho", 1.8, Tue(5, 3), OddYears: new(Nov)),
        new("IL", "Illinois", 12.8, Tue(3, 3), OddYears: new(Tue(4, 1), Tue(2, 4))),
        new("IN", "Indiana", 6.8, Tue(5, 1), OddYears: new(Nov, Tue(5, 1))),
        new("IA", "Iowa", 3.2, Tue(6, 1), OddYears: new(Nov, RunoffWeeks: 4)),
        new("KS", "Kansas", 2.9, Tue(8, 1), OddYears: new(Nov, Tue(8, 1))),
        new("KY", "Kentucky", 4.5, Tue(5, 3)),
        new("LA", "Louisiana", 4.7, new(10, DayOfWeek.Saturday, 2), GeneralRunoffWeeks: 5),
        new("ME", "Maine", 1.4, Tue(6, 2), OddYears: new(Nov)),
        new("MD", "Maryland", 6.2, Tue(5, 2)),
        new("MA", "Massachusetts", 7.0, Tue(9, 1), OddYears: new(Nov, Tue(9, 3))),
        new("MI", "Michigan", 10.1, Tue(8, 1), OddYears: new(Nov, Tue(8, 1))),
        new("MN", "Minnesota", 5.7, Tue(8, 2), OddYears: new(Nov, Tue(8, 2))),
        new("MS", "Mississippi", 3.0, Tue(3, 2), PrimaryRunoffWeeks: 3),
        new("MO", "Missouri", 6.2, Tue(8, 1), OddYears: new(Tue(4, 1))),
        new("MT", "Montana", 1.1, Tue(6, 1)),
        new("NE", "Nebraska", 2.0, Tue(5, 2)),
        new("NV", "Nevada", 3.1, Tue(6, 2)),
        new("NH", "New Hampshire", 1.4, Tue(9, 2), OddYears: new(Nov)),
        new("NJ", "New Jersey", 9.3, Tue(6, 1), OddYears: new(Nov, Tue(6, 1))),
        new("NM", "New Mexico", 2.1, Tue(6, 1), OddYears: new(Nov)),
        new("NY", "New York", 20.2, Tue(6, 4), OddYears: new(Nov, Tue(6, 4))),
        new("NC", "North Carolina", 10.4, Tue(3, 1), PrimaryRunoffWeeks: 10, OddYears: new(Nov, Tue(10, 2))),
        new("ND", "North Dakota", 0.8, Tue(6, 2)),
        new("OH", "Ohio", 11.8, Tue(3, 3), OddYears: new(Nov, Tue(5, 1))),
        new("OK", "Oklahoma", 4.0, Tue(6, 3), PrimaryRunoffWeeks: 10, OddYears: new(Tue(4, 1), Tue(2, 2))),
        new("OR", "Oregon", 4.2, Tue(5, 3)),
        new("PA", "Pennsylvania", 13.0, Tue(4, 4), OddYears: new(Nov, Tue(5, 3))),
        new("RI", "Rhode Island", 1.1, Tue(9, 2)),
        new("SC", "South Carolina", 5.1, Tue(6, 2), PrimaryRunoffWeeks: 2, OddYears: new(Nov, RunoffWeeks: 2)),
        new("SD", "South Dakota", 0.9, Tue(6, 1), PrimaryRunoffWeeks: 8),
        new("TN", "Tennessee", 6.9, new(8, DayOfWeek.Thursday, 1)),
        new("TX", "Texas", 29.1, Tue(3, 1), PrimaryRunoffWeeks: 12, OddYears: new(new(5, DayOfWeek.Saturday, 1), RunoffWeeks: 5)),
        new("UT", "Utah", 3.3, Tue(6, 4), OddYears: new(Nov, Tue(8, 2))),
        new("VT", "Vermont", 0.6, Tue(8, 2)),
        new("VA", "Virginia", 8.6, Tue(6, 3), OddYears: new(Nov, Tue(6, 3))),
        new("WA", "Washington", 7.7, Tue(8, 1), OddYears: new(Nov, Tue(8, 1))),
        new("WV", "West Virginia", 1.8, Tue(5, 2)),
        new("WI", "Wisconsin", 5.9, Tue(8, 2), OddYears: new(Tue(4, 1), Tue(2, 3))),
        new("WY", "Wyoming", 0.6, Tue(8, 3)),
    ];

    private readonly WeightedTable<StateCalendar> _states = new(States.Select(s => (s, s.Weight)).ToList());

    public ElectionCalendar(int firstYear, int lastYear)
    {
        if (firstYear > lastYear || firstYear < 1900 || lastYear > 2200)
        {
            throw new ArgumentOutOfRangeException(nameof(firstYear), $"years {firstYear}-{lastYear} are not a range of election years");
        }

        EvenYears = Enumerable.Range(firstYear, lastYear - firstYear + 1).Where(y => y % 2 == 0).ToArray();
        OddYears = Enumerable.Range(firstYear, lastYear - firstYear + 1).Where(y => y % 2 == 1).ToArray();
        if (EvenYears.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(firstYear), $"years {firstYear}-{lastYear} hold no even (federal and state) election year");
        }
    }

    public IReadOnlyList<int> EvenYears { get; }

    public IReadOnlyList<int> OddYears { get; }

    public static StateCalendar State(string code) => States.First(s => s.Code == code);

    public StateCalendar SampleState(Random random) => _states.Sample(random);

    /// <summary>
    /// A year for a contest: even years twice as often as odd ones, odd only for local seats in states
    /// that hold municipal elections then, never a year the candidate already ran in.
    /// </summary>
    public int SampleYear(Random random, StateCalendar state, bool local, IReadOnlyCollection<int> ranIn)
    {
        var oddAllowed = local && state.OddYears is not null && OddYears.Count > 0;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var year = oddAllowed && random.Next(3) == 0
                ? OddYears[random.Next(OddYears.Count)]
                : EvenYears[random.Next(EvenYears.Count)];
            if (!ranIn.Contains(year))
            {
                return year;
            }
        }

        // Unlucky draws: the first even year still free (a repeat candidate is only chosen if it has one).
        return EvenYears.FirstOrDefault(y => !ranIn.Contains(y), EvenYears[0]);
    }

    public static CycleDates Dates(StateCalendar state, int year)
    {
        if (year % 2 == 0 || state.OddYears is null)
        {
            var general = Nov.In(year);
            var primary = state.Primary.In(year);
            return new CycleDates(
                primary,
                general,
                state.PrimaryRunoffWeeks is { } p ? primary.AddDays(7 * p) : null,
                state.GeneralRunoffWeeks is { } g ? general.AddDays(7 * g) : null);
        }

        var municipal = state.OddYears;
        var municipalGeneral = municipal.General.In(year);
        return new CycleDates(
            municipal.Primary?.In(year),
            municipalGeneral,
            null,
            municipal.RunoffWeeks is { } w ? municipalGeneral.AddDays(7 * w) : null);
    }
}
