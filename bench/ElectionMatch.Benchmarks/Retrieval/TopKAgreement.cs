using ElectionMatch.Matching.Retrieval;

namespace ElectionMatch.Benchmarks.Retrieval;

/// <summary>Before timing anything: the kernel and the brute force must return the same rows.</summary>
internal static class TopKAgreement
{
    public static void Require(float[] left, int leftCount, float[] right, int rightCount, int dimensions, int k)
    {
        var kernelIndices = new int[leftCount * k];
        var kernelScores = new float[leftCount * k];
        var bruteIndices = new int[leftCount * k];
        var bruteScores = new float[leftCount * k];
        TopKKernel.Search(left, leftCount, right, rightCount, dimensions, k, kernelIndices, kernelScores);
        BruteForceTopK.Search(left, leftCount, right, rightCount, dimensions, k, bruteIndices, bruteScores, 1);
        for (int i = 0; i < kernelIndices.Length; i++)
        {
            // Float sums in another order may swap near-ties only.
            if (kernelIndices[i] != bruteIndices[i] && Math.Abs(kernelScores[i] - bruteScores[i]) > 1e-5f)
            {
                throw new InvalidOperationException(
                    $"Kernel and brute force disagree at left row {i / k}, rank {i % k}: right {kernelIndices[i]} ({kernelScores[i]}) against {bruteIndices[i]} ({bruteScores[i]}).");
            }
        }
    }
}
