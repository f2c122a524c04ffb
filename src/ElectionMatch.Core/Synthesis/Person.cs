namespace ElectionMatch.Synthesis;

/// <summary>
/// One person as they really are named; how HubSpot and DDHQ write them differs per candidacy.
/// A person keeps their contact id across candidacies (people run in several cycles).
/// </summary>
internal sealed record Person(
    long ContactId,
    bool IsMale,
    string First,
    string Middle,
    string Last,
    string? Suffix,
    string? FirstNickname,
    string? MiddleNickname);
