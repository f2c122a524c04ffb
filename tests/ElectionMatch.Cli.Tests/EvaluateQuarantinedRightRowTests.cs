namespace ElectionMatch.Tests;

/// <summary>
/// `evaluate` says when a missed pair's results row was quarantined: it was never a candidate. Before, the miss named
/// the best candidate the candidacy had instead ("best candidate Wendy Everett rejected by score"), as if the right
/// answer had been compared and refused.
/// </summary>
public sealed class EvaluateQuarantinedRightRowTests : IDisposable
{
    private const string Results = "data/airbyte/ddhq_election_results.csv";

    private readonly FixtureCopy _project = FixtureCopy.Of("goodparty");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_miss_whose_results_row_was_quarantined_says_so_with_its_code_file_and_line()
    {
        var text = _project.Read(Results);
        const string Vega = "1402844,Alyssa Vega,Democratic,true,26114,2024-07-30,";
        Assert.Contains(Vega, text, StringComparison.Ordinal);
        _project.Write(Results, text.Replace(Vega, "1402844,Alyssa Vega,Democratic,true,26114,2024-02-30,", StringComparison.Ordinal));

        var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", _project.Directory);
        Assert.True(run.ExitCode == 0, run.Output);
        var evaluate = CliProcess.Run("evaluate", "candidacy_ddhq_matches", "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"), "--project-dir", _project.Directory);

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        var miss = Assert.Single(evaluate.Stdout.Split('\n'), l => l.StartsWith("miss  gpc-000132 ", StringComparison.Ordinal));
        Assert.StartsWith("miss  gpc-000132 primary 2024-07-30 -> 1402844 (linked: nothing): the run quarantined its right row (EMQ004 ", miss, StringComparison.Ordinal);
        Assert.Contains("ddhq_election_results.csv line 166", miss, StringComparison.Ordinal);
        Assert.EndsWith("so it was never a candidate", miss.TrimEnd('\r'), StringComparison.Ordinal);
        Assert.DoesNotContain("rejected by score", miss, StringComparison.Ordinal);
    }
}
