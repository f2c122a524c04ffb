namespace ElectionMatch.Matching.Scoring;

/// <summary>
/// The weights of a comparison's levels under its <see cref="ComparisonLevel.NotAbove"/> constraints. Estimated alone, a
/// level's weight log2(m/u) follows its own counts: a close spelling that few random pairs of people meet (Dan and DANA)
/// can weigh more than a listed nickname (Dan and DANIEL), which more do. Where a level outweighs the level it may not
/// exceed, they are pooled, as isotonic regression pools adjacent violators: one weight log2(Σm/Σu) over both, and
/// levels are added to the pool, the heaviest first, until none left outside it weighs more.
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
        for (var level = 1; level <= levels.Count; level++)
        {
            weights[level] = Math.Log2(m[level] / u[level]);
        }

        foreach (var bound in levels.Where(l => l.NotAbove is not null).Select(l => l.NotAbove!).Distinct(StringComparer.Ordinal))
        {
            var top = IndexOf(levels, bound);
            var bounded = Enumerable.Range(1, levels.Count).Where(i => levels[i - 1].NotAbove == bound).ToList();
            if (bounded.Any(i => i <= top))
            {
                throw new InvalidOperationException($"level {bound} must come before the levels it bounds");
            }

            var pool = new List<int> { top };
            while (true)
            {
                var pooled = Math.Log2(pool.Sum(i => m[i]) / pool.Sum(i => u[i]));
                var heaviest = bounded.Where(i => !pool.Contains(i) && weights[i] > pooled).OrderByDescending(i => weights[i]).FirstOrDefault();
                if (heaviest == 0)
                {
                    foreach (var i in pool)
                    {
                        weights[i] = pooled;
                    }

                    break;
                }

                pool.Add(heaviest);
            }
        }

        return weights;
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
