using System.Diagnostics;
using System.Text;

namespace ElectionMatch.Tests;

/// <summary>
/// A child process (the CLI, or <c>dotnet build</c>) that a test acts on while it runs: its output is read as it comes,
/// and it can be sent SIGINT as a terminal's Ctrl-C sends it.
/// </summary>
internal sealed class WatchedProcess : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly Process _process;
    private readonly string _name;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    /// <param name="process">Started with its standard output and error redirected, and not yet read.</param>
    /// <param name="name">What the process is, for the messages of a failed wait.</param>
    public WatchedProcess(Process process, string name)
    {
        _process = process;
        _name = name;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    /// <summary>Standard error so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Standard output so far.</summary>
    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>
    /// SIGINT, what Ctrl-C in a terminal sends. A child that ignores SIGINT inherited the ignoring from the test run
    /// (a non-interactive shell ignores it in the jobs it starts with <c>&amp;</c>, and the ignoring passes down to every
    /// process after): Ctrl-C cannot reach it, so the test says so instead of waiting for words that never come.
    /// </summary>
    public void Interrupt()
    {
        Assert.False(IgnoresSigint(_process.Id),
            $"the {_name} child ignores SIGINT, inherited from the process that started the tests (a background job of a non-interactive shell, `cmd &`): run the tests in the foreground, or under `set -m`");
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>SIGTERM, what a CI runner or a service manager sends to stop a job.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Whether the process ignores SIGINT (signal 2: bit 1 of <c>SigIgn</c> in /proc/PID/status, Linux).</summary>
    private static bool IgnoresSigint(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0x2) != 0;
    }

    /// <summary>Until standard error holds <paramref name="text"/>; fails if the child ends or three minutes pass first.</summary>
    public void WaitForStderr(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(!_process.HasExited && clock.Elapsed < Patience, $"'{text}' never came on standard error:\n{Stderr}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Until standard output holds <paramref name="text"/>; fails if the child ends or three minutes pass first.</summary>
    public void WaitForStdout(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(!_process.HasExited && clock.Elapsed < Patience, $"'{text}' never came on standard output:\n{Stdout}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Until the child ends (three minutes at most).</summary>
    public Result Finish()
    {
        if (!_process.WaitForExit(Patience))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{_name} did not finish in 3 minutes:\n" + Stdout + Stderr);
        }

        // The parameterless wait also drains the asynchronous output readers.
        _process.WaitForExit();
        lock (_gate)
        {
            return new Result(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);

            // Kill only signals: until the process is gone it holds its locks (a synth's on its --out folder), which the
            // test's next command would meet.
            _process.WaitForExit(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
    }

    private void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            output.AppendLine(line);
        }
    }
}
