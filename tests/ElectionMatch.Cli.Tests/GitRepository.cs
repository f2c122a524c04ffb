using System.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>A real git repository in a test's project copy: a team's dbt repository, its branches and merges.</summary>
internal sealed class GitRepository(string directory)
{
    public (int ExitCode, string Output) Git(string arguments)
    {
        var info = new ProcessStartInfo("git", "-c user.email=t@t -c user.name=t " + arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEnd() + git.StandardError.ReadToEnd();
        git.WaitForExit();
        return (git.ExitCode, output);
    }

    public void Commit(string message)
    {
        Assert.Equal(0, Git("add -A").ExitCode);
        var commit = Git($"commit -q -m \"{message}\"");
        Assert.True(commit.ExitCode == 0, commit.Output);
    }
}
