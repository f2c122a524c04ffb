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
        LeftOptional: ["middle_name", "suffix", "nickname", "gender", "state", "office", "district", "primary_election_date", "general_election_date", "runoff_election_date", "election_date", "election_type"],
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
        ]);

    public static IReadOnlyList<MatchKind> All { get; } = [CandidacyDdhq];
}
