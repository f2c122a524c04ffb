namespace ElectionMatch.Benchmarking;

/// <summary>What <c>electionmatch bench</c> measures.</summary>
/// <param name="Rows">Left row counts, one synthetic project each.</param>
/// <param name="Directory">Where the synthetic projects are kept between runs, one folder per rows, seed and generator version.</param>
/// <param name="Seed">The synth seed; the same seed gives the same data.</param>
/// <param name="Electionmatch">How to start the run that is measured, in its own process.</param>
/// <param name="Repeat">Runs per size; the one with the median CPU time is reported, with every run's times beside it.</param>
/// <param name="LeftShare">
/// When set (0 &lt; share &lt; 1), each size is run again on that share of its left rows and all of its results rows, and
/// the two runs split its cost into what the run pays whatever its left rows and what each left row adds (<see cref="BenchCostSplit"/>).
/// </param>
public sealed record BenchOptions(IReadOnlyList<int> Rows, string Directory, int Seed, ChildCommand Electionmatch, int Repeat = 1, double? LeftShare = null)
{
    /// <summary>The snapshot date every bench run publishes under, replacing the previous bench run's.</summary>
    public static readonly DateOnly SnapshotDate = new(2030, 1, 1);

    public const string Match = "candidacy_ddhq_matches";
}
