namespace ElectionMatch.Tests.Retrieval;

/// <summary>The obvious top-k: every inner product in double precision, sorted by score then index.</summary>
internal static class TopKReference
{
    public static double Dot(float[] left, int leftRow, float[] right, int rightRow, int dimensions)
    {
        double sum = 0;
        for (int d = 0; d < dimensions; d++)
        {
            sum += (double)left[(leftRow * dimensions) + d] * right[(rightRow * dimensions) + d];
        }

        return sum;
    }

    /// <summary>Best-first indices and exact scores per left row; -1 and -∞ past the right count.</summary>
    public static (int[] Indices, double[] Scores) Search(float[] left, int leftCount, float[] right, int rightCount, int dimensions, int k)
    {
        var indices = new int[leftCount * k];
        var scores = new double[leftCount * k];
        for (int i = 0; i < leftCount; i++)
        {
            var ranked = Enumerable.Range(0, rightCount)
                .Select(j => (Index: j, Score: Dot(left, i, right, j, dimensions)))
                .OrderByDescending(c => c.Score)
                .ThenBy(c => c.Index)
                .ToArray();
            for (int r = 0; r < k; r++)
            {
                indices[(i * k) + r] = r < ranked.Length ? ranked[r].Index : -1;
                scores[(i * k) + r] = r < ranked.Length ? ranked[r].Score : double.NegativeInfinity;
            }
        }

        return (indices, scores);
    }
}
