namespace ElectionMatch.Synthesis;

/// <summary>What <c>electionmatch synth</c> wrote, and how long it took.</summary>
/// <param name="UnlistedRunoffs">Of <paramref name="TruthPairs"/>, the runoffs HubSpot does not list, which the match must discover.</param>
public sealed record SynthSummary(
    string Directory,
    long Candidacies,
    long Results,
    long Contests,
    long UnreferencedContests,
    long Races,
    long TruthPairs,
    long UnlistedRunoffs,
    TimeSpan Generating,
    TimeSpan Copying,
    IReadOnlyList<string> Written)
{
    public TimeSpan Elapsed => Generating + Copying;
}
