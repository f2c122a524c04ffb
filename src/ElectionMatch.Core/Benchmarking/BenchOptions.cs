namespace ElectionMatch.Benchmarking;

/// <summary>What <c>electionmatch bench</c> measures.</summary>
/// <param name="Rows">Left row counts, one synthetic project each.</param>
/// <param name="Directory">Where the synthetic projects are kept between runs, one folder per rows, seed and generator version.</param>
/// <param name="Seed">The synth seed; the same seed gives the same data.</param>
/// <param name="Electionmatch">How to start the run that is measured, in its own process.</param>
/// <param name="Repeat">Runs per size; the one with the median CPU time is reported, with every run's times beside it.</param>
public sealed record BenchOptions(IReadOnlyList<int> Rows, string Directory, int Seed, ChildCommand Electionmatch, int Repeat = 1)
{
    /// <summary>The snapshot date every bench run publishes under, replacing the previous bench run's.</summary>
    public static readonly DateOnly SnapshotDate = new(2030, 1, 1);

    public const string Match = "candidacy_ddhq_matches";
}
