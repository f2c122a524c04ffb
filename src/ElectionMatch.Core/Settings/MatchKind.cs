namespace ElectionMatch.Settings;

/// <summary>The roles a kind of match reads from its inputs; electionmatch.yml maps each role to a column.</summary>
public sealed record MatchKind(
    string Name,
    IReadOnlyList<string> LeftRequired,
    IReadOnlyList<string> LeftOptional,
    IReadOnlyList<IReadOnlyList<string>> LeftOneOf,
    IReadOnlyList<string> RightRequired,
    IReadOnlyList<string> RightOptional,
    IReadOnlyList<string> Thresholds)
{
    public static MatchKind CandidacyDdhq { get; } = new(
        "candidacy_ddhq",
        LeftRequired: ["first_name", "last_name"],
        LeftOptional: ["middle_name", "suffix", "nickname", "gender", "state", "office", "district", "primary_election_date", "general_election_date", "runoff_election_date", "election_date", "election_type"],
        // Either one date per stage (HubSpot) or one row per election with its type.
        LeftOneOf: [["primary_election_date", "general_election_date", "runoff_election_date"], ["election_date", "election_type"]],
        RightRequired: ["candidate", "race_id", "race_name", "election_date", "election_type"],
        RightOptional: ["state", "office", "district", "is_winner", "party"],
        Thresholds: ["accept"]);

    public static IReadOnlyList<MatchKind> All { get; } = [CandidacyDdhq];
}
