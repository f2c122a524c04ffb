namespace ElectionMatch.Synthesis;

/// <summary>
/// One state's election law as the generator needs it: when its even-year primary is, whether
/// primaries and generals go to runoffs (and how many weeks later), and its odd-year municipal
/// elections, if it holds any.
/// </summary>
/// <param name="Weight">Share of races held in the state (about its population, in millions).</param>
internal sealed record StateCalendar(
    string Code,
    string Name,
    double Weight,
    DateRule Primary,
    int? PrimaryRunoffWeeks = null,
    int? GeneralRunoffWeeks = null,
    MunicipalCalendar? OddYears = null);
