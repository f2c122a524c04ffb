using ElectionMatch.Synthesis;

namespace ElectionMatch.Tests.Synthesis;

public sealed class SynthesisPartsTests
{
    [Fact]
    public void Weighted_draws_follow_the_weights_and_never_pick_a_zero_weight()
    {
        var table = new WeightedTable<string>([("a", 1.0), ("b", 0.0), ("c", 3.0), ("d", 6.0)]);
        var random = new Random(1);
        var counts = Enumerable.Range(0, 100_000).Select(_ => table.Sample(random)).CountBy(x => x).ToDictionary();

        Assert.False(counts.ContainsKey("b"));
        Assert.InRange(counts["a"] / 100_000.0, 0.09, 0.11);
        Assert.InRange(counts["c"] / 100_000.0, 0.28, 0.32);
        Assert.InRange(counts["d"] / 100_000.0, 0.58, 0.62);
    }

    [Theory]
    [InlineData("TX", 2024, "2024-03-05", "2024-11-05", "2024-05-28", null)]
    [InlineData("GA", 2024, "2024-05-21", "2024-11-05", "2024-06-18", "2024-12-03")]
    [InlineData("AZ", 2024, "2024-07-30", "2024-11-05", null, null)]
    [InlineData("TN", 2024, "2024-08-01", "2024-11-05", null, null)]
    [InlineData("TX", 2025, null, "2025-05-03", null, "2025-06-07")]
    [InlineData("WI", 2025, "2025-02-18", "2025-04-01", null, null)]
    [InlineData("NJ", 2025, "2025-06-03", "2025-11-04", null, null)]
    public void The_calendar_gives_the_dates_states_held(string state, int year, string? primary, string general, string? primaryRunoff, string? generalRunoff)
    {
        var dates = ElectionCalendar.Dates(ElectionCalendar.State(state), year);

        Assert.Equal(primary, dates.Primary?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(general, dates.General.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(primaryRunoff, dates.PrimaryRunoff?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(generalRunoff, dates.GeneralRunoff?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("Williams")]
    [InlineData("McDonald")]
    [InlineData("Al")]
    [InlineData("O'Brien")]
    public void A_typo_always_changes_the_name(string name)
    {
        var random = new Random(3);
        Assert.All(Enumerable.Range(0, 500), _ => Assert.NotEqual(name, Typos.Apply(name, random)));
    }

    [Theory]
    [InlineData("Lopez Garcia")]
    [InlineData("Brennan-Hale")]
    [InlineData("De La Cruz")]
    public void A_compound_surname_variant_differs_from_the_surname(string surname)
    {
        var random = new Random(3);
        Assert.All(Enumerable.Range(0, 200), _ => Assert.NotEqual(surname, Perturbations.CompoundVariant(surname, random)));
    }

    [Theory]
    [InlineData("Núñez", "Nunez")]
    [InlineData("Nguyễn", "Nguyen")]
    [InlineData("Zoë", "Zoe")]
    [InlineData("Smith", "Smith")]
    public void Accents_strip_to_the_plain_spelling(string accented, string plain) =>
        Assert.Equal(plain, AccentedNames.Strip(accented));

    [Fact]
    public void Rate_names_round_trip_and_bad_rates_are_reported()
    {
        var rates = PerturbationRates.Names.Aggregate(new PerturbationRates(), (r, name) => r.With(name, 0.01));

        Assert.All(PerturbationRates.Names, name => Assert.Equal(0.01, rates.Get(name)));
        Assert.Empty(rates.Problems());
        Assert.NotEmpty(new PerturbationRates { Typo = 1.5 }.Problems());
        Assert.NotEmpty(new PerturbationRates { Nickname = 0.6, QuotedNickname = 0.6 }.Problems());
        Assert.Throws<ArgumentException>(() => rates.With("nicknames", 0.1));
        // Every drawn perturbation has a rate, and unreferenced_contest (a contest's) has no flag; unlisted_runoff is no draw.
        Assert.Equal(PerturbationNames.Flags.Count(f => f != Perturbation.UnlistedRunoff) + 1, PerturbationRates.Names.Count);
    }

    [Fact]
    public void The_README_lists_every_rate_with_its_default()
    {
        var readme = File.ReadAllText(Path.Combine(FixtureCopy.RepositoryRoot, "README.md"));
        var defaults = new PerturbationRates();

        Assert.All(PerturbationRates.Names, name => Assert.Contains(
            $"| `{name}` | {defaults.Get(name).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} |", readme, StringComparison.Ordinal));
    }
}
