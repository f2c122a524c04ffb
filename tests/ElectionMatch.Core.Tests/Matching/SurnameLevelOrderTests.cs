using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching.Scoring;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The surname's looser levels never outweigh the levels they are bounded by: one shared word of a compound surname
/// (<c>partial</c>) and a close spelling (<c>fuzzy</c>) no more than the whole surname (<c>exact</c>), Jaro-Winkler 0.85
/// (<c>fuzzy_low</c>) no more than 0.92. Trained alone, the fixture's model gave a shared word (Carlos Gomez Ruiz against
/// CARLOS GOMEZ) 4.26 bits and the whole surname 4.15.
/// </summary>
public sealed class SurnameLevelOrderTests
{
    private static IReadOnlyList<ComparisonLevel> Surname => CandidacyDdhqComparisons.All.Single(c => c.Name == "last_name").Levels;

    [Fact]
    public void In_the_fixtures_trained_model_a_shared_surname_word_weighs_no_more_than_the_whole_surname()
    {
        using var run = MatcherRun.Of(FixtureCopy.Of("goodparty"));

        var levels = ModelParameters.FromJson(run.Result.ModelParametersJson!).For("last_name").Levels.ToDictionary(l => l.Name);
        var (exact, partial) = (levels["exact"], levels["partial"]);

        // The two share one weight, from their counts together; the close spellings were below the whole surname already.
        Assert.Equal(Math.Log2((exact.M!.Value + partial.M!.Value) / (exact.U!.Value + partial.U!.Value)), partial.Weight, 12);
        Assert.Equal(partial.Weight, exact.Weight, 12);
        Assert.True(levels["fuzzy"].Weight < exact.Weight, $"fuzzy {levels["fuzzy"].Weight:F3} bits, exact {exact.Weight:F3}");
        Assert.True(levels["fuzzy_low"].Weight < levels["fuzzy"].Weight, $"fuzzy_low {levels["fuzzy_low"].Weight:F3} bits, fuzzy {levels["fuzzy"].Weight:F3}");
        Assert.Equal(Math.Log2(levels["fuzzy"].M!.Value / levels["fuzzy"].U!.Value), levels["fuzzy"].Weight, 12);
    }

    [Fact]
    public void A_shared_surname_word_that_would_outweigh_the_whole_surname_is_pooled_with_it_and_the_close_spellings_keep_theirs()
    {
        // Alone: exact log2(18) = 4.17, partial log2(20) = 4.32, fuzzy log2(5) = 2.32, fuzzy_low log2(2) = 1.
        double[] m = [0, 0.9, 0.02, 0.01, 0.002, 0.068];
        double[] u = [0, 0.05, 0.001, 0.002, 0.001, 0.946];

        var weights = LevelOrder.Weights(Surname, m, u);

        var pooled = Math.Log2((0.9 + 0.02) / (0.05 + 0.001));
        Assert.Equal([pooled, pooled, Math.Log2(0.01 / 0.002), Math.Log2(0.002 / 0.001), Math.Log2(0.068 / 0.946)], weights[1..6]);
    }

    [Fact]
    public void A_low_close_spelling_over_the_close_spelling_over_the_whole_surname_pools_all_three_and_leaves_the_shared_word()
    {
        // Alone: exact log2(10) = 3.32, partial 1, fuzzy log2(20) = 4.32, fuzzy_low log2(50) = 5.64. fuzzy_low joins fuzzy
        // (log2(0.4/0.014) = 4.84), which still outweighs exact: the three share log2(0.9/0.064) = 3.81.
        double[] m = [0, 0.5, 0.01, 0.2, 0.2, 0.09];
        double[] u = [0, 0.05, 0.005, 0.01, 0.004, 0.931];

        var weights = LevelOrder.Weights(Surname, m, u);

        var pooled = Math.Log2((0.5 + 0.2 + 0.2) / (0.05 + 0.01 + 0.004));
        Assert.Equal([pooled, Math.Log2(0.01 / 0.005), pooled, pooled], weights[1..5]);
    }
}
