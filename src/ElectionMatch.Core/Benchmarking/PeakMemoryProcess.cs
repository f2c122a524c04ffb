using System.Diagnostics;
using System.Globalization;

namespace ElectionMatch.Benchmarking;

/// <summary>
/// Runs a child process to its end while polling its peak resident set (Linux: <c>VmHWM</c> in
/// <c>/proc/&lt;pid&gt;/status</c>, the kernel's own high-water mark, so a peak between two polls is not
/// missed as long as one poll follows it; elsewhere the runtime's peak working set).
/// </summary>
internal static class PeakMemoryProcess
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public sealed record Outcome(int ExitCode, TimeSpan Elapsed, long PeakBytes, string Method, string Stdout, string Stderr);

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
        return new Outcome(process.ExitCode, elapsed, peak, proc ? "VmHWM of the child process, polled every 20 ms" : "peak working set of the child process, polled every 20 ms", stdout.Result, stderr.Result);
    }

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
