using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace ElectionMatch.Cli;

/// <summary>
/// <c>--help</c> with an Examples section after System.CommandLine's own help: command lines that work as written from
/// the repository root, on the fixture project README.md runs (<c>dbt_fixtures/goodparty</c>), in the order shown (a later
/// one may read what an earlier one published). HelpExampleTests reads them back from the help and runs them, so they
/// cannot drift from the options. (System.CommandLine's help builder is not public: its help is written, then ours.)
/// </summary>
internal sealed class HelpExamples(HelpAction help, IReadOnlyDictionary<Command, IReadOnlyList<string>> examples) : SynchronousCommandLineAction
{
    /// <summary>Every example's <c>--project-dir</c>.</summary>
    public const string Project = "--project-dir dbt_fixtures/goodparty";

    /// <summary>Adds each command's examples to the help of the tree under <paramref name="root"/>.</summary>
    public static void Show(RootCommand root, IReadOnlyDictionary<Command, IReadOnlyList<string>> examples)
    {
        // The root's help option is inherited by every subcommand, so its action writes every command's help.
        if (root.Options.OfType<HelpOption>().SingleOrDefault() is { Action: HelpAction help } option)
        {
            option.Action = new HelpExamples(help, examples);
        }
    }

    // As the help it extends: `run --help` without a match is help, not a missing argument.
    public override bool ClearsParseErrors => help.ClearsParseErrors;

    public override int Invoke(ParseResult parseResult)
    {
        var exitCode = help.Invoke(parseResult);
        if (examples.TryGetValue(parseResult.CommandResult.Command, out var lines) && lines.Count > 0)
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (var line in lines)
            {
                output.WriteLine("  " + line);
            }

            output.WriteLine();
        }

        return exitCode;
    }
}
