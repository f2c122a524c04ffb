using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ElectionMatch.Benchmarking;

/// <summary>
/// Runs a child process to its end while polling its peak resident set (Linux: <c>VmHWM</c> in
/// <c>/proc/&lt;pid&gt;/status</c>, the kernel's own high-water mark, so a peak between two polls is not
/// missed as long as one poll follows it; elsewhere the runtime's peak working set), and its CPU time (Linux: the
/// resource usage of reaped children, before and after; the runtime reaps the child before <c>WaitForExit</c> returns).
/// </summary>
internal static class PeakMemoryProcess
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public sealed record Outcome(int ExitCode, TimeSpan Elapsed, long PeakBytes, string Method, string Stdout, string Stderr, TimeSpan? Cpu);

    public static Outcome Run(ChildCommand command, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Prefix.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        var cpuBefore = ChildrenCpu();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {command.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var status = $"/proc/{process.Id.ToString(CultureInfo.InvariantCulture)}/status";
        var proc = File.Exists(status);
        long peak = 0;
        while (!process.WaitForExit(PollInterval))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
            }

            peak = Math.Max(peak, proc ? HighWaterMark(status) : WorkingSetPeak(process));
        }

        var elapsed = clock.Elapsed;
        process.WaitForExit();
        var cpu = ChildrenCpu() - cpuBefore;
        return new Outcome(process.ExitCode, elapsed, peak, proc ? "VmHWM of the child process, polled every 20 ms" : "peak working set of the child process, polled every 20 ms", stdout.Result, stderr.Result, cpu);
    }

    /// <summary>User and system time of every child this process has reaped (<c>getrusage(RUSAGE_CHILDREN)</c>); null off Linux.</summary>
    private static TimeSpan? ChildrenCpu()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess || getrusage(RusageChildren, out var usage) != 0)
        {
            return null;
        }

        return TimeSpan.FromMicroseconds((usage.UserSeconds + usage.SystemSeconds) * 1_000_000.0 + usage.UserMicroseconds + usage.SystemMicroseconds);
    }

    private const int RusageChildren = -1;

    // struct rusage on 64-bit Linux, 144 bytes: two struct timeval (ru_utime, ru_stime: seconds and microseconds,
    // each a long), then fourteen longs this does not read.
    [StructLayout(LayoutKind.Sequential, Size = 144)]
    private struct ResourceUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out ResourceUsage usage);

    /// <summary>The <c>VmHWM</c> line in kB, or 0 once the process is gone.</summary>
    private static long HighWaterMark(string status)
    {
        try
        {
            foreach (var line in File.ReadLines(status))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process ended between two polls.
        }

        return 0;
    }

    private static long WorkingSetPeak(Process process)
    {
        try
        {
            process.Refresh();
            return process.PeakWorkingSet64;
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }
}
