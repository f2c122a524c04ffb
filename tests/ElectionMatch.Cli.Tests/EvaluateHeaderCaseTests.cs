namespace ElectionMatch.Tests;

/// <summary>
/// `evaluate` names the quarantine code of a missed candidacy whose input header writes the id column in another case
/// than the mapping (GP_CANDIDACY_ID, mapped as gp_candidacy_id), as it does when the cases agree. Before, the
/// quarantined row's original JSON was looked up by the mapping's spelling, found nothing, and the miss said only that
/// the snapshot has no row for it.
/// </summary>
public sealed class EvaluateHeaderCaseTests : IDisposable
{
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";

    private readonly FixtureCopy _project = FixtureCopy.Of("goodparty");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_quarantined_miss_is_told_with_its_code_when_the_header_writes_the_id_in_capitals()
    {
        var text = _project.Read(Candidacies);
        Assert.StartsWith("gp_candidacy_id,", text, StringComparison.Ordinal);
        const string Vega = "gpc-000132,3149647723,Alyssa,Vega,";
        Assert.Contains(Vega, text, StringComparison.Ordinal);
        _project.Write(Candidacies, "GP_CANDIDACY_ID" + text["gp_candidacy_id".Length..].Replace(Vega, "gpc-000132,3149647723,Alyssa,Вега,", StringComparison.Ordinal));

        var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", _project.Directory);
        Assert.True(run.ExitCode == 0, run.Output);
        var evaluate = CliProcess.Run("evaluate", "candidacy_ddhq_matches", "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"), "--project-dir", _project.Directory);

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.Contains(
            "miss  gpc-000132 primary -> 1402844: the snapshot has no row for it: the run quarantined its left row (EMQ003 the name has no Latin letter, or cannot be parsed into first and last name: column last_name = 'Вега' has no Latin letter",
            evaluate.Stdout, StringComparison.Ordinal);
    }
}
