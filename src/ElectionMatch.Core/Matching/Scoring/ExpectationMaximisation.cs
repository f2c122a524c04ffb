namespace ElectionMatch.Matching.Scoring;

/// <summary>
/// Expectation maximisation for the Fellegi–Sunter model over distinct comparison vectors (a few
/// hundred patterns, however many pairs): the E step gives each pattern its match probability, the
/// M step re-estimates λ and, per comparison as its <see cref="ParameterSource"/> says, m or u. Null levels take no part.
/// </summary>
internal static class ExpectationMaximisation
{
    private const double Floor = 1e-6;

    /// <summary>
    /// Pseudo-pairs of the starting guess added to every M step (a Dirichlet prior), so a level few pairs
    /// reach keeps a sensible m instead of collapsing to zero on a small project.
    /// </summary>
    private const double PriorPairs = 20;

    /// <param name="m">P(level | match) per comparison and level (index 0, the null level, unused); updated in place where <paramref name="trainM"/> says so.</param>
    /// <param name="u">P(level | non-match); updated in place where <paramref name="trainU"/> says so, fixed elsewhere.</param>
    public static (double Lambda, int Iterations, bool Converged) Train(
        IReadOnlyList<ComparisonPattern> patterns, double lambda, double[][] m, double[][] u, bool[] trainM, bool[] trainU,
        int maxIterations = 100, double tolerance = 1e-6)
    {
        var comparisons = m.Length;
        var m0 = m.Select(a => (double[])a.Clone()).ToArray();
        var u0 = u.Select(a => (double[])a.Clone()).ToArray();
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            var mNew = m.Select(a => new double[a.Length]).ToArray();
            var uNew = u.Select(a => new double[a.Length]).ToArray();
            double matches = 0, total = 0;
            foreach (var pattern in patterns)
            {
                double pm = lambda, pu = 1 - lambda;
                for (var c = 0; c < comparisons; c++)
                {
                    var level = pattern.Levels[c];
                    if (level != 0)
                    {
                        pm *= m[c][level];
                        pu *= u[c][level];
                    }
                }

                var posterior = pm / (pm + pu);
                matches += posterior * pattern.Count;
                total += pattern.Count;
                for (var c = 0; c < comparisons; c++)
                {
                    var level = pattern.Levels[c];
                    mNew[c][level] += posterior * pattern.Count;
                    uNew[c][level] += (1 - posterior) * pattern.Count;
                }
            }

            var change = 0.0;
            for (var c = 0; c < comparisons; c++)
            {
                if (trainM[c])
                {
                    change = Math.Max(change, Normalise(mNew[c], m0[c], m[c]));
                }

                if (trainU[c])
                {
                    change = Math.Max(change, Normalise(uNew[c], u0[c], u[c]));
                }
            }

            var lambdaNew = Math.Clamp(matches / Math.Max(total, 1), Floor, 1 - Floor);
            change = Math.Max(change, Math.Abs(lambdaNew - lambda));
            lambda = lambdaNew;
            if (change < tolerance)
            {
                return (lambda, iteration, true);
            }
        }

        return (lambda, maxIterations, false);
    }

    /// <summary>Turns expected counts into probabilities over the non-null levels; returns the largest change.</summary>
    private static double Normalise(double[] counts, double[] prior, double[] into)
    {
        var sum = PriorPairs;
        for (var level = 1; level < counts.Length; level++)
        {
            sum += counts[level];
        }

        var change = 0.0;
        for (var level = 1; level < counts.Length; level++)
        {
            var value = Math.Clamp((counts[level] + (PriorPairs * prior[level])) / sum, Floor, 1 - Floor);
            change = Math.Max(change, Math.Abs(value - into[level]));
            into[level] = value;
        }

        return change;
    }
}
