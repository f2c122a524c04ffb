using ElectionMatch.Matching.Scoring;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A close spelling of the first name never outweighs a listed nickname (the fuzzy level is bounded by the nickname level):
/// trained alone, the fixture's model gave a close spelling (Dan against DANA) 3.68 bits and a listed nickname (Dan against
/// DANIEL) 3.07. Since session 53 the prefix, middle and short-form levels are bounded by the nickname level too, the
/// initial by the prefix and the nickname by the exact level.
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
        // The fixture's fuzzy level outweighed its nickname level when trained alone, and (since session 53 bounded too) so
        // did its prefix, middle and initial levels: here the five share one weight, the nickname level's pooled with theirs.
        var pool = firstName.Levels.Where(l => l.Name != "null" && Math.Abs(l.Weight - nickname.Weight) < 1e-12).ToList();
        Assert.Equal(["nickname", "fuzzy", "prefix", "middle", "initial"], pool.Select(l => l.Name));
        Assert.Equal(Math.Log2(pool.Sum(l => l.M!.Value) / pool.Sum(l => l.U!.Value)), nickname.Weight, 12);
    }

    [Fact]
    public void In_the_fixtures_trained_model_no_looser_first_name_level_outweighs_the_one_it_is_bounded_by()
    {
        // Trained alone on the fixture's few pairs, prefix and initial weighed more than a listed nickname (session 52).
        using var run = MatcherRun.Of(FixtureCopy.Of("goodparty"));

        var levels = ModelParameters.FromJson(run.Result.ModelParametersJson!).For("first_name").Levels.ToDictionary(l => l.Name);
        (string Level, string Bound)[] order =
            [("nickname", "exact"), ("fuzzy", "nickname"), ("prefix", "nickname"), ("middle", "nickname"), ("short_form", "nickname"), ("initial", "prefix")];

        Assert.All(order, o => Assert.True(
            levels[o.Level].Weight <= levels[o.Bound].Weight + 1e-12,
            $"{o.Level} {levels[o.Level].Weight:F3} bits, {o.Bound} {levels[o.Bound].Weight:F3}"));
    }

    [Fact]
    public void Bounds_in_a_chain_pool_every_level_that_breaks_one_and_leave_a_level_that_keeps_its_bound()
    {
        ComparisonLevel[] levels =
        [
            new("exact", "a", 0.8), new("nickname", "b", 0.1, NotAbove: "exact"), new("prefix", "c", 0.03, NotAbove: "nickname"),
            new("middle", "d", 0.02, NotAbove: "nickname"), new("initial", "e", 0.02, NotAbove: "prefix"), new("different", null, 0.02),
        ];
        double[] u = [0, 0.01, 0.01, 0.001, 0.01, 0.01, 0.968];

        // Alone: nickname log2(5) = 2.32, prefix log2(4) = 2, initial log2(8) = 3, middle log2(1) = 0. Initial breaks its
        // bound (prefix); the two pooled, log2(0.084/0.011) = 2.93, break theirs (nickname): the three share one weight.
        double[] m = [0, 0.7, 0.05, 0.004, 0.01, 0.08, 0.156];
        var weights = LevelOrder.Weights(levels, m, u);

        var pooled = Math.Log2((0.05 + 0.004 + 0.08) / (0.01 + 0.001 + 0.01));
        Assert.Equal([Math.Log2(0.7 / 0.01), pooled, pooled, 0, pooled], weights[1..6]);

        // Initial (log2(3) = 1.58) over prefix (log2(2) = 1) alone: pooled, log2(0.032/0.011) = 1.54, under nickname, which keeps its own.
        double[] within = [0, 0.7, 0.05, 0.002, 0.01, 0.03, 0.208];
        var kept = LevelOrder.Weights(levels, within, u);
        var pair = Math.Log2((0.002 + 0.03) / (0.001 + 0.01));
        Assert.Equal([Math.Log2(0.7 / 0.01), Math.Log2(0.05 / 0.01), pair, 0, pair], kept[1..6]);
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
