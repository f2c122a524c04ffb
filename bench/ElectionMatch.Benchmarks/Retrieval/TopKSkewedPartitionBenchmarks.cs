using BenchmarkDotNet.Attributes;
using ElectionMatch.Matching.Retrieval;

namespace ElectionMatch.Benchmarks.Retrieval;

/// <summary>(a) One skewed partition: 20,000 × 20,000 rows of 256 dimensions, k = 5, on every core.</summary>
[Config(typeof(TopKBenchmarkConfig))]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[FlopsPerOperation(2.0 * Rows * Rows * Dimensions)]
public class TopKSkewedPartitionBenchmarks
{
    private const int Rows = 20_000;
    private const int Dimensions = 256;
    private const int K = 5;

    private readonly int _cores = Environment.ProcessorCount;
    private float[] _left = [];
    private float[] _right = [];
    private int[] _indices = [];
    private float[] _scores = [];

    [GlobalSetup]
    public void Setup()
    {
        _left = UnitVectors.Create(Rows, Dimensions, 1);
        _right = UnitVectors.Create(Rows, Dimensions, 2);
        _indices = new int[Rows * K];
        _scores = new float[Rows * K];
        TopKAgreement.Require(_left, 60, _right, Rows, Dimensions, K);
    }

    [Benchmark(Baseline = true, Description = "TensorPrimitives.Dot per pair, all cores")]
    public void BruteForce() => BruteForceTopK.Search(_left, Rows, _right, Rows, Dimensions, K, _indices, _scores, _cores);

    [Benchmark(Description = "TopKKernel, all cores")]
    public void Kernel() => TopKKernel.Search(_left, Rows, _right, Rows, Dimensions, K, _indices, _scores, _cores);

    [Benchmark(Description = "TopKKernel, one core")]
    public void KernelOneCore() => TopKKernel.Search(_left, Rows, _right, Rows, Dimensions, K, _indices, _scores, 1);

    [Benchmark(Description = "TopKKernel AVX2 tiles only, all cores")]
    public void KernelVector256() =>
        TopKKernel.Search(_left, Rows, _right, Rows, Dimensions, K, _indices, _scores, _cores, TopKPath.BlockedVector256);
}
