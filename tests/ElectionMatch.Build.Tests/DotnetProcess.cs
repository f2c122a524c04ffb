using System.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>Runs the real <c>dotnet</c> CLI as a child process, in an environment that cannot leak the test host's MSBuild or dbt settings.</summary>
internal static class DotnetProcess
{
    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed);

    /// <summary><c>dotnet build</c> of the project in <paramref name="directory"/>, with plain console output (no terminal logger) and no lingering build nodes.</summary>
    public static Result Build(string directory, string packagesDirectory, params string[] args) =>
        Run(directory, packagesDirectory, ["build", "-nodeReuse:false", "-tl:off", .. args]);

    /// <summary>The same, with <paramref name="environment"/> set for the build (after the variables above are cleared).</summary>
    public static Result Build(string directory, string packagesDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Run(directory, packagesDirectory, ["build", "-nodeReuse:false", "-tl:off", .. args], environment);

    public static Result Run(string directory, string packagesDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = StartInfo(directory, packagesDirectory, args, environment);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet " + string.Join(' ', args) + " did not finish in 5 minutes");
        }

        return new Result(process.ExitCode, stdout.Result + stderr.Result, clock.Elapsed);
    }

    /// <summary>Starts <c>dotnet build</c> as <see cref="Build(string, string, IReadOnlyDictionary{string, string}, string[])"/> does, for a test to act on while it runs.</summary>
    public static WatchedProcess StartBuild(string directory, string packagesDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        new(Process.Start(StartInfo(directory, packagesDirectory, ["build", "-nodeReuse:false", "-tl:off", .. args], environment))!, "dotnet build");

    private static ProcessStartInfo StartInfo(string directory, string packagesDirectory, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // `dotnet test` hands its child MSBuild variables meant for itself; a dbt variable would change which warehouse is read.
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("DBT_", StringComparison.Ordinal)
                || name is "GOODPARTY_WAREHOUSE" or "DOTNET_CLI_USE_MSBUILD_SERVER" or "NUGET_PACKAGES")
            {
                info.Environment.Remove(name);
            }
        }

        // A private packages folder: the feed's package always has the same version, so the user-wide folder could hold a stale copy.
        info.Environment["NUGET_PACKAGES"] = packagesDirectory;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        // The tests read MSBuild's "Skipping target" message, which a localized SDK would translate.
        info.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }
}
