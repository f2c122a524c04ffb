namespace ElectionMatch.Matching.Scoring;

/// <summary>
/// The weights of a comparison's levels under its <see cref="ComparisonLevel.NotAbove"/> constraints. Estimated alone, a
/// level's weight log2(m/u) follows its own counts: a close spelling that few random pairs of people meet (Dan and DANA)
/// can weigh more than a listed nickname (Dan and DANIEL), which more do. The bounds make a tree (a level names at most
/// one earlier level, which may name its own: initial under prefix under nickname), and the weights are its isotonic
/// fit: blocks of levels share one weight log2(Σm/Σu), and while a block outweighs the block of the level its top is
/// bounded by, the heaviest such block joins that one, as pool-adjacent-violators does on a line (Thompson's tree
/// algorithm), until no block outweighs its bound's. Joining raises the other block's weight, never lowers it, so the
/// levels already under it stay under it.
/// </summary>
internal static class LevelOrder
{
    /// <param name="levels">The comparison's levels (without the null level).</param>
    /// <param name="m">P(level | match), index 0 the null level.</param>
    /// <param name="u">P(level | non-match), index 0 the null level.</param>
    /// <returns>The weight of each level, index 0 (the null level) 0.</returns>
    public static double[] Weights(IReadOnlyList<ComparisonLevel> levels, double[] m, double[] u)
    {
        var weights = new double[levels.Count + 1];

        // block[i]: the level at the top of level i's block (a level bounded by none of its block's levels).
        var block = new int[levels.Count + 1];
        var bound = new int[levels.Count + 1];
        for (var level = 1; level <= levels.Count; level++)
        {
            block[level] = level;
            weights[level] = Math.Log2(m[level] / u[level]);
            if (levels[level - 1].NotAbove is { } name)
            {
                bound[level] = IndexOf(levels, name);
                if (bound[level] >= level)
                {
                    throw new InvalidOperationException($"level {name} must come before the levels it bounds");
                }
            }
        }

        while (true)
        {
            // The tops of blocks heavier than the block of their bound, the heaviest first.
            var heaviest = Enumerable.Range(1, levels.Count)
                .Where(top => block[top] == top && bound[top] != 0 && weights[top] > weights[bound[top]])
                .OrderByDescending(top => weights[top])
                .FirstOrDefault();
            if (heaviest == 0)
            {
                return weights;
            }

            var into = block[bound[heaviest]];
            var members = Enumerable.Range(1, levels.Count).Where(i => block[i] == heaviest || block[i] == into).ToList();
            var pooled = Math.Log2(members.Sum(i => m[i]) / members.Sum(i => u[i]));
            foreach (var i in members)
            {
                block[i] = into;
                weights[i] = pooled;
            }
        }
    }

    private static int IndexOf(IReadOnlyList<ComparisonLevel> levels, string name)
    {
        for (var i = 0; i < levels.Count; i++)
        {
            if (levels[i].Name == name)
            {
                return i + 1;
            }
        }

        throw new InvalidOperationException($"no level {name} to bound a level's weight");
    }
}
