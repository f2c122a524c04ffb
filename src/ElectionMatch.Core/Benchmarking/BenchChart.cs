using System.Globalization;
using System.Security;
using System.Text;

namespace ElectionMatch.Benchmarking;

/// <summary>
/// The bench as one SVG: wall time and peak memory against rows (log–log, each against its target and
/// against linear growth from the smallest run), where the time goes at each size, and, for the sizes measured with
/// <c>--left-share</c>, what a run pays whatever its left rows and what they add, against what the target allows.
/// </summary>
public static class BenchChart
{
    private const double Width = 960;
    private const string Font = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\"";
    private const double TargetRowsPerMinute = 1_000_000;
    private const double TargetMemoryMib = 4096;

    private static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f", "#ff9da7", "#bab0ac"];

    public static string Svg(BenchResult result)
    {
        var runs = result.Runs.OrderBy(r => r.Rows).ToList();
        var svg = new StringBuilder();
        var m = result.Machine;
        Text(svg, 24, 26, $"electionmatch bench — candidacy match end to end, offline embedder and judge", 16, "start", "bold");
        Text(svg, 24, 44, $"{m.Cores} cores, {m.CpuModel}, {m.MemoryGib:0.#} GiB, {m.Dotnet}, tool {m.ToolVersion}{(m.GitCommit is null ? "" : " @ " + m.GitCommit)}", 11, "start", fill: "#57606a");

        if (runs.Count == 0)
        {
            Text(svg, Width / 2, 100, "no runs", 14, "middle");
            return Document(svg, 140);
        }

        var rows = runs.Select(r => (double)r.LeftRowsRead).ToList();
        var smallest = runs[0];
        Panel(svg, new Box(80, 80, 380, 230), "wall time (s) against left rows", rows, runs.Select(r => r.WallSeconds).ToList(),
            x => x / TargetRowsPerMinute * 60, "target: 1,000,000 rows/min",
            x => smallest.WallSeconds * x / smallest.LeftRowsRead, "linear from the smallest run",
            "#1f6feb", r => Invariant($"{Seconds(r.WallSeconds)} · {r.LeftRowsPerMinute / 1000:N0}k rows/min"), runs);
        Panel(svg, new Box(560, 80, 380, 230), "peak memory (MiB) against left rows", rows, runs.Select(r => r.PeakMemoryMib).ToList(),
            _ => TargetMemoryMib, "target: 4 GiB",
            x => smallest.PeakMemoryMib * x / smallest.LeftRowsRead, "linear from the smallest run",
            "#8250df", r => Invariant($"{r.PeakMemoryMib:N0} MiB"), runs);
        var bottom = Shares(svg, new Box(80, 400, 860, 200), runs);
        bottom = Costs(svg, bottom + 40, runs);
        return Document(svg, bottom + 24);
    }

    private static string Document(StringBuilder body, double height) =>
        Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height:0}\" width=\"{Width}\" height=\"{height:0}\" {Font} font-size=\"12\">\n")
        + Invariant($"<rect width=\"{Width}\" height=\"{height:0}\" fill=\"#ffffff\"/>\n")
        + body
        + "</svg>\n";

    private sealed record Box(double X, double Y, double W, double H);

    private static void Panel(
        StringBuilder svg, Box box, string title, List<double> xs, List<double> ys,
        Func<double, double> target, string targetLabel, Func<double, double> linear, string linearLabel,
        string color, Func<BenchRun, string> label, List<BenchRun> runs)
    {
        var (x0, x1) = Decades(xs.Min(), xs.Max());
        var lines = new[] { target(x0), target(x1), linear(xs.Max()) };
        var (y0, y1) = Decades(Math.Min(ys.Min(), lines.Where(v => v > 0).DefaultIfEmpty(ys.Min()).Min()), Math.Max(ys.Max(), lines.Max()));
        double X(double v) => box.X + ((Math.Log10(v) - Math.Log10(x0)) / (Math.Log10(x1) - Math.Log10(x0)) * box.W);
        double Y(double v) => box.Y + box.H - ((Math.Log10(v) - Math.Log10(y0)) / (Math.Log10(y1) - Math.Log10(y0)) * box.H);

        Text(svg, box.X, box.Y - 12, title, 13, "start", "bold");
        svg.Append(Invariant($"<rect x=\"{box.X}\" y=\"{box.Y}\" width=\"{box.W}\" height=\"{box.H}\" fill=\"#f6f8fa\" stroke=\"#d0d7de\"/>\n"));
        foreach (var tick in Ticks(x0, x1))
        {
            svg.Append(Invariant($"<line x1=\"{X(tick):0.#}\" y1=\"{box.Y}\" x2=\"{X(tick):0.#}\" y2=\"{box.Y + box.H}\" stroke=\"#d0d7de\" stroke-width=\"0.5\"/>\n"));
            Text(svg, X(tick), box.Y + box.H + 16, Compact(tick), 11, "middle", fill: "#57606a");
        }

        foreach (var tick in Ticks(y0, y1))
        {
            svg.Append(Invariant($"<line x1=\"{box.X}\" y1=\"{Y(tick):0.#}\" x2=\"{box.X + box.W}\" y2=\"{Y(tick):0.#}\" stroke=\"#d0d7de\" stroke-width=\"0.5\"/>\n"));
            Text(svg, box.X - 6, Y(tick) + 4, Compact(tick), 11, "end", fill: "#57606a");
        }

        Text(svg, box.X + (box.W / 2), box.Y + box.H + 34, "left rows (log scale)", 11, "middle", fill: "#57606a");
        Line(svg, X(x0), Y(target(x0)), X(x1), Y(target(x1)), "#d1242f", "6 4");
        Line(svg, X(xs.Min()), Y(linear(xs.Min())), X(xs.Max()), Y(linear(xs.Max())), "#8c959f", "2 3");
        var points = string.Join(" ", xs.Zip(ys).Select(p => Invariant($"{X(p.First):0.#},{Y(p.Second):0.#}")));
        svg.Append(Invariant($"<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\"/>\n"));
        for (var i = 0; i < xs.Count; i++)
        {
            svg.Append(Invariant($"<circle cx=\"{X(xs[i]):0.#}\" cy=\"{Y(ys[i]):0.#}\" r=\"4.5\" fill=\"{color}\"/>\n"));
            var anchor = i == xs.Count - 1 && xs.Count > 1 ? "end" : "start";
            Text(svg, X(xs[i]) + (anchor == "end" ? -8 : 8), Y(ys[i]) - 8, label(runs[i]), 11, anchor, "bold", color);
        }

        Legend(svg, box.X + 8, box.Y + box.H + 52, "#d1242f", "6 4", targetLabel);
        Legend(svg, box.X + 200, box.Y + box.H + 52, "#8c959f", "2 3", linearLabel);
    }

    /// <returns>The bottom of the legend.</returns>
    private static double Shares(StringBuilder svg, Box box, List<BenchRun> runs)
    {
        Text(svg, box.X - 56, box.Y - 14, "where the wall time goes", 13, "start", "bold");
        var groups = StageGroups.Names;
        var barHeight = Math.Min(26, (box.H - 40) / runs.Count);
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var y = box.Y + (i * (barHeight + 8));
            Text(svg, box.X - 8, y + (barHeight / 2) + 4, Compact(run.LeftRowsRead), 11, "end", "bold");
            var x = box.X + 70;
            var width = box.W - 150;
            var split = StageGroups.Split(run);
            var total = Math.Max(split.Sum(s => s.Seconds), 1e-9);
            for (var g = 0; g < split.Count; g++)
            {
                var w = split[g].Seconds / total * width;
                svg.Append(Invariant($"<rect x=\"{x:0.##}\" y=\"{y:0.#}\" width=\"{w:0.##}\" height=\"{barHeight:0.#}\" fill=\"{Palette[g % Palette.Length]}\"><title>{Escape(split[g].Group)}: {Seconds(split[g].Seconds)}</title></rect>\n"));
                if (w > 34)
                {
                    Text(svg, x + (w / 2), y + (barHeight / 2) + 4, Invariant($"{split[g].Seconds / total:P0}"), 10, "middle", fill: "#ffffff");
                }

                x += w;
            }

            Text(svg, box.X + 70 + width + 8, y + (barHeight / 2) + 4, Seconds(run.WallSeconds), 11, "start");
        }

        var legendY = box.Y + (runs.Count * (barHeight + 8)) + 14;
        var lx = box.X - 56;
        for (var g = 0; g < groups.Count; g++)
        {
            var itemWidth = (groups[g].Length * 6.2) + 26;
            if (lx + itemWidth > Width - 10)
            {
                lx = box.X - 56;
                legendY += 18;
            }

            svg.Append(Invariant($"<rect x=\"{lx:0.#}\" y=\"{legendY - 9:0.#}\" width=\"12\" height=\"12\" fill=\"{Palette[g % Palette.Length]}\"/>\n"));
            Text(svg, lx + 16, legendY + 1, groups[g], 11, "start");
            lx += itemWidth;
        }

        return legendY + 6;
    }

    /// <summary>
    /// For the sizes measured with <c>--left-share</c>: a bar of the run's seconds, split into what it pays whatever its
    /// left rows and what its left rows add, against what the rows-per-minute target allows that size (a minute per
    /// million left rows, times the cores the run kept busy when the seconds are CPU seconds).
    /// </summary>
    /// <returns>The bottom of the panel, or <paramref name="top"/> when no size was split.</returns>
    private static double Costs(StringBuilder svg, double top, List<BenchRun> runs)
    {
        var split = runs.Where(r => r.CostSplit is not null).ToList();
        if (split.Count == 0)
        {
            return top - 40;
        }

        Text(svg, 24, top, "what a run pays whatever its left rows, and what its left rows add (--left-share), against the target", 13, "start", "bold");
        const double Left = 150, Right = 230;
        var width = Width - Left - Right;
        var y = top + 16;
        foreach (var run in split)
        {
            var cost = run.CostSplit!;
            var cpu = cost.Measure == "cpu";
            var unit = cpu ? "CPU-s" : "s";
            var total = cost.Whole.Seconds;
            var fixedPart = Math.Clamp(cost.Whole.FixedSeconds, 0, total);
            var budget = run.LeftRowsRead / TargetRowsPerMinute * 60 * (cpu ? total / run.WallSeconds : 1);
            var scale = width / Math.Max(total, budget) * 0.95;
            Text(svg, Left - 10, y + 15, Invariant($"{Compact(run.LeftRowsRead)} rows"), 11, "end", "bold");
            svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{y:0.#}\" width=\"{fixedPart * scale:0.##}\" height=\"22\" fill=\"{Palette[0]}\"><title>fixed: {fixedPart:0.0} {unit}</title></rect>\n"));
            svg.Append(Invariant($"<rect x=\"{Left + (fixedPart * scale):0.##}\" y=\"{y:0.#}\" width=\"{(total - fixedPart) * scale:0.##}\" height=\"22\" fill=\"{Palette[1]}\"><title>left rows: {total - fixedPart:0.0} {unit}</title></rect>\n"));
            if (fixedPart * scale > 60)
            {
                Text(svg, Left + (fixedPart * scale / 2), y + 15, Invariant($"fixed {fixedPart:0.0} {unit}"), 10, "middle", fill: "#ffffff");
            }

            if ((total - fixedPart) * scale > 60)
            {
                Text(svg, Left + ((fixedPart + ((total - fixedPart) / 2)) * scale), y + 15, Invariant($"left rows {total - fixedPart:0.0} {unit}"), 10, "middle", fill: "#ffffff");
            }

            Line(svg, Left + (budget * scale), y - 4, Left + (budget * scale), y + 26, "#d1242f", "4 3");
            Text(svg, Left + width + 10, y + 9, Invariant($"{total:0.0} {unit} in all"), 11, "start");
            Text(svg, Left + width + 10, y + 22, Invariant($"target: {budget:0.0} {unit}"), 11, "start", fill: "#d1242f");
            y += 36;
        }

        Legend(svg, 24, y + 8, "#d1242f", "4 3", Invariant($"what 1,000,000 left rows a minute allows a run of that size{(split.All(r => r.CostSplit!.Measure == "cpu") ? " (CPU seconds: at the cores the run kept busy)" : "")}"));
        return y + 8;
    }

    private static void Legend(StringBuilder svg, double x, double y, string color, string dash, string label)
    {
        Line(svg, x, y - 4, x + 24, y - 4, color, dash);
        Text(svg, x + 30, y, label, 11, "start", fill: "#57606a");
    }

    private static void Line(StringBuilder svg, double x1, double y1, double x2, double y2, string color, string dash) =>
        svg.Append(Invariant($"<line x1=\"{x1:0.#}\" y1=\"{y1:0.#}\" x2=\"{x2:0.#}\" y2=\"{y2:0.#}\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-dasharray=\"{dash}\"/>\n"));

    private static void Text(StringBuilder svg, double x, double y, string text, double size, string anchor, string weight = "normal", string fill = "#24292f") =>
        svg.Append(Invariant($"<text x=\"{x:0.#}\" y=\"{y:0.#}\" font-size=\"{size}\" text-anchor=\"{anchor}\" font-weight=\"{weight}\" fill=\"{fill}\">{Escape(text)}</text>\n"));

    /// <summary>Whole powers of ten around the values, at least one decade apart.</summary>
    private static (double Low, double High) Decades(double min, double max)
    {
        var low = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(min, 1e-9))));
        var high = Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(max, 1e-9))));
        return high <= low ? (low, low * 10) : (low, high);
    }

    /// <summary>1, 2 and 5 of each decade when the axis spans few decades, else the decades alone.</summary>
    private static IEnumerable<double> Ticks(double low, double high)
    {
        var decades = (int)Math.Round(Math.Log10(high / low));
        var steps = decades <= 2 ? new[] { 1.0, 2, 5 } : [1.0];
        for (var d = low; d <= high * 1.0001; d *= 10)
        {
            foreach (var s in steps.Where(s => d * s <= high * 1.0001))
            {
                yield return d * s;
            }
        }
    }

    internal static string Compact(double value) => value switch
    {
        >= 1e6 => Invariant($"{value / 1e6:0.##}M"),
        >= 1e3 => Invariant($"{value / 1e3:0.##}k"),
        >= 1 => Invariant($"{value:0.##}"),
        _ => Invariant($"{value:0.###}"),
    };

    internal static string Seconds(double seconds) => seconds >= 120 ? Invariant($"{seconds / 60:0.0} min") : Invariant($"{seconds:0.0} s");

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
