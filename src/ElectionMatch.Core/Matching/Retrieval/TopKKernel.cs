namespace ElectionMatch.Matching.Retrieval;

/// <summary>Exact top-k by inner product (placeholder scalar version; the blocked SIMD kernel replaces it).</summary>
internal static class TopKKernel
{
    public static void Search(
        ReadOnlySpan<float> left, int leftCount, ReadOnlySpan<float> right, int rightCount, int dimensions, int k,
        Span<int> indices, Span<float> scores, int maxDegreeOfParallelism = 1)
    {
        _ = maxDegreeOfParallelism;
        indices[..(leftCount * k)].Fill(-1);
        scores[..(leftCount * k)].Fill(float.NegativeInfinity);
        for (var i = 0; i < leftCount; i++)
        {
            var l = left.Slice(i * dimensions, dimensions);
            var topI = indices.Slice(i * k, k);
            var topS = scores.Slice(i * k, k);
            for (var j = 0; j < rightCount; j++)
            {
                var r = right.Slice(j * dimensions, dimensions);
                var s = 0f;
                for (var d = 0; d < dimensions; d++)
                {
                    s += l[d] * r[d];
                }

                if (s <= topS[k - 1])
                {
                    continue;
                }

                var p = k - 1;
                while (p > 0 && s > topS[p - 1])
                {
                    topS[p] = topS[p - 1];
                    topI[p] = topI[p - 1];
                    p--;
                }

                topS[p] = s;
                topI[p] = j;
            }
        }
    }
}
