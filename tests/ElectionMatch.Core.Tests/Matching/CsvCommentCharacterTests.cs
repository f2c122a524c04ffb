using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A <c>#</c> in a CSV input is data, never a comment: DuckDB's sniffer took <c>#</c> for a comment character when the
/// file began with lines such as <c># exported 2024-01-01</c>, and the reader then skipped every line starting with it (a
/// candidacy whose id is <c>#gpc-000116</c>) and cut every line at it, without a word: the row was neither read nor
/// counted. The reader is told there is no comment character, so such a file's first line is its header.
/// </summary>
public sealed class CsvCommentCharacterTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_row_starting_with_a_hash_is_read_and_counted()
    {
        var lines = File.ReadAllLines(_fixture.PathOf(Candidacies));
        lines[50] = "#" + lines[50];
        File.WriteAllText(_fixture.PathOf(Candidacies), string.Join('\n', lines) + "\n");

        var run = Run();

        var account = run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows");
        Assert.Equal((300L, 300L), (account.Read, account.Outcomes.Where(o => o.Outcome == "used").Sum(o => o.Rows)));
    }

    [Fact]
    public void Lines_starting_with_a_hash_before_the_header_are_read_as_the_header_and_refused_not_skipped()
    {
        // Before, the sniffer took # for comments: the two lines were skipped, and so was line 53 (#gpc-…), the run
        // publishing 299 of the file's 300 candidacies, exit 0.
        var lines = File.ReadAllLines(_fixture.PathOf(Candidacies));
        lines[50] = "#" + lines[50];
        File.WriteAllText(_fixture.PathOf(Candidacies), string.Join('\n', ["# exported 2024-01-01", "#", .. lines]) + "\n");

        var diagnostics = Assert.Throws<DiagnosticException>(() => Run()).Diagnostics;

        Assert.All(diagnostics, d => Assert.Equal((Codes.ColumnNotFound, "electionmatch.yml"), (d.Code, d.File)));
        Assert.Contains(diagnostics, d => d.Message.EndsWith("it has: # exported 2024-01-01", StringComparison.Ordinal));
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")));
    }

    private RunResult Run() =>
        WorkingDirectory.In(_fixture.Directory, () =>
            new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute(new RunOptions(Match, new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true }));
}
