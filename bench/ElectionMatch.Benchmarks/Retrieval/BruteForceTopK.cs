using System.Buffers;
using System.Numerics.Tensors;
using ElectionMatch.Matching.Retrieval;

namespace ElectionMatch.Benchmarks.Retrieval;

/// <summary>
/// The SIMD brute force the kernel is measured against: one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// per pair (vectorised with the widest vectors the machine has), then the best k of the row by a
/// threshold-checked insertion (cheaper than sorting all scores, so the baseline is not handicapped).
/// Same contract as <see cref="TopKKernel.Search(ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, int, int, Span{int}, Span{float}, int)"/>;
/// large calls split left rows across cores like the kernel.
/// </summary>
internal static class BruteForceTopK
{
    public static void Search(float[] left, int leftCount, float[] right, int rightCount, int dimensions, int k, int[] indices, float[] scores, int maxDegreeOfParallelism)
    {
        if (maxDegreeOfParallelism > 1 && (long)leftCount * rightCount * dimensions >= TopKKernel.ParallelMinWork)
        {
            Parallel.For(
                0,
                leftCount,
                new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
                () => new float[rightCount],
                (row, _, products) =>
                {
                    SearchRow(left, row, right, rightCount, dimensions, k, indices, scores, products);
                    return products;
                },
                _ => { });
            return;
        }

        float[]? rented = rightCount > 1024 ? ArrayPool<float>.Shared.Rent(rightCount) : null;
        Span<float> buffer = rented is null ? stackalloc float[rightCount] : rented;
        for (int row = 0; row < leftCount; row++)
        {
            SearchRow(left, row, right, rightCount, dimensions, k, indices, scores, buffer);
        }

        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    private static void SearchRow(float[] left, int row, float[] right, int rightCount, int dimensions, int k, int[] indices, float[] scores, Span<float> products)
    {
        ReadOnlySpan<float> a = left.AsSpan(row * dimensions, dimensions);
        for (int j = 0; j < rightCount; j++)
        {
            products[j] = TensorPrimitives.Dot(a, right.AsSpan(j * dimensions, dimensions));
        }

        Span<int> rowIndices = indices.AsSpan(row * k, k);
        Span<float> rowScores = scores.AsSpan(row * k, k);
        rowIndices.Fill(-1);
        rowScores.Fill(float.NegativeInfinity);
        for (int j = 0; j < rightCount; j++)
        {
            float score = products[j];
            int slot = k - 1;
            if (!(score > rowScores[slot]))
            {
                continue;
            }

            for (; slot > 0 && rowScores[slot - 1] < score; slot--)
            {
                rowScores[slot] = rowScores[slot - 1];
                rowIndices[slot] = rowIndices[slot - 1];
            }

            rowScores[slot] = score;
            rowIndices[slot] = j;
        }
    }
}
