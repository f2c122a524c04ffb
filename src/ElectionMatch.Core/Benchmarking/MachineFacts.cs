using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ElectionMatch.Benchmarking;

/// <summary>The machine a bench ran on: without it a figure means nothing.</summary>
public sealed record MachineFacts(
    int Cores,
    string CpuModel,
    double MemoryGib,
    string Os,
    string Dotnet,
    string ToolVersion,
    string? GitCommit)
{
    public static MachineFacts Collect(string directory) => new(
        Environment.ProcessorCount,
        CpuInfo() ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Math.Round(MemoryBytes() / (1024.0 * 1024 * 1024), 1),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        ToolInfo.Version,
        CurrentCommit(directory));

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

    /// <summary>The commit of the repository the bench was started in (with <c>-dirty</c> for uncommitted changes), when git is there.</summary>
    private static string? CurrentCommit(string directory)
    {
        var commit = Git(directory, "rev-parse", "--short=12", "HEAD");
        if (commit is null)
        {
            return null;
        }

        return Git(directory, "status", "--porcelain", "--untracked-files=no") is { Length: > 0 } ? commit + "-dirty" : commit;
    }

    private static string? Git(string directory, params string[] arguments)
    {
        try
        {
            var info = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            return process.WaitForExit(10_000) && process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No git on this machine.
            return null;
        }
    }
}
