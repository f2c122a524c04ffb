namespace ElectionMatch.Benchmarking;

/// <summary>
/// A run's cost split into what it pays whatever its left rows (the results rows it reads, cleans, embeds and codes, and
/// the run's fixed steps) and what each left row adds, fitted as a line through two runs on the same results rows: the
/// whole left input and a share of it (<c>bench --left-share</c>). CPU seconds where both runs have them, else wall.
/// </summary>
/// <remarks>
/// It tells where the next gain must come from: the rows-per-minute target gives a run a minute of wall time per million
/// left rows (in CPU seconds, that minute times the cores the run keeps busy); when the fixed part alone takes more than
/// that, no saving per left row reaches the target, and when the part per left row does, no saving on the fixed part.
/// </remarks>
/// <param name="Share">The share of the left rows the smaller run kept.</param>
/// <param name="LeftRows">Left rows of the whole run.</param>
/// <param name="ShareLeftRows">Left rows of the smaller run.</param>
/// <param name="Measure">What the seconds are: "cpu" or "wall".</param>
/// <param name="Groups">Per stage group (<see cref="StageGroups.Names"/>), the fixed seconds and the seconds per million left rows.</param>
public sealed record BenchCostSplit(
    double Share,
    long LeftRows,
    long ShareLeftRows,
    string Measure,
    BenchCostLine Whole,
    IReadOnlyList<BenchCostLine> Groups)
{
    /// <summary>The split of <paramref name="whole"/> and <paramref name="part"/>, or null when they read the same number of left rows (nothing to fit).</summary>
    public static BenchCostSplit? Of(double share, BenchRun whole, BenchRun part)
    {
        if (whole.LeftRowsRead == part.LeftRowsRead)
        {
            return null;
        }

        var wholeGroups = StageGroups.Split(whole);
        var partGroups = StageGroups.Split(part);

        // CPU seconds only when both runs have them for every group too (older runs recorded them for none), so that
        // the groups add up to the whole run.
        var cpu = whole.CpuSeconds is not null && part.CpuSeconds is not null && wholeGroups.Concat(partGroups).All(g => g.CpuSeconds is not null);
        var groups = wholeGroups.Zip(partGroups, (w, p) => Fit(w.Group, Seconds(w, cpu), Seconds(p, cpu), whole.LeftRowsRead, part.LeftRowsRead)).ToList();
        var total = Fit("whole run", cpu ? whole.CpuSeconds!.Value : whole.WallSeconds, cpu ? part.CpuSeconds!.Value : part.WallSeconds, whole.LeftRowsRead, part.LeftRowsRead);
        return new BenchCostSplit(share, whole.LeftRowsRead, part.LeftRowsRead, cpu ? "cpu" : "wall", total, groups);
    }

    /// <summary>The line through (<paramref name="rows"/>, <paramref name="seconds"/>) and (<paramref name="shareRows"/>, <paramref name="shareSeconds"/>).</summary>
    private static BenchCostLine Fit(string name, double seconds, double shareSeconds, long rows, long shareRows)
    {
        var perRow = (seconds - shareSeconds) / (rows - shareRows);
        return new BenchCostLine(name, seconds, shareSeconds, seconds - (perRow * rows), perRow * 1_000_000);
    }

    private static double Seconds((string Group, double Seconds, double? CpuSeconds) group, bool cpu) =>
        cpu ? group.CpuSeconds!.Value : group.Seconds;
}

/// <summary>One line of a <see cref="BenchCostSplit"/>: both runs' seconds, and the fit.</summary>
/// <param name="FixedSeconds">Seconds at no left rows: the line's intercept.</param>
/// <param name="SecondsPerMillionLeftRows">What a million more left rows add: the line's slope.</param>
public sealed record BenchCostLine(string Name, double Seconds, double ShareSeconds, double FixedSeconds, double SecondsPerMillionLeftRows);
