namespace ElectionMatch.Synthesis;

/// <summary>
/// The differences between how HubSpot and DDHQ write one person, as the generator applies them.
/// A candidacy carries the set applied to it; a truth pair carries its candidacy's set plus the
/// printing style of its results row's race.
/// </summary>
[Flags]
internal enum Perturbation
{
    None = 0,

    // Given names: at most one of these two per candidacy.
    Nickname = 1 << 0,
    QuotedNickname = 1 << 1,

    // Middle names: at most one of these three per candidacy.
    MiddleInitial = 1 << 2,
    MiddleName = 1 << 3,
    GoesByMiddle = 1 << 4,

    Suffix = 1 << 5,
    AccentDropped = 1 << 6,
    CompoundSurname = 1 << 7,
    CaseChange = 1 << 8,
    Typo = 1 << 9,
    MissingState = 1 << 10,
    WrongDate = 1 << 11,
    NoTrueMatch = 1 << 12,
    Namesake = 1 << 13,
    RepeatCandidate = 1 << 14,
    SharedContest = 1 << 15,

    // How a whole race is printed.
    UpperCaseBallot = 1 << 16,
    LastFirstBallot = 1 << 17,

    // Not drawn: on a truth pair whose stage HubSpot does not list, a runoff the person ran in that the match must
    // discover from an earlier election of the candidacy (spec 000, step 6).
    UnlistedRunoff = 1 << 18,
}
