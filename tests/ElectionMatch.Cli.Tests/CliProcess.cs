using System.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>
/// Runs <c>electionmatch</c> command lines: in this process through the executable's own command tree when nothing
/// about the process matters (no process start, no JIT of the whole tool again: most of a small command's cost), and
/// as the real executable in a child process when a test sets its environment or working directory, kills it or
/// signals it.
/// </summary>
internal static class CliProcess
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;

        /// <summary>128 + 9: the exit code of a process that received SIGKILL.</summary>
        public bool WasKilled => ExitCode == 137;
    }

    /// <summary>Runs a command line in this process, as the executable runs it (<see cref="Cli.CommandLine.InvokeInProcess"/>).</summary>
    public static Result Run(params string[] args) => RunIn(null, args);

    /// <summary>Runs in <paramref name="workingDirectory"/> (as a user in their dbt repository would), so paths print relative to it.</summary>
    public static Result RunIn(string? workingDirectory, params string[] args)
    {
        // Synchronized: a command may write from more than one thread.
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var output = TextWriter.Synchronized(stdout);
        var error = TextWriter.Synchronized(stderr);
        var exitCode = Cli.CommandLine.InvokeInProcess(args, output, error, workingDirectory);
        return new Result(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the executable in a child process, as a user's shell does.</summary>
    public static Result RunChild(params string[] args) => Child(NoEnvironment, null, args);

    /// <summary>Runs with extra environment variables (a planted API key, for example) set for the child only.</summary>
    public static Result RunWith(IReadOnlyDictionary<string, string?> environment, params string[] args) => Child(environment, null, args);

    /// <param name="environment">Variables set for the child only (a test-only crash point, for example).</param>
    /// <param name="killAfter">Sends SIGKILL after this long, if the child still runs.</param>
    public static Result Run(IReadOnlyDictionary<string, string> environment, TimeSpan? killAfter, params string[] args) =>
        Child(environment.ToDictionary(e => e.Key, e => (string?)e.Value), killAfter, args);

    private static Result Child(IReadOnlyDictionary<string, string?> environment, TimeSpan? killAfter, string[] args)
    {
        using var process = StartChild(environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (killAfter is { } delay && !process.WaitForExit(delay))
        {
            process.Kill(entireProcessTree: true);
        }

        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("electionmatch " + string.Join(' ', args) + " did not finish in 3 minutes");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the child with its output redirected; the caller reads it and waits.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        StartChild(environment.ToDictionary(e => e.Key, e => (string?)e.Value), args);

    private static Process StartChild(IReadOnlyDictionary<string, string?> environment, string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "electionmatch.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return Process.Start(info)!;
    }
}
