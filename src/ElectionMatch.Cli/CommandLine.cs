using System.CommandLine;
using ElectionMatch.Cli.Commands;
using ElectionMatch.Cli.Output;
using ElectionMatch.Matching.Providers;

namespace ElectionMatch.Cli;

/// <summary>The <c>electionmatch</c> command tree; each command is a thin shell over an operation in Core.</summary>
internal static class CommandLine
{
    /// <param name="interruption">How Ctrl-C reaches a run's provider requests.</param>
    public static RootCommand Build(Interruption interruption)
    {
        var root = new RootCommand("ElectionMatch: record linkage for election data as a build step of a dbt repository.");
        root.Subcommands.Add(RunCommand.Create(interruption));
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(PruneCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }

    /// <summary>
    /// Runs a command line in this process as the executable runs it (the same commands, output and exit code), writing
    /// to <paramref name="output"/> and <paramref name="error"/> instead of the process's streams. It installs no signal
    /// handler: the calling process owns its signals, so nothing interrupts the command. The tests call it to spare a
    /// process start for each command; what only a process shows (exit by a signal, the environment) they still test on
    /// the executable.
    /// </summary>
    /// <param name="workingDirectory">What relative paths are read against and diagnostics name files relative to
    /// (<see cref="Dbt.WorkingDirectory"/>); the process's own when null.</param>
    public static int InvokeInProcess(string[] args, TextWriter output, TextWriter error, string? workingDirectory = null)
    {
        int Invoke() => Terminal.To(output, error, () => Build(new Interruption(CancellationToken.None))
            .Parse(args)
            .Invoke(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }));
        return workingDirectory is null ? Invoke() : Dbt.WorkingDirectory.In(workingDirectory, Invoke);
    }
}
