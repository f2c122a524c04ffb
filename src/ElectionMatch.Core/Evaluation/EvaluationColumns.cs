namespace ElectionMatch.Evaluation;

/// <summary>Where a kind of match keeps what evaluate reads: its ids, its link flag and its words about each decision.</summary>
/// <param name="LeftId">Column of the left id (a truth file's first column).</param>
/// <param name="RightId">Column of the right id (a truth file's last column).</param>
/// <param name="Matched">Boolean column: the row was linked.</param>
/// <param name="Reasoning">Column of the decision's reasoning.</param>
/// <param name="LeftNameSql">SQL naming the left row for a reader.</param>
/// <param name="BestMatchSql">SQL naming the right row shown for the left row (linked or best).</param>
/// <param name="DetailSql">SQL telling rows of one left id apart (the election type), or placing it (the state).</param>
public sealed record EvaluationColumns(string LeftId, string RightId, string Matched, string Reasoning, string LeftNameSql, string BestMatchSql, string DetailSql)
{
    /// <summary>What the retrieval tier searched in a run, for recall@k per embedding model; null when the kind has none.</summary>
    public RetrievalColumns? Retrieval { get; init; }

    /// <summary>
    /// A truth file's column holding what <see cref="DetailSql"/> holds (a candidacy's election type), when the file has it:
    /// a miss is then told with the reasoning of its own row, not with every row of its left id.
    /// </summary>
    public string? TruthDetailColumn { get; init; }

    /// <summary>SQL of the row's date, which with <see cref="DetailSql"/> names a left id's row on a miss or false line (a candidacy's election date); null without.</summary>
    public string? RowDateSql { get; init; }

    /// <summary>
    /// When a snapshot has no <see cref="RightId"/> column (spec 000's hand-uploaded district files name the district
    /// instead), the snapshot columns and the right input's roles that identify the right row, to look its id up by.
    /// </summary>
    public IReadOnlyList<RightIdKey> RightIdLookup { get; init; } = [];

    /// <summary>Why a run's snapshot has no row for a true pair's left id, in the kind's terms, when its quarantine does not hold the id.</summary>
    public string NoRowCause { get; init; } = "not in the input the snapshot was made from under this id";

    /// <summary>Why the snapshot has no row for a left id its quarantine does not hold; <paramref name="unidentified"/>: the quarantine's left rows whose id is not their own, per code.</summary>
    public string NoRowCauses(bool hasQuarantine, string? unidentified) =>
        (hasQuarantine ? NoRowCause : "a snapshot loaded by hand keeps no quarantine or run tables to say why")
        + (unidentified is null || !RowForEveryKeptLeftRow ? "" : $"; its quarantine holds left rows whose id is blank, an earlier row's or unreadable ({unidentified}), which may be this one");

    /// <summary>A run writes a row for every left row it keeps, so a left id with no row was quarantined or not read under that id.</summary>
    public bool RowForEveryKeptLeftRow { get; init; }
}

/// <summary>A snapshot column and the right input's role (its column per electionmatch.yml) that holds the same value.</summary>
public sealed record RightIdKey(string SnapshotColumn, string RightRole);
