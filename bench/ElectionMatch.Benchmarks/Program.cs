using BenchmarkDotNet.Running;

namespace ElectionMatch.Benchmarks;

internal static class Program
{
    /// <summary>BenchmarkDotNet's own arguments, e.g. <c>--filter '*TopK*'</c>.</summary>
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
