namespace ElectionMatch.Matching.Retrieval;

internal static partial class TopKKernel
{
    /// <summary>
    /// Merges the top-k of a later slice of right rows into a running top-k, in place, so that a search in
    /// slices gives what one search over all the rows gives: best first, ties to the lower right index. The
    /// slice's indices are relative to <paramref name="offset"/>, which is past every running index, so on
    /// equal scores the running entry stays ahead. Empty slots (index -1) sit last in both.
    /// </summary>
    /// <param name="indices">The running indices, <paramref name="rows"/> × <paramref name="k"/>; receives the merge.</param>
    /// <param name="sliceIndices">The slice's indices as <see cref="Search(ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, int, int, Span{int}, Span{float}, int)"/> wrote them.</param>
    public static void Merge(Span<int> indices, Span<float> scores, ReadOnlySpan<int> sliceIndices, ReadOnlySpan<float> sliceScores, int offset, int rows, int k)
    {
        Span<int> mergedIndices = k <= 128 ? stackalloc int[k] : new int[k];
        Span<float> mergedScores = k <= 128 ? stackalloc float[k] : new float[k];
        for (var row = 0; row < rows; row++)
        {
            var runningIndices = indices.Slice(row * k, k);
            var runningScores = scores.Slice(row * k, k);
            var newIndices = sliceIndices.Slice(row * k, k);
            var newScores = sliceScores.Slice(row * k, k);

            // Nothing in the slice beats the running k-th: the common case once the best are found.
            if (newIndices[0] < 0 || (runningIndices[k - 1] >= 0 && !(newScores[0] > runningScores[k - 1])))
            {
                continue;
            }

            int a = 0, b = 0;
            for (var slot = 0; slot < k; slot++)
            {
                var hasRunning = a < k && runningIndices[a] >= 0;
                var hasNew = b < k && newIndices[b] >= 0;
                if (hasRunning && (!hasNew || runningScores[a] >= newScores[b]))
                {
                    (mergedIndices[slot], mergedScores[slot]) = (runningIndices[a], runningScores[a]);
                    a++;
                }
                else if (hasNew)
                {
                    (mergedIndices[slot], mergedScores[slot]) = (newIndices[b] + offset, newScores[b]);
                    b++;
                }
                else
                {
                    (mergedIndices[slot], mergedScores[slot]) = (-1, float.NegativeInfinity);
                }
            }

            mergedIndices.CopyTo(runningIndices);
            mergedScores.CopyTo(runningScores);
        }
    }
}
