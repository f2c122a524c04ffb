using BenchmarkDotNet.Configs;

namespace ElectionMatch.Benchmarks.Retrieval;

/// <summary>Adds GFLOP/s to the summary; the job (few iterations: a call takes up to seconds) is on each class.</summary>
internal sealed class TopKBenchmarkConfig : ManualConfig
{
    public TopKBenchmarkConfig() => AddColumn(new GflopsColumn());
}
