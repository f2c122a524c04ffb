using BenchmarkDotNet.Attributes;
using ElectionMatch.Matching.Retrieval;

namespace ElectionMatch.Benchmarks.Retrieval;

/// <summary>
/// (b) 2,000 partitions of 500 × 500 rows of 256 dimensions (1M × 1M rows in all), k = 5, one call per
/// partition on every core. The partitions cycle through 64 distinct ones (64 MB, more than the L3 cache).
/// </summary>
[Config(typeof(TopKBenchmarkConfig))]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[FlopsPerOperation(2.0 * Partitions * Rows * Rows * Dimensions)]
public class TopKManyPartitionsBenchmarks
{
    private const int Partitions = 2_000;
    private const int Distinct = 64;
    private const int Rows = 500;
    private const int Dimensions = 256;
    private const int K = 5;

    private readonly int _cores = Environment.ProcessorCount;
    private float[][] _lefts = [];
    private float[][] _rights = [];
    private int[] _indices = [];
    private float[] _scores = [];

    [GlobalSetup]
    public void Setup()
    {
        _lefts = [.. Enumerable.Range(0, Distinct).Select(p => UnitVectors.Create(Rows, Dimensions, (2 * p) + 1))];
        _rights = [.. Enumerable.Range(0, Distinct).Select(p => UnitVectors.Create(Rows, Dimensions, (2 * p) + 2))];
        _indices = new int[Rows * K];
        _scores = new float[Rows * K];
        TopKAgreement.Require(_lefts[0], Rows, _rights[0], Rows, Dimensions, K);
    }

    [Benchmark(Baseline = true, Description = "TensorPrimitives.Dot per pair, all cores")]
    public void BruteForce()
    {
        for (int p = 0; p < Partitions; p++)
        {
            BruteForceTopK.Search(_lefts[p % Distinct], Rows, _rights[p % Distinct], Rows, Dimensions, K, _indices, _scores, _cores);
        }
    }

    [Benchmark(Description = "TopKKernel, all cores")]
    public void Kernel()
    {
        for (int p = 0; p < Partitions; p++)
        {
            TopKKernel.Search(_lefts[p % Distinct], Rows, _rights[p % Distinct], Rows, Dimensions, K, _indices, _scores, _cores);
        }
    }

    [Benchmark(Description = "TopKKernel, one core")]
    public void KernelOneCore()
    {
        for (int p = 0; p < Partitions; p++)
        {
            TopKKernel.Search(_lefts[p % Distinct], Rows, _rights[p % Distinct], Rows, Dimensions, K, _indices, _scores, 1);
        }
    }
}
