namespace ElectionMatch.Synthesis;

/// <summary>
/// A date by the rule that election law states it: the <paramref name="Nth"/> <paramref name="Day"/> of
/// <paramref name="Month"/> (-1 = the last), moved by <paramref name="DaysAfter"/> days
/// ("the Tuesday after the first Monday in November" = first Monday + 1).
/// </summary>
internal readonly record struct DateRule(int Month, DayOfWeek Day, int Nth, int DaysAfter = 0)
{
    public static DateRule GeneralElection { get; } = new(11, DayOfWeek.Monday, 1, 1);

    public DateOnly In(int year)
    {
        DateOnly date;
        if (Nth > 0)
        {
            var first = new DateOnly(year, Month, 1);
            date = first.AddDays(((int)Day - (int)first.DayOfWeek + 7) % 7 + 7 * (Nth - 1));
        }
        else
        {
            var last = new DateOnly(year, Month, DateTime.DaysInMonth(year, Month));
            date = last.AddDays(-(((int)last.DayOfWeek - (int)Day + 7) % 7));
        }

        return date.AddDays(DaysAfter);
    }
}
