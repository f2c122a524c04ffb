namespace ElectionMatch.Benchmarks.Retrieval;

/// <summary>Seeded random L2-normalised rows, like the embedder's output.</summary>
internal static class UnitVectors
{
    public static float[] Create(int rows, int dimensions, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * dimensions];
        for (int i = 0; i < rows; i++)
        {
            Span<float> row = values.AsSpan(i * dimensions, dimensions);
            double norm = 0;
            for (int d = 0; d < dimensions; d++)
            {
                row[d] = (random.NextSingle() * 2) - 1;
                norm += row[d] * row[d];
            }

            float scale = (float)(1 / Math.Sqrt(norm));
            for (int d = 0; d < dimensions; d++)
            {
                row[d] *= scale;
            }
        }

        return values;
    }
}
