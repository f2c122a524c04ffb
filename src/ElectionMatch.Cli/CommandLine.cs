using System.CommandLine;
using ElectionMatch.Cli.Commands;

namespace ElectionMatch.Cli;

/// <summary>The <c>electionmatch</c> command tree; each command is a thin shell over an operation in Core.</summary>
internal static class CommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("ElectionMatch: record linkage for election data as a build step of a dbt repository.");
        root.Subcommands.Add(RunCommand.Create());
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
