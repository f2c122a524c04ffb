using System.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>Runs the real <c>electionmatch</c> executable as a child process.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    public static Result Run(params string[] args) => Start(null, new Dictionary<string, string?>(), args);

    /// <summary>Runs the CLI in <paramref name="workingDirectory"/> (as a user in their dbt repository would), so paths print relative to it.</summary>
    public static Result RunIn(string? workingDirectory, params string[] args) => Start(workingDirectory, new Dictionary<string, string?>(), args);

    /// <summary>Runs with extra environment variables (a planted API key, for example) set for the child only.</summary>
    public static Result RunWith(IReadOnlyDictionary<string, string?> environment, params string[] args) => Start(null, environment, args);

    private static Result Start(string? workingDirectory, IReadOnlyDictionary<string, string?> environment, string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "electionmatch.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("electionmatch " + string.Join(' ', args) + " did not finish in 3 minutes");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
