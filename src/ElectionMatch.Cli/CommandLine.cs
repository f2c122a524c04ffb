using System.CommandLine;
using ElectionMatch.Cli.Commands;
using ElectionMatch.Cli.Output;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching.Providers;

namespace ElectionMatch.Cli;

/// <summary>The <c>electionmatch</c> command tree; each command is a thin shell over an operation in Core.</summary>
internal static class CommandLine
{
    /// <param name="interruption">How Ctrl-C reaches a run's provider requests.</param>
    public static RootCommand Build(Interruption interruption)
    {
        var root = new RootCommand("ElectionMatch: record linkage for election data as a build step of a dbt repository.");
        var examples = new Dictionary<Command, IReadOnlyList<string>>
        {
            [root] =
            [
                $"electionmatch run candidacy_ddhq_matches {HelpExamples.Project} --replace",
                $"electionmatch check {HelpExamples.Project}",
                "electionmatch run --help",
            ],
        };

        void Add(Command command, IReadOnlyList<string> its)
        {
            root.Subcommands.Add(command);
            examples[command] = its;
        }

        Add(RunCommand.Create(interruption), RunCommand.Examples);
        Add(GenerateCommand.Create(), GenerateCommand.Examples);
        Add(CheckCommand.Create(), CheckCommand.Examples);
        Add(VerifyCommand.Create(), VerifyCommand.Examples);
        Add(PruneCommand.Create(), PruneCommand.Examples);
        Add(RestoreCommand.Create(), RestoreCommand.Examples);
        Add(EvaluateCommand.Create(), EvaluateCommand.Examples);
        Add(ExplainCommand.Create(), ExplainCommand.Examples);
        Add(SynthCommand.Create(), SynthCommand.Examples);
        Add(BenchCommand.Create(), BenchCommand.Examples);
        HelpExamples.Show(root, examples);
        return root;
    }

    /// <summary>
    /// A command line System.CommandLine could not parse (an unknown command or option, a missing or extra argument),
    /// printed as one diagnostic per error on standard error (EM0045) with the nearest command or option the word may
    /// have meant and where the usage is, and exit code 1; null when it parsed. Left to System.CommandLine, the errors
    /// went to standard error and the suggestions and the whole help to standard output, so `explain … > file` with a
    /// typo filled the file with help, and a suggestion list could be empty.
    /// </summary>
    public static int? UsageErrors(ParseResult parsed)
    {
        if (parsed.Errors.Count == 0 || parsed.Action is not System.CommandLine.Invocation.ParseErrorAction)
        {
            return null;
        }

        var path = string.Join(' ', CommandPath(parsed.CommandResult));
        // A mistyped command (`electionmatch chek --project-dir x`) is the one error: the words after it are its arguments,
        // unmatched only because it was not known, and "no command was given" restates it.
        var errors = parsed.CommandResult.Command.Subcommands.Count > 0 && parsed.UnmatchedTokens.Count > 0
            ? parsed.Errors.Where(e => e.Message.Contains($"'{parsed.UnmatchedTokens[0]}'", StringComparison.Ordinal)).Take(1).DefaultIfEmpty(parsed.Errors[0]).ToList()
            : parsed.Errors;
        var matches = MissingMatch(parsed) ? DefinedMatches(parsed) : "";
        var diagnostics = errors.Select(error => Diagnostic.Error(Codes.UsageError, SourceSpan.None, error.Message.TrimEnd('.') + Nearest(error, parsed) + (error == errors[0] ? matches : "") + $"; see `{path} --help`")).ToList();
        return Output.DiagnosticPrinter.Print(diagnostics);
    }

    // "did you mean" for a word given where a command or an option of the parsed command was expected: a token the
    // parse left unmatched, which the error names (its wording is System.CommandLine's, and localised).
    private static string Nearest(System.CommandLine.Parsing.ParseError error, ParseResult parsed)
    {
        var command = parsed.CommandResult.Command;
        if (parsed.UnmatchedTokens.FirstOrDefault(t => error.Message.Contains($"'{t}'", StringComparison.Ordinal)) is not { Length: > 0 } word)
        {
            return "";
        }

        var names = word.StartsWith('-')
            ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
        return Dbt.Spelling.Nearest(word, names) is { } near ? $"; did you mean '{near}'?" : "";
    }

    /// <summary>Whether the command takes a match (run, explain, evaluate, prune, restore) and none was given.</summary>
    private static bool MissingMatch(ParseResult parsed) =>
        parsed.CommandResult.Command.Arguments.FirstOrDefault(a => a.Name == "match") is { } match && parsed.GetResult(match) is not { Tokens.Count: > 0 };

    /// <summary>
    /// The matches the project defines, for a command given none (before, only the parser's "Required argument 'match'
    /// missing"): read from the electionmatch.yml of the project <c>--project-dir</c> (or its default) names; nothing when
    /// that does not read, whose own error the command given a match will show.
    /// </summary>
    private static string DefinedMatches(ParseResult parsed)
    {
        try
        {
            var given = parsed.GetValue<string?>("--project-dir");
            var directory = given is not null ? Dbt.DbtProject.Locate(given) : Dbt.DbtProject.Locate(Environment.GetEnvironmentVariable("DBT_PROJECT_DIR"), "DBT_PROJECT_DIR");
            var names = Settings.ElectionMatchSettings.Load(Dbt.DbtProject.Load(directory)).Matches.Keys.Order(StringComparer.Ordinal).ToList();
            return names.Count == 0 ? "" : $"; the project defines {string.Join(", ", names)}";
        }
        catch (Exception e) when (e is DiagnosticException or IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new Stack<string>();
        for (var at = result; at is not null; at = at.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(at.Parent is null ? "electionmatch" : at.Command.Name);
        }

        return names;
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
        int Invoke() => Terminal.To(output, error, () =>
        {
            var parsed = Build(new Interruption(CancellationToken.None)).Parse(args);
            return UsageErrors(parsed) ?? parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
        });
        return workingDirectory is null ? Invoke() : Dbt.WorkingDirectory.In(workingDirectory, Invoke);
    }
}
