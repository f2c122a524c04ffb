namespace ElectionMatch.Synthesis;

/// <summary>
/// Everything generated for one seat in one cycle: its HubSpot candidacies (none for an unreferenced
/// contest), the results rows of all its races (and of any namesake's race), and the true pairs.
/// </summary>
internal sealed class SynthContest
{
    public List<CandidacyRow> Candidacies { get; } = new(2);

    public List<ResultRow> Results { get; } = new(16);

    public List<TruthPair> Truth { get; } = new(4);

    /// <summary>
    /// The first candidacies, in earlier contests, of people who run again in this one: written before the repeat was
    /// known, they are tagged <c>repeat_candidate</c> in the perturbations file once it is complete, as this contest's are.
    /// </summary>
    public List<string> EarlierRepeats { get; } = new(0);

    /// <summary>How many races the rows belong to (a namesake's race included).</summary>
    public int RaceCount { get; set; }
}
