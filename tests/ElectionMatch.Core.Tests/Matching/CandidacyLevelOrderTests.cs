using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching.Scoring;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The bounds of the comparisons besides the two names: a disagreement never outweighs the agreement of the same field
/// (middle name's different letter, suffix, sex, district, office), and a lower band of the embedding's cosine never
/// outweighs the band above it. The middle name's initial is left free of its exact level.
/// </summary>
public sealed class CandidacyLevelOrderTests
{
    private static IReadOnlyList<ComparisonLevel> Levels(string comparison) => CandidacyDdhqComparisons.All.Single(c => c.Name == comparison).Levels;

    [Theory]
    [InlineData("middle_name", "different", "initial")]
    [InlineData("suffix", "other_generation", "same")]
    [InlineData("suffix", "different", "same")]
    [InlineData("sex", "conflict", "agree")]
    [InlineData("district", "different", "same")]
    [InlineData("office", "different", "same")]
    [InlineData("embedding", "close", "very_close")]
    [InlineData("embedding", "related", "close")]
    [InlineData("embedding", "distant", "related")]
    public void A_level_that_would_outweigh_its_bound_shares_its_weight_and_the_other_levels_keep_theirs(string comparison, string level, string bound)
    {
        var levels = Levels(comparison);
        var (at, under) = (IndexOf(levels, level), IndexOf(levels, bound));
        // Every level weighs more than the next, u the same for all, but the bounded level 1.2 times its bound's m: the
        // pair's pooled 1.1 times stays below any level above the bound.
        var u = Enumerable.Repeat(1.0, levels.Count + 1).ToArray();
        var m = Enumerable.Range(0, levels.Count + 1).Select(i => (double)(levels.Count + 1 - i)).ToArray();
        m[at] = 1.2 * m[under];

        var weights = LevelOrder.Weights(levels, m, u);

        var pooled = Math.Log2((m[under] + m[at]) / 2);
        Assert.Equal(pooled, weights[at], 12);
        Assert.Equal(pooled, weights[under], 12);
        Assert.All(Enumerable.Range(1, levels.Count).Where(i => i != at && i != under), i => Assert.Equal(Math.Log2(m[i]), weights[i], 12));
    }

    [Fact]
    public void The_middle_names_initial_may_outweigh_its_exact_level()
    {
        // The synthetic set's trained middle name (synth --rows 20000 --seed 11): its matches give a middle name in full
        // on one side and its initial on the other, so exact weighs -0.47 bits and initial 5.16. Pooled at 3.74, two true
        // links by score went to the judge.
        double[] m = [0, 0.0338, 0.9386, 0.0276];
        double[] u = [0, 0.04674, 0.0262, 0.92706];

        var weights = LevelOrder.Weights(Levels("middle_name"), m, u);

        Assert.Equal([Math.Log2(0.0338 / 0.04674), Math.Log2(0.9386 / 0.0262), Math.Log2(0.0276 / 0.92706)], weights[1..4]);
    }

    [Fact]
    public void In_the_legislators_trained_model_a_different_suffix_weighs_no_more_than_the_same_suffix()
    {
        // Trained alone on real/, a different suffix weighed 1.01 bits and the same suffix 0.31 (most are Jr. on both sides).
        using var run = MatcherRun.Of(FixtureCopy.Of("legislators"));

        var suffix = ModelParameters.FromJson(run.Result.ModelParametersJson!).For("suffix").Levels.ToDictionary(l => l.Name);
        var (same, different) = (suffix["same"], suffix["different"]);

        Assert.Equal(Math.Log2((same.M!.Value + different.M!.Value) / (same.U!.Value + different.U!.Value)), different.Weight, 12);
        Assert.Equal(different.Weight, same.Weight, 12);
        Assert.True(suffix["other_generation"].Weight < same.Weight, $"other_generation {suffix["other_generation"].Weight:F3} bits, same {same.Weight:F3}");
    }

    private static int IndexOf(IReadOnlyList<ComparisonLevel> levels, string name) => levels.Select(l => l.Name).ToList().IndexOf(name) + 1;
}
