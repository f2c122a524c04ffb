using ElectionMatch.Matching.Scoring;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A close spelling of the first name never outweighs a listed nickname (the fuzzy level is bounded by the nickname level):
/// trained alone, the fixture's model gave a close spelling (Dan against DANA) 3.68 bits and a listed nickname (Dan against
/// DANIEL) 3.07.
/// </summary>
public sealed class FirstNameLevelOrderTests
{
    [Fact]
    public void In_the_fixtures_trained_model_a_close_spelling_weighs_no_more_than_a_listed_nickname()
    {
        using var run = MatcherRun.Of(FixtureCopy.Of("goodparty"));

        var firstName = ModelParameters.FromJson(run.Result.ModelParametersJson!).For("first_name");
        var nickname = firstName.Levels.Single(l => l.Name == "nickname");
        var fuzzy = firstName.Levels.Single(l => l.Name == "fuzzy");

        Assert.True(fuzzy.Weight <= nickname.Weight + 1e-12, $"fuzzy {fuzzy.Weight:F3} bits, nickname {nickname.Weight:F3}");
        // The fixture's fuzzy level outweighed its nickname level when trained alone, so here the two share one weight.
        Assert.Equal(Math.Log2((nickname.M!.Value + fuzzy.M!.Value) / (nickname.U!.Value + fuzzy.U!.Value)), nickname.Weight, 12);
    }

    [Fact]
    public void A_bounded_level_that_would_outweigh_its_bound_shares_one_pooled_weight_and_other_levels_keep_theirs()
    {
        ComparisonLevel[] levels =
        [
            new("exact", "a", 0.8), new("nickname", "b", 0.1), new("fuzzy", "c", 0.05, NotAbove: "nickname"),
            new("prefix", "d", 0.03, NotAbove: "nickname"), new("different", null, 0.02),
        ];
        double[] m = [0, 0.8, 0.08, 0.04, 0.002, 0.078];
        double[] u = [0, 0.01, 0.008, 0.001, 0.001, 0.98];

        var weights = LevelOrder.Weights(levels, m, u);

        // Alone: nickname log2(10) = 3.32, fuzzy log2(40) = 5.32, prefix log2(2) = 1: fuzzy is pooled with nickname, prefix is not.
        var pooled = Math.Log2((0.08 + 0.04) / (0.008 + 0.001));
        Assert.Equal(pooled, weights[2], 12);
        Assert.Equal(pooled, weights[3], 12);
        Assert.Equal(1.0, weights[4], 12);
        Assert.Equal(Math.Log2(80), weights[1], 12);
        Assert.Equal(Math.Log2(0.078 / 0.98), weights[5], 12);

        // Within the bound, training's weights stand.
        double[] within = [0, 0.8, 0.08, 0.004, 0.002, 0.114];
        Assert.Equal(Math.Log2(0.004 / 0.001), LevelOrder.Weights(levels, within, u)[3], 12);
    }
}
