using ElectionMatch.Matching.Providers;

namespace ElectionMatch.Tests;

/// <summary>
/// The Examples section of each command's help, read back from the help as a user sees it: every example parses as
/// the command it is shown under, and all of them run as written, in order, from a folder laid out as the repository
/// is (<c>dbt_fixtures/goodparty</c>). Before, the help had no examples.
/// </summary>
public sealed class HelpExampleTests : IDisposable
{
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");
    private readonly string _repository = Directory.CreateTempSubdirectory("em-help-examples-").FullName;

    public HelpExampleTests()
    {
        // The examples name the fixture by its path in the repository.
        Directory.CreateDirectory(Path.Combine(_repository, "dbt_fixtures"));
        Directory.CreateSymbolicLink(Path.Combine(_repository, "dbt_fixtures", "goodparty"), _fixture.Directory);
    }

    public void Dispose()
    {
        Directory.Delete(_repository, recursive: true);
        _fixture.Dispose();
    }

    [Fact]
    public void Every_commands_help_shows_examples_that_parse_as_that_command()
    {
        foreach (var (command, examples) in ExamplesByCommand())
        {
            Assert.True(examples.Count > 0, $"`{string.Join(' ', new[] { "electionmatch", command, "--help" }.Where(w => w.Length > 0))}` shows no examples");
            foreach (var example in examples)
            {
                var parsed = Cli.CommandLine.Build(new Interruption(CancellationToken.None)).Parse(Arguments(example));

                Assert.True(parsed.Errors.Count == 0, $"{example}: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
                if (command.Length > 0)
                {
                    Assert.Equal(command, parsed.CommandResult.Command.Name);
                }
            }
        }
    }

    [Fact]
    public void Every_example_runs_as_written_on_the_fixture_project()
    {
        var byCommand = ExamplesByCommand();
        Assert.All(byCommand, c => Assert.NotEmpty(c.Examples));
        foreach (var example in byCommand.SelectMany(c => c.Examples))
        {
            var result = CliProcess.RunIn(_repository, Arguments(example));

            Assert.True(result.ExitCode == 0, $"{example}\n{result.Output}");
        }
    }

    /// <summary>The root's examples, then each command's, in the order the root's help lists the commands.</summary>
    private static List<(string Command, List<string> Examples)> ExamplesByCommand()
    {
        var names = Cli.CommandLine.Build(new Interruption(CancellationToken.None)).Subcommands.Select(c => c.Name).Prepend("");
        return names.Select(name => (name, ExamplesIn(CliProcess.Run([.. name.Length > 0 ? [name] : Array.Empty<string>(), "--help"])))).ToList();
    }

    private static List<string> ExamplesIn(CliProcess.Result help)
    {
        Assert.True(help.ExitCode == 0, help.Output);
        return help.Stdout.Split('\n').Select(l => l.TrimEnd('\r')).SkipWhile(l => l != "Examples:").Skip(1)
            .TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
    }

    // The examples quote nothing: a word is what a shell would pass.
    private static string[] Arguments(string example)
    {
        var words = example.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("electionmatch", words[0]);
        return words[1..];
    }
}
