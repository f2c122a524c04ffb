namespace ElectionMatch.Tests;

/// <summary>
/// `evaluate` compares ids by one text on every side: an input whose id column is DOUBLE (a run keeps its type, so the
/// snapshot's text is '1402844.0') scores as the same input with BIGINT ids does. Before, every correct candidacy link
/// counted as a miss and a false match (precision and recall 0.0000, retrieval "0 of 0"), and the district match
/// failed with EM0120 ("ids such as '140300' … the snapshot's ids such as '140300.0'").
/// </summary>
public sealed class EvaluateFloatIdTests(FloatIdRuns runs) : IClassFixture<FloatIdRuns>
{
    [Theory]
    [InlineData("candidacy_ddhq_matches")]
    [InlineData("llm_l2_br_match")]
    public void A_run_on_float_ids_scores_as_the_run_on_integer_ids(string match)
    {
        var truth = $"truth/{match}.csv";

        var integer = Evaluate(runs.Integer, match, truth, "--hardest", "1000");
        var floating = Evaluate(runs.Float, match, truth, "--hardest", "1000");

        Assert.Contains("precision: 1.0000\nrecall: ", integer, StringComparison.Ordinal);
        Assert.Matches(@"retrieval offline/\S+: recall@\d+ 1\.0000 \([1-9][0-9]* of ", integer);
        Assert.Equal(Scored(integer), Scored(floating));
    }

    [Fact]
    public void A_position_quarantined_under_a_float_id_is_told_as_quarantined()
    {
        var floating = Evaluate(runs.Float, "llm_l2_br_match", "truth/llm_l2_br_match.csv");

        var miss = Assert.Single(Lines(floating), l => l.StartsWith("miss ", StringComparison.Ordinal));
        Assert.StartsWith($"miss  {FloatIdRuns.QuarantinedPosition} -> 1023: the snapshot has no row for it: the run quarantined its left row (EMQ", miss, StringComparison.Ordinal);
    }

    // Spec 000's district files name the district: its id is looked up in the right input, here a DOUBLE column.
    [Fact]
    public void A_hand_uploaded_snapshots_right_ids_looked_up_in_a_float_input_score_as_integer_ones()
    {
        string[] args = ["--snapshot", "llm_l2_br_match_20250811"];

        var integer = Evaluate(runs.Integer, "llm_l2_br_match", "truth/llm_l2_br_match.csv", args);
        var floating = Evaluate(runs.Float, "llm_l2_br_match", "truth/llm_l2_br_match.csv", args);

        Assert.Matches(@"correct: [1-9]", integer);
        Assert.Equal(integer, floating);
    }

    // A truth file saved by pandas from a float column says '1402844.0'.
    [Theory]
    [InlineData("candidacy_ddhq_matches")]
    [InlineData("llm_l2_br_match")]
    public void A_truth_file_with_float_ids_scores_as_one_with_integer_ids(string match)
    {
        var lines = File.ReadAllLines(runs.Integer.PathOf($"truth/{match}.csv"));
        // The last field of every line but the header, and the first too when it is a number (the district's position).
        var floated = lines.Take(1).Concat(lines.Skip(1).Select(l =>
        {
            var fields = l.Split(',');
            fields[^1] += ".0";
            if (fields[0].All(char.IsAsciiDigit))
            {
                fields[0] += ".0";
            }

            return string.Join(',', fields);
        }));
        runs.Integer.Write($"truth/{match}_float.csv", string.Join('\n', floated) + "\n");

        var integer = Evaluate(runs.Integer, match, $"truth/{match}.csv");
        var floating = Evaluate(runs.Integer, match, $"truth/{match}_float.csv");

        Assert.Contains("precision: 1.0000\nrecall: ", integer, StringComparison.Ordinal);
        Assert.Equal(integer, floating);
    }

    private static string Evaluate(FixtureCopy project, string match, string truth, params string[] args)
    {
        var evaluate = FloatIdRuns.Cli(project, "evaluate", [match, "--truth", project.PathOf(truth), .. args]);
        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        return evaluate.Stdout.ReplaceLineEndings("\n");
    }

    private static string[] Lines(string output) => output.Split('\n');

    /// <summary>
    /// The output but the reasoning of the closest calls, which quotes the next candidate's id as the run wrote it
    /// ('[1402844.0]'): what evaluate scores, and each close call's ids and verdict.
    /// </summary>
    private static string[] Scored(string output) =>
        [.. Lines(output).Select(l => l.StartsWith("hard ", StringComparison.Ordinal) ? l[..l.IndexOf(" at p=", StringComparison.Ordinal)] : l)];
}
