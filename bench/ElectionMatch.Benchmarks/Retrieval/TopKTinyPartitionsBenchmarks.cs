using BenchmarkDotNet.Attributes;
using ElectionMatch.Matching.Retrieval;

namespace ElectionMatch.Benchmarks.Retrieval;

/// <summary>
/// (c) 100,000 tiny partitions of 4 × 8 rows of 256 dimensions, k = 5, one core (too small to split).
/// <see cref="Distinct"/> partitions are cycled: 64 stay in L2 (per-call overhead shows), 4,096 (48 MB)
/// come from memory (bandwidth shows).
/// </summary>
[Config(typeof(TopKBenchmarkConfig))]
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
[FlopsPerOperation(2.0 * Partitions * LeftRows * RightRows * Dimensions)]
public class TopKTinyPartitionsBenchmarks
{
    private const int Partitions = 100_000;
    private const int LeftRows = 4;
    private const int RightRows = 8;
    private const int Dimensions = 256;
    private const int K = 5;

    private float[][] _lefts = [];
    private float[][] _rights = [];
    private int[] _indices = [];
    private float[] _scores = [];

    [Params(64, 4_096)]
    public int Distinct { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _lefts = [.. Enumerable.Range(0, Distinct).Select(p => UnitVectors.Create(LeftRows, Dimensions, (2 * p) + 1))];
        _rights = [.. Enumerable.Range(0, Distinct).Select(p => UnitVectors.Create(RightRows, Dimensions, (2 * p) + 2))];
        _indices = new int[LeftRows * K];
        _scores = new float[LeftRows * K];
        TopKAgreement.Require(_lefts[0], LeftRows, _rights[0], RightRows, Dimensions, K);
    }

    [Benchmark(Baseline = true, Description = "TensorPrimitives.Dot per pair")]
    public void BruteForce()
    {
        for (int p = 0; p < Partitions; p++)
        {
            BruteForceTopK.Search(_lefts[p % Distinct], LeftRows, _rights[p % Distinct], RightRows, Dimensions, K, _indices, _scores, 1);
        }
    }

    [Benchmark(Description = "TopKKernel")]
    public void Kernel()
    {
        for (int p = 0; p < Partitions; p++)
        {
            TopKKernel.Search(_lefts[p % Distinct], LeftRows, _rights[p % Distinct], RightRows, Dimensions, K, _indices, _scores);
        }
    }
}
