using System.Globalization;
using System.Runtime.InteropServices;

namespace ElectionMatch.Benchmarking;

/// <summary>The machine a bench ran on, and the build measured: without them a figure means nothing.</summary>
/// <param name="GitCommit">The commit the measured electionmatch was built from (its informational version's <c>+sha</c>), not the working directory's;
/// ending in <c>-dirty</c> when its source tree had uncommitted edits, as <c>git describe --dirty</c> says.</param>
public sealed record MachineFacts(
    int Cores,
    string CpuModel,
    double MemoryGib,
    string Os,
    string Dotnet,
    string ToolVersion,
    string? GitCommit)
{
    public static MachineFacts Collect() => new(
        Environment.ProcessorCount,
        CpuInfo() ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Math.Round(MemoryBytes() / (1024.0 * 1024 * 1024), 1),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        ToolInfo.Version,
        BuildCommit(ToolInfo.Build));

    /// <summary>The 1-minute load average (Linux), recorded before and after each run because the machine may be shared.</summary>
    public static double? LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) && double.TryParse(File.ReadAllText(path).Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
    }

    private static string? CpuInfo()
    {
        const string path = "/proc/cpuinfo";
        return File.Exists(path)
            ? File.ReadLines(path).Where(l => l.StartsWith("model name", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault()
            : null;
    }

    private static long MemoryBytes()
    {
        const string path = "/proc/meminfo";
        var total = File.Exists(path)
            ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            : null;
        return total is null
            ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes
            : long.Parse(total.AsSpan(9).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// The commit in a build's informational version (<c>0.1.0+c0f29acc511e…</c>), shortened as git does, with the
    /// <c>-dirty</c> the build adds when its source tree had uncommitted edits (Directory.Build.targets); null for a build
    /// from a source tree without git. Before, the commit of whatever repository bench was started in, which labelled
    /// one build's figures with another's commit, or with none outside a repository.
    /// </summary>
    internal static string? BuildCommit(string build)
    {
        var revision = build.IndexOf('+', StringComparison.Ordinal) is var plus && plus >= 0 ? build[(plus + 1)..] : "";
        var dirty = revision.EndsWith(DirtySuffix, StringComparison.Ordinal);
        var sha = dirty ? revision[..^DirtySuffix.Length] : revision;
        return sha.Length > 0 ? sha[..Math.Min(12, sha.Length)] + (dirty ? DirtySuffix : "") : null;
    }

    private const string DirtySuffix = "-dirty";
}
