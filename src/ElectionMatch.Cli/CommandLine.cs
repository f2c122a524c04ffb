using System.CommandLine;
using ElectionMatch.Cli.Commands;
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
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }
}
