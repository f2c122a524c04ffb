using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching.Scoring;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A stored or published model scores pairs only when its comparisons and levels are this build's: weights are read by
/// level index, so a model from a build with another level list would give one level another's weight.
/// </summary>
public sealed class ModelFitTests
{
    private static ModelParameters ModelOf(IEnumerable<Comparison> comparisons) => new()
    {
        Lambda = 0.1,
        Comparisons = comparisons
            .Select(c => new ComparisonParameters(c.Name, c.Description, c.LevelNames.Select(l => new LevelParameters(l, 0.5, 0.5, 0, 1)).ToList(), c.Source, null))
            .ToList(),
        Training = new TrainingReport(0, 0, 0, 0.1, 0, true, "", ""),
    };

    [Fact]
    public void A_model_of_this_builds_comparisons_fits()
    {
        Assert.Null(ModelOf(CandidacyDdhqComparisons.All).Misfit(CandidacyDdhqComparisons.All));
    }

    [Fact]
    public void A_level_added_missing_or_reordered_or_a_comparison_missing_or_extra_does_not_fit()
    {
        var all = CandidacyDdhqComparisons.All;
        var first = all.Single(c => c.Name == "first_name");
        Comparison WithLevels(IEnumerable<ComparisonLevel> levels) => first with { Levels = levels.ToList() };

        var withoutShortForm = all.Select(c => c == first ? WithLevels(first.Levels.Where(l => l.Name != "short_form")) : c);
        var reordered = all.Select(c => c == first ? WithLevels(first.Levels.Reverse()) : c);

        Assert.Equal(
            "its first_name levels are null, exact, nickname, fuzzy, prefix, middle, initial, different; this build's are null, exact, nickname, fuzzy, prefix, middle, initial, short_form, different",
            ModelOf(withoutShortForm).Misfit(all));
        Assert.StartsWith("its first_name levels are null, different, short_form", ModelOf(reordered).Misfit(all), StringComparison.Ordinal);
        Assert.Equal("it has no sex comparison", ModelOf(all.Where(c => c.Name != "sex")).Misfit(all));
        Assert.Equal("it has comparisons this build does not (sex)", ModelOf(all).Misfit(all.Where(c => c.Name != "sex").ToList()));
    }
}
