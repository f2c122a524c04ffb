using System.Numerics;
using System.Runtime.InteropServices;

namespace ElectionMatch.Matching.Retrieval;

internal static partial class TopKKernel
{
    /// <summary>Where AVX2 or FMA is absent (older x64, Arm): one <see cref="Vector{T}"/> dot product per pair.</summary>
    private static void SearchPortable(
        ReadOnlySpan<float> left,
        int leftCount,
        ReadOnlySpan<float> right,
        int rightCount,
        int dimensions,
        int k,
        int outputK,
        Span<int> indices,
        Span<float> scores)
    {
        for (int row = 0; row < leftCount; row++)
        {
            ReadOnlySpan<float> a = left.Slice(row * dimensions, dimensions);
            Span<int> rowIndices = indices.Slice(row * outputK, k);
            Span<float> rowScores = scores.Slice(row * outputK, k);
            for (int column = 0; column < rightCount; column++)
            {
                OfferScalar(rowIndices, rowScores, column, Dot(a, right.Slice(column * dimensions, dimensions)));
            }
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int d = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            ReadOnlySpan<Vector<float>> av = MemoryMarshal.Cast<float, Vector<float>>(a);
            ReadOnlySpan<Vector<float>> bv = MemoryMarshal.Cast<float, Vector<float>>(b);
            Vector<float> lanes = Vector<float>.Zero;
            for (int v = 0; v < av.Length; v++)
            {
                lanes += av[v] * bv[v];
            }

            sum = Vector.Sum(lanes);
            d = av.Length * Vector<float>.Count;
        }

        for (; d < a.Length; d++)
        {
            sum += a[d] * b[d];
        }

        return sum;
    }
}
