namespace ElectionMatch.Tests;

/// <summary>
/// `evaluate` names the quarantined results row of a miss that keeps no parsed id: a line the CSV reader rejected (its
/// id read from the raw line by the header's position of the id column, with CSV quoting), and a row whose id is blank.
/// Before, both misses said only that the right id is not in the right input, with warning EM0121 calling the truth
/// file possibly mistyped.
/// </summary>
public sealed class EvaluateRejectedOrBlankRightRowTests : IDisposable
{
    private const string Results = "data/airbyte/ddhq_election_results.csv";
    private const string Vega = "282113,AZ Maricopa County Commission - District 6 - Democratic Primary,1402844,Alyssa Vega,Democratic,true,26114,2024-07-30,";

    private readonly FixtureCopy _project = FixtureCopy.Of("goodparty");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_miss_whose_results_line_the_csv_reader_rejected_says_so_with_its_code_file_and_line()
    {
        var text = _project.Read(Results);
        Assert.Contains(Vega, text, StringComparison.Ordinal);
        // A byte that is not UTF-8 in the name (EMQ008), and a quoted race name holding a comma before the id column.
        var broken = "282113,\"AZ Maricopa County Commission, District 6\",1402844,Alyssa Ve\u00e9ga,Democratic,true,26114,2024-07-30,";
        var bytes = System.Text.Encoding.Latin1.GetBytes(text.Replace(Vega, broken, StringComparison.Ordinal));
        File.WriteAllBytes(_project.PathOf(Results), bytes);

        var miss = MissOf("gpc-000132", out var evaluate);

        Assert.StartsWith("miss  gpc-000132 primary 2024-07-30 -> 1402844 (linked: nothing): the CSV reader rejected its right row's line, whose id field is 1402844, so the run quarantined it (EMQ008 ", miss, StringComparison.Ordinal);
        Assert.Contains("ddhq_election_results.csv line 166: ", miss, StringComparison.Ordinal);
        Assert.EndsWith("and it was never a candidate", miss, StringComparison.Ordinal);
        Assert.DoesNotContain("EM0121", evaluate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_miss_whose_right_id_no_row_has_names_the_results_rows_quarantined_for_a_blank_id()
    {
        var text = _project.Read(Results);
        Assert.Contains(Vega, text, StringComparison.Ordinal);
        _project.Write(Results, text.Replace(Vega, Vega.Replace(",1402844,", ",,", StringComparison.Ordinal), StringComparison.Ordinal));

        var miss = MissOf("gpc-000132", out _);

        Assert.StartsWith("miss  gpc-000132 primary 2024-07-30 -> 1402844: no row of the right input (source('airbyte_source', 'ddhq_gdrive_election_results')) has its right id, nor did the run quarantine one with it (but it quarantined right rows whose id is blank, 1 (EMQ001 the id column is empty (", miss, StringComparison.Ordinal);
        Assert.Contains("ddhq_election_results.csv line 166)", miss, StringComparison.Ordinal);
        Assert.EndsWith("which may include this one), so no run could link it", miss, StringComparison.Ordinal);
    }

    private string MissOf(string leftId, out CliProcess.Result evaluate)
    {
        var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", _project.Directory);
        Assert.True(run.ExitCode == 0, run.Output);
        evaluate = CliProcess.Run("evaluate", "candidacy_ddhq_matches", "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"), "--project-dir", _project.Directory);
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        return Assert.Single(evaluate.Stdout.Split('\n'), l => l.StartsWith($"miss  {leftId} ", StringComparison.Ordinal)).TrimEnd('\r');
    }
}
