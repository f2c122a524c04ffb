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
    // Each share is null when nothing is counted under it: a snapshot with no link is not precise, nor one scored
    // against no pair complete (before, both read 1.0000).

    /// <summary>Correct links over links (those whose correctness is known, with partial truth); null when there is no link.</summary>
    public double? Precision => PredictedPairs == 0 ? null : (double)CorrectPairs / PredictedPairs;

    /// <summary>Correct links over truth pairs; null when the truth has no pair.</summary>
    public double? Recall => TruthPairs == 0 ? null : (double)CorrectPairs / TruthPairs;

    /// <summary>The harmonic mean of <see cref="Precision"/> and <see cref="Recall"/>; null when either is.</summary>
    public double? F1 => Precision is not { } p || Recall is not { } r ? null : p + r == 0 ? 0 : 2 * p * r / (p + r);

    /// <summary>Rows the judge decided over the snapshot's rows (a candidacy's election rows, not its candidacies).</summary>
    public double JudgeShare => LeftRows == 0 ? 0 : (double)JudgedRows / LeftRows;

    /// <summary>The truth file's lines of pairs; more than <see cref="TruthPairs"/> when lines repeat a pair (each pair counted once).</summary>
    public long TruthLines { get; init; }

    /// <summary>Missed truth pairs with no row in the snapshot to count them under a tier (no row of their left id or of their election type).</summary>
    public long UntieredMisses { get; init; }

    /// <summary>Why the missed ids were not looked up in the inputs (they cannot be read here); null when they were, or nothing was missed.</summary>
    public string? InputsUnread { get; init; }

    /// <summary>Warnings about the truth file (EM0121: missed pairs whose ids are not in the inputs).</summary>
    public IReadOnlyList<Diagnostics.Diagnostic> Warnings { get; init; } = [];

    /// <summary>Rows the judge saw and left unlinked: its 0 answers and its choices below the acceptance threshold.</summary>
    public long JudgedUnlinked { get; init; }

    /// <summary>Rows the judge could not decide (its reply was invalid twice); never linked, counted among <see cref="JudgedUnlinked"/>.</summary>
    public long JudgedUndecided { get; init; }

    public double JudgeZeroShare => JudgedRows == 0 ? 0 : (double)JudgedUnlinked / JudgedRows;

    /// <summary>The same figures for the rows each tier decided (score, judge, none).</summary>
    public IReadOnlyList<TierResult> Tiers { get; init; } = [];

    /// <summary>The closest calls, as many as were asked for: the judge's rows, then the probabilities nearest even odds.</summary>
    public IReadOnlyList<HardCase> Hardest { get; init; } = [];

    /// <summary>Columns our runs write that the snapshot lacks (one loaded by hand): the lines that need them are not computed.</summary>
    public IReadOnlyList<string> AbsentColumns { get; init; } = [];

    /// <summary>How the right ids were found when the snapshot has no right id column; null when it has one.</summary>
    public string? RightIdLookup { get; init; }

    /// <summary>The snapshot has a quarantine table (a run published it): a miss with no row is looked up there.</summary>
    public bool HasQuarantine { get; init; }

    /// <summary>The quarantine's left rows whose id is not the row's own (blank, repeated, unreadable), per code; null when none.</summary>
    public string? UnidentifiedQuarantine { get; init; }

    /// <summary>How many right rows the quarantine holds for a blank id (EMQ001), with the places of the first few; null when none or not looked up.</summary>
    public string? BlankRightIdQuarantine { get; init; }
}

/// <summary>A decision and whether the truth agrees (right, wrong link, or missed).</summary>
/// <param name="Row">The row of the left id, named as miss and false lines name theirs: a candidacy's election type and date, a district's state.</param>
public sealed record HardCase(string LeftId, string Row, string LeftName, string? BestMatch, string DecidedBy, bool Linked, double MatchProbability, string Verdict, string Reasoning);

/// <summary>
/// One tier's rows, the links it made whose correctness is known, how many were right, and the truth pairs missed whose
/// row it decided (the row of the pair's election type; each missed pair counted once, under one tier).
/// </summary>
public sealed record TierResult(string Tier, long Rows, long Links, long Correct, long Missed)
{
    /// <summary>Correct links over links; null when the tier made none (whose correctness is known).</summary>
    public double? Precision => Links == 0 ? null : (double)Correct / Links;
}

/// <summary>A true pair that was not linked, or a link that is not true, with what the matcher said about it.</summary>
public sealed record PairError(string LeftId, string? RightId, string? LinkedRightId, string? Reasoning, string? Explanation)
{
    /// <summary>What the snapshot's quarantine holds of the left id's whole rows, which the run did not use (codes, messages, input rows); null when nothing.</summary>
    public string? Quarantined { get; init; }

    /// <summary>
    /// The values of the left id's used rows that the snapshot's quarantine holds alone (a candidacy's election date that
    /// cannot be read; its other elections were matched), as <see cref="Quarantined"/>; null when none.
    /// </summary>
    public string? QuarantinedAlone { get; init; }

    /// <summary>The snapshot has a row of the left id (for a miss: of its own election row when the truth names it).</summary>
    public bool HasRow { get; init; } = true;

    /// <summary>
    /// For a miss the truth tells by its row (<see cref="Detail"/>): the right ids its row of that type is linked to
    /// that the truth file also names for the left id, so the truth gives that row another right id; null when none.
    /// </summary>
    public string? RowLinkedToOtherTruth { get; init; }

    /// <summary>For a miss: the truth file's value telling the left id's rows apart (the election type); null without.</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// The row the line is about, as <c>--hardest</c> names it (a candidacy's election type and date): a false link's row,
    /// a miss's own row (the truth's election type when it has none); null when the truth does not say which row.
    /// </summary>
    public string? Row { get; init; }

    /// <summary>For a miss: the snapshot has a row of the left id, of any election.</summary>
    public bool HasLeftRow { get; init; } = true;

    /// <summary>For a miss: its left id is in the left input as it is now; null when not looked up.</summary>
    public bool? LeftInInput { get; init; }

    /// <summary>For a miss: its right id is in the right input as it is now; null when not looked up.</summary>
    public bool? RightInInput { get; init; }

    /// <summary>For a miss: what the snapshot's quarantine holds of its right id's rows (codes, messages, input rows); null when nothing.</summary>
    public string? RightQuarantined { get; init; }

    /// <summary>For a miss: its right id is the id field of a line the CSV reader rejected (in <see cref="RightQuarantined"/>).</summary>
    public bool RightLineRejected { get; init; }

    /// <summary>For a miss: its left id is the id field of a line the CSV reader rejected (in <see cref="Quarantined"/>).</summary>
    public bool LeftLineRejected { get; init; }

    /// <summary>For a miss: no row, no quarantined row and no input row holds the left id.</summary>
    public bool IsLeftIdUnknown => LeftInInput == false && !HasLeftRow && Quarantined is null && QuarantinedAlone is null;

    /// <summary>For a false link: the right ids the truth file gives its row; null when none.</summary>
    public string? TruthRightIds { get; init; }

    /// <summary>For a false link: the left ids the truth file gives the linked right id; null when none.</summary>
    public string? TruthLeftIdsOfLinked { get; init; }
}
