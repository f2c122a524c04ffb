using ElectionMatch.Evaluation;

namespace ElectionMatch.Tests.Evaluation;

/// <summary>A share with nothing to count is null (evaluate says n/a and why), not the perfect 1 it was.</summary>
public sealed class EmptyShareTests
{
    [Fact]
    public void A_snapshot_with_no_link_has_no_precision_and_no_f1()
    {
        var result = new EvaluationResult(TruthPairs: 4, PredictedPairs: 0, CorrectPairs: 0, JudgedRows: 0, LeftRows: 10, [], []);

        Assert.Null(result.Precision);
        Assert.Equal(0, result.Recall);
        Assert.Null(result.F1);
    }

    [Fact]
    public void A_truth_with_no_pair_gives_no_recall_and_no_f1()
    {
        var result = new EvaluationResult(TruthPairs: 0, PredictedPairs: 3, CorrectPairs: 0, JudgedRows: 0, LeftRows: 10, [], []);

        Assert.Equal(0, result.Precision);
        Assert.Null(result.Recall);
        Assert.Null(result.F1);
    }

    [Fact]
    public void Shares_with_something_to_count_are_unchanged()
    {
        var result = new EvaluationResult(TruthPairs: 4, PredictedPairs: 2, CorrectPairs: 1, JudgedRows: 0, LeftRows: 10, [], []);

        Assert.Equal(0.5, result.Precision);
        Assert.Equal(0.25, result.Recall);
        Assert.Equal(2 * 0.5 * 0.25 / 0.75, result.F1!.Value, 12);
        Assert.Equal(0, new EvaluationResult(4, 2, 0, 0, 10, [], []).F1);
    }

    [Fact]
    public void A_tier_with_no_link_has_no_precision()
    {
        Assert.Null(new TierResult("judge", Rows: 4, Links: 0, Correct: 0, Missed: 1).Precision);
        Assert.Equal(0.75, new TierResult("score", Rows: 9, Links: 4, Correct: 3, Missed: 0).Precision);
    }

    [Fact]
    public void Retrieval_with_no_truth_pair_to_find_has_no_recall()
    {
        Assert.Null(new RecallResult("offline/hashed-ngram-v1/256", K: 5, Found: 0, TruthPairs: 0).Recall);
        Assert.Equal(0.5, new RecallResult("offline/hashed-ngram-v1/256", K: 5, Found: 1, TruthPairs: 2).Recall);
    }
}
