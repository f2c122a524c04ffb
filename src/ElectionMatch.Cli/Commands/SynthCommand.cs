using System.CommandLine;
using System.Globalization;
using ElectionMatch.Cli.Output;
using ElectionMatch.Diagnostics;
using ElectionMatch.Synthesis;

namespace ElectionMatch.Cli.Commands;

internal static class SynthCommand
{
    /// <summary>The Examples section of its help (<see cref="HelpExamples"/>).</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        "electionmatch synth --rows 1000 --out synth-1000 --seed 7",
        "electionmatch synth --rows 1000 --out synth-1000 --seed 8 --force",
    ];

    public static Command Create()
    {
        var rows = new NumberOption<int>(new("--rows") { Description = "How many HubSpot candidacy rows (left rows) to generate; results rows follow from their races.", Required = true }, Codes.InvalidSynthOption, "a whole number");
        var seed = new NumberOption<int>(new("--seed") { Description = "The random seed, 0 or more; the same seed gives the same files.", DefaultValueFactory = _ => "1" }, Codes.InvalidSynthOption, "a whole number");
        var output = new Option<string>("--out") { Description = "The directory to write the dbt project to (empty, or pass --force).", Required = true };
        var force = new Option<bool>("--force") { Description = "Write into a non-empty directory: replaces what synth writes and removes what runs wrote there (target/, electionmatch/manifests/, models/staging/model_predictions_source/); other files are kept." };
        var rates = new Option<string[]>("--rate")
        {
            Description = "Override a perturbation rate, NAME=VALUE (repeatable): " + string.Join(", ", PerturbationRates.Names) + ".",
            AllowMultipleArgumentsPerToken = false,
        };
        var name = new Option<string>("--name") { Description = "The dbt project and profile name (letters, digits and underscores, not starting with a digit); the warehouse is target/<name>.duckdb.", DefaultValueFactory = _ => "synth" };
        var command = new Command("synth", "Write a dbt project with synthetic HubSpot candidacies, DDHQ results (parquet) and the truth between them.")
        {
            rows.Option, seed.Option, output, force, rates, name,
        };
        command.SetAction((result, cancellationToken) => Task.FromResult(DiagnosticPrinter.Guard(() =>
        {
            var settings = new SynthSettings(rows.Read(result), seed.Read(result))
            {
                Rates = ParseRates(result.GetValue(rates) ?? []),
                ProjectName = result.GetValue(name)!,
            };
            if (settings.Rows < 1)
            {
                throw DiagnosticException.At(Codes.InvalidSynthOption, SourceSpan.None, $"--rows {settings.Rows}: generate at least one row");
            }

            if (settings.Seed < 0)
            {
                throw DiagnosticException.At(Codes.InvalidSynthOption, SourceSpan.None, $"--seed {settings.Seed}: give a seed of 0 or more (a negative seed would give the same data as its positive)");
            }

            if (!SynthSettings.IsProjectName(settings.ProjectName))
            {
                throw DiagnosticException.At(Codes.InvalidSynthOption, SourceSpan.None, $"--name '{settings.ProjectName}' is not a dbt project name; use letters, digits and underscores, not starting with a digit (for example --name synth)");
            }

            var summary = SynthProjectWriter.Write(result.GetValue(output)!, settings, result.GetValue(force), cancellationToken);
            var c = CultureInfo.InvariantCulture;
            Terminal.Out.WriteLine(string.Create(c, $"candidacies:  {summary.Candidacies,12:N0}"));
            Terminal.Out.WriteLine(string.Create(c, $"results rows: {summary.Results,12:N0}  ({summary.Races:N0} races in {summary.Contests:N0} contests, {summary.UnreferencedContests:N0} referred to by no candidacy)"));
            Terminal.Out.WriteLine(string.Create(c, $"truth pairs:  {summary.TruthPairs,12:N0}  ({summary.UnlistedRunoffs:N0} of them runoffs HubSpot does not list, which the match must discover)"));
            Terminal.Out.WriteLine(string.Create(c, $"generated in {summary.Generating.TotalSeconds:0.0} s ({summary.Candidacies / Math.Max(summary.Generating.TotalSeconds, 1e-3):N0} candidacies/s, {summary.Results / Math.Max(summary.Generating.TotalSeconds, 1e-3):N0} results rows/s), parquet written in {summary.Copying.TotalSeconds:0.0} s"));
            foreach (var file in summary.Written)
            {
                Terminal.Out.WriteLine($"wrote     {Dbt.DisplayPath.For(Path.Combine(summary.Directory, file))}");
            }

            return DiagnosticPrinter.Success;
        }, () => $"nothing in {Dbt.DisplayPath.For(Dbt.WorkingDirectory.Full(result.GetValue(output)!))} was replaced: the project is generated aside and takes the old one's place only when whole")));
        return command;
    }

    private static PerturbationRates ParseRates(IEnumerable<string> overrides)
    {
        var rates = new PerturbationRates();
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var text in overrides)
        {
            var parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw DiagnosticException.At(Codes.InvalidSynthOption, SourceSpan.None, $"--rate '{text}' is not NAME=VALUE with a number (for example --rate nickname=0.1)");
            }

            if (!PerturbationRates.Names.Contains(parts[0]))
            {
                throw DiagnosticException.At(Codes.InvalidSynthOption, SourceSpan.None, $"--rate '{parts[0]}' is not a perturbation; known: {string.Join(", ", PerturbationRates.Names)}");
            }

            // A rate given twice is refused, as bench refuses a size given twice: the second used to win without a word.
            if (!given.TryAdd(parts[0], text))
            {
                throw DiagnosticException.At(Codes.InvalidSynthOption, SourceSpan.None, $"--rate '{parts[0]}' is given twice ('{given[parts[0]]}', '{text}'); give each rate once");
            }

            // -0 is 0: the truth README writes the rate, and --rate typo=-0 made other bytes than typo=0.
            rates = rates.With(parts[0], value + 0.0);
        }

        if (rates.Problems() is { Count: > 0 } problems)
        {
            throw new DiagnosticException(problems.Select(p => Diagnostic.Error(Codes.InvalidSynthOption, SourceSpan.None, p)).ToList());
        }

        return rates;
    }
}
