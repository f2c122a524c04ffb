namespace ElectionMatch.Evaluation;

/// <summary>Precision, recall and F1 of a snapshot against a truth file, with every error listed.</summary>
public sealed record EvaluationResult(
    long TruthPairs,
    long PredictedPairs,
    long CorrectPairs,
    long JudgedRows,
    long LeftRows,
    IReadOnlyList<PairError> Misses,
    IReadOnlyList<PairError> FalseMatches)
{
    public double Precision => PredictedPairs == 0 ? 1 : (double)CorrectPairs / PredictedPairs;

    public double Recall => TruthPairs == 0 ? 1 : (double)CorrectPairs / TruthPairs;

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public double JudgeShare => LeftRows == 0 ? 0 : (double)JudgedRows / LeftRows;
}

/// <summary>A true pair that was not linked, or a link that is not true, with what the matcher said about it.</summary>
public sealed record PairError(string LeftId, string? RightId, string? LinkedRightId, string? Reasoning, string? Explanation);
