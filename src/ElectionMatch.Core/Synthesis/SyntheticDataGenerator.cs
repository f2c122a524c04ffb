namespace ElectionMatch.Synthesis;

/// <summary>
/// Generates HubSpot candidacies, DDHQ results and the truth between them, contest by contest, so
/// a million candidacies never sit in memory at once. The same settings give the same contests.
/// </summary>
internal sealed class SyntheticDataGenerator
{
    private readonly SynthSettings _settings;
    private readonly GivenNames _given = new();
    private readonly Surnames _surnames = new();

    public SyntheticDataGenerator(SynthSettings settings)
    {
        if (settings.Rows < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), $"rows is {settings.Rows}; generate at least one candidacy");
        }

        if (settings.Seed < 0)
        {
            // System.Random uses the seed's absolute value: -7 would give 7's data.
            throw new ArgumentOutOfRangeException(nameof(settings), $"seed is {settings.Seed}; give a seed of 0 or more");
        }

        if (settings.Rates.Problems() is { Count: > 0 } problems)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(settings));
        }

        _settings = settings;
    }

    /// <summary>Contests until exactly <see cref="SynthSettings.Rows"/> candidacies exist; each call starts again from the seed.</summary>
    public IEnumerable<SynthContest> Contests()
    {
        var random = new Random(_settings.Seed);
        var calendar = new ElectionCalendar(_settings.FirstYear, _settings.LastYear);
        var builder = new ContestBuilder(_settings, calendar, new People(_given, _surnames, _settings.MaleShare));
        var rates = _settings.Rates;
        var made = 0;
        while (made < _settings.Rows)
        {
            var candidacies = random.NextDouble() < rates.UnreferencedContest ? 0
                : random.NextDouble() < rates.SharedContest && made + 2 <= _settings.Rows ? 2
                : 1;
            var contest = builder.Build(random, candidacies);
            made += contest.Candidacies.Count;
            yield return contest;
        }
    }
}
