namespace ElectionMatch.Tests;

/// <summary>
/// `evaluate`, for a miss whose left id no row has, names the left rows quarantined for a blank id with their file lines
/// and input rows, as it names the right side's (EvaluateRejectedOrBlankRightRowTests), and no longer counts among the
/// rows that may be this one a line the CSV reader rejected whose id field was read as another candidacy's. Before, it
/// said only "(EMQ001 x1)", and counted the rejected line too ("EMQ001 x1, EMQ008 x1").
/// </summary>
public sealed class EvaluateBlankOrRejectedLeftRowTests : IDisposable
{
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";
    private const string Vega = "gpc-000132,3149647723,Alyssa,Vega,AZ,";
    private const string Hensarling = "gpc-000133,9806365351,Gabriel,Hensarling,IL,";

    private readonly FixtureCopy _project = FixtureCopy.Of("goodparty");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_miss_whose_left_id_no_row_has_names_the_candidacies_quarantined_for_a_blank_id_with_their_file_lines()
    {
        var text = _project.Read(Candidacies);
        Assert.Contains(Vega, text, StringComparison.Ordinal);
        _project.Write(Candidacies, text.Replace(Vega, Vega.Replace("gpc-000132,", ",", StringComparison.Ordinal), StringComparison.Ordinal));

        var miss = MissOf("gpc-000132");

        Assert.StartsWith("miss  gpc-000132 primary -> 1402844: the left id is not in the left input (", miss, StringComparison.Ordinal);
        Assert.Contains("the run quarantined left rows whose id is blank, an earlier row's or unreadable (EMQ001 x1 (EMQ001 the id column is empty (", miss, StringComparison.Ordinal);
        Assert.Contains("hubspot_candidacy.csv line 3), left input row ", miss, StringComparison.Ordinal);
        Assert.EndsWith("which may be this one", miss, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rejected_candidacy_line_whose_id_field_is_another_candidacys_is_not_counted_as_maybe_this_one()
    {
        var text = _project.Read(Candidacies);
        Assert.Contains(Vega, text, StringComparison.Ordinal);
        Assert.Contains(Hensarling, text, StringComparison.Ordinal);
        // Vega's id blank (EMQ001); a byte that is not UTF-8 in Hensarling's name (EMQ008), whose id field is read.
        var changed = text
            .Replace(Vega, Vega.Replace("gpc-000132,", ",", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace(Hensarling, Hensarling.Replace("Hensarling", "Hens\u00e9rling", StringComparison.Ordinal), StringComparison.Ordinal);
        File.WriteAllBytes(_project.PathOf(Candidacies), System.Text.Encoding.Latin1.GetBytes(changed));

        var miss = MissOf("gpc-000132");

        Assert.Contains("(EMQ001 x1 (EMQ001 the id column is empty (", miss, StringComparison.Ordinal);
        Assert.DoesNotContain("EMQ008", miss, StringComparison.Ordinal);
    }

    private string MissOf(string leftId)
    {
        var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", _project.Directory);
        Assert.True(run.ExitCode == 0, run.Output);
        var evaluate = CliProcess.Run("evaluate", "candidacy_ddhq_matches", "--truth", _project.PathOf("truth/candidacy_ddhq_matches.csv"), "--project-dir", _project.Directory);
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        return Assert.Single(evaluate.Stdout.Split('\n'), l => l.StartsWith($"miss  {leftId} ", StringComparison.Ordinal)).TrimEnd('\r');
    }
}
