namespace ElectionMatch.Tests;

/// <summary>The CLI as a child process that a test acts on while it runs (<see cref="WatchedProcess"/>).</summary>
internal static class WatchedCli
{
    public static WatchedProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        new(CliProcess.Start(environment, args), "electionmatch");
}
