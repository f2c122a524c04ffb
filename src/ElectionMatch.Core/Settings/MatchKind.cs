namespace ElectionMatch.Settings;

/// <summary>The roles a kind of match reads from its inputs; electionmatch.yml maps each role to a column.</summary>
public sealed record MatchKind(
    string Name,
    IReadOnlyList<string> LeftRequired,
    IReadOnlyList<string> LeftOptional,
    IReadOnlyList<IReadOnlyList<string>> LeftOneOf,
    IReadOnlyList<string> RightRequired,
    IReadOnlyList<string> RightOptional,
    IReadOnlyList<ThresholdSpec> Thresholds)
{
    public static MatchKind CandidacyDdhq { get; } = new(
        "candidacy_ddhq",
        LeftRequired: ["first_name", "last_name"],
        LeftOptional: ["middle_name", "suffix", "nickname", "gender", "party", "state", "office", "district", "primary_election_date", "general_election_date", "runoff_election_date", "election_date", "election_type"],
        // Either one date per stage (HubSpot) or one row per election with its type.
        LeftOneOf: [["primary_election_date", "general_election_date", "runoff_election_date"], ["election_date", "election_type"]],
        RightRequired: ["candidate", "race_id", "race_name", "election_date", "election_type"],
        RightOptional: ["state", "office", "district", "is_winner", "party"],
        Thresholds:
        [
            // Spec 000's proposed hybrid: above 95% accept, below 50% reject, the band between goes to the judge.
            new("accept", 0, 1, 0.95, "match probability at or above which the best pair links without the judge"),
            new("reject", 0, 1, 0.5, "match probability at or below which a pair is rejected without the judge"),
            new("judge_accept", 0, 100, 70, "judge confidence (0-100) at or above which the judge's choice links (spec 000: 70)"),
        ])
    {
        DateRoles = ["primary_election_date", "general_election_date", "runoff_election_date", "election_date"],
        IdentifierRoles = ["race_id"],
        KeepColumnsRefused =
            "a candidacy_ddhq snapshot has a row per election of a candidacy (and per discovered runoff), not one per HubSpot row, " +
            "and its incremental runs cache a fixed set of columns per state partition; join the candidacy model back on gp_candidacy_id downstream",
    };

    public static MatchKind L2BallotReady { get; } = new(
        "l2_ballotready",
        LeftRequired: ["name", "state"],
        LeftOptional: ["level", "normalized_position_name", "sub_area_name", "sub_area_value"],
        LeftOneOf: [],
        RightRequired: ["district_name", "district_type", "state"],
        RightOptional: [],
        Thresholds:
        [
            new("accept", 0, 1, 0.95, "match probability at or above which a position's best district links without the judge"),
            new("reject", 0, 1, 0.5, "match probability at or below which a position's best district is rejected without the judge (answer 0)"),
            new("judge_accept", 0, 100, 70, "judge selection_confidence (0-100) at or above which the judge's district links"),
        ])
    {
        // Spec 000: the top 10 by similarity (plus the state-level district and 2 buffer).
        DefaultTopK = 10,
        KeptRow = "BallotReady position row",
    };

    public static IReadOnlyList<MatchKind> All { get; } = [CandidacyDdhq, L2BallotReady];

    /// <summary>Candidates kept per left row by vector retrieval when electionmatch.yml does not say.</summary>
    public int DefaultTopK { get; init; } = 5;

    /// <summary>
    /// The roles (of either side) that hold dates: the columns mapped to them are the ones an input's <c>date_format:</c>
    /// and <c>timestamp_format:</c> read. Empty for a kind that reads no date, which refuses the two keys.
    /// </summary>
    public IReadOnlyList<string> DateRoles { get; init; } = [];

    /// <summary>
    /// The roles (of either side) besides each input's <c>id</c> that hold identifiers, which the match publishes as read
    /// (DDHQ's <c>race_id</c>): a CSV column mapped to one may not be declared a type no identifier can be (EM0029).
    /// </summary>
    public IReadOnlyList<string> IdentifierRoles { get; init; } = [];

    /// <summary>What a left row is, for <c>keep_columns:</c> (spec 000 step 2d keeps the position row's columns); null when the kind cannot keep them.</summary>
    public string? KeptRow { get; init; }

    /// <summary>Why <c>keep_columns:</c> is refused for this kind, when it is.</summary>
    public string? KeepColumnsRefused { get; init; }
}
