using ElectionMatch.Checks;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests;

/// <summary>A relation of a match's input that resolves to nothing is said with the match's other input errors, not alone.</summary>
public sealed class InputRelationErrorTests : IDisposable
{
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void An_unresolvable_relation_is_reported_with_the_other_errors_of_the_match_inputs_each_at_its_line()
    {
        // Before, the left's EM0020 was the only error: the right's misspelt column and the left's date_format without a
        // day came one run at a time, after it was fixed. The left's columns, which depend on its relation, are not checked.
        var settings = Path.Combine(_fixture.Directory, "electionmatch.yml");
        var text = File.ReadAllText(settings)
            .Replace("relation: source('airbyte_source', 'hubspot_api_candidacy')", "relation: source('airbyte_source', 'hubspot_nope')", StringComparison.Ordinal)
            .Replace("        first_name: first_name\n", "        first_name: frist_name\n", StringComparison.Ordinal)
            .Replace("        runoff_election_date: runoff_election_date\n", "        runoff_election_date: runoff_election_date\n      date_format: '%Y'\n", StringComparison.Ordinal)
            .Replace("        race_name: race_name\n", "        race_name: race_nam\n", StringComparison.Ordinal);
        File.WriteAllText(settings, text);
        string[] expected =
        [
            "EM0020 electionmatch.yml(21,17): source('airbyte_source', 'hubspot_nope') does not exist; source 'airbyte_source' declares: hubspot_api_candidacy, ddhq_gdrive_election_results, ballotready_api_position, l2_districts",
            "EM0032 electionmatch.yml(33,20): 'date_format' '%Y' has no day (%d) or no month (%m, %b, %B), so it reads no date; write the order of the file's dates, such as '%m/%d/%Y' for 11/05/2024 month first",
            $"EM0023 electionmatch.yml(40,20): column 'race_nam' is not in source('airbyte_source', 'ddhq_gdrive_election_results') ({Path.Combine(_fixture.Directory, "data", "airbyte", "ddhq_election_results.csv")}); did you mean 'race_name'?",
        ];

        var check = new CheckOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute().Where(d => d.IsError).Select(Said).ToList();
        var run = Assert.Throws<DiagnosticException>(() => new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2026, 11, 30))));

        Assert.Equal(expected, check);
        Assert.Equal(expected, run.Diagnostics.Select(Said));
    }

    [Fact]
    public void An_unresolvable_relation_is_reported_with_the_settings_errors_that_stop_the_settings_read()
    {
        // Before, the settings read stopped at the threshold alone; the relation's error came once it was fixed.
        var settings = Path.Combine(_fixture.Directory, "electionmatch.yml");
        File.WriteAllText(settings, File.ReadAllText(settings)
            .Replace("relation: source('airbyte_source', 'hubspot_api_candidacy')", "relation: source('airbyte_source', 'hubspot_nope')", StringComparison.Ordinal)
            .Replace("      reject: 0.5 ", "      reject: 0.99", StringComparison.Ordinal));

        var error = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(_fixture.Directory)));

        Assert.Equal(
            [
                "EM0020 electionmatch.yml(21,17): source('airbyte_source', 'hubspot_nope') does not exist; source 'airbyte_source' declares: hubspot_api_candidacy, ddhq_gdrive_election_results, ballotready_api_position, l2_districts",
                "EM0032 electionmatch.yml(49,15): threshold 'reject' (0.99) must not be above 'accept' (0.95)",
            ],
            error.Diagnostics.Select(Said));
    }

    private static string Said(Diagnostic d) => $"{d.Code} {Path.GetFileName(d.File)}({d.Line},{d.Column}): {d.Message}";
}
