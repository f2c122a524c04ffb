namespace ElectionMatch.Synthesis;

/// <summary>What <c>electionmatch synth</c> wrote, and how long it took.</summary>
public sealed record SynthSummary(
    string Directory,
    long Candidacies,
    long Results,
    long Contests,
    long UnreferencedContests,
    long Races,
    long TruthPairs,
    TimeSpan Generating,
    TimeSpan Copying,
    IReadOnlyList<string> Written)
{
    public TimeSpan Elapsed => Generating + Copying;
}
