using System.Globalization;
using System.Text.RegularExpressions;

namespace ElectionMatch.Tests;

/// <summary>
/// `explain` on the L2 → BallotReady match: a position's published row and its candidate districts with their weights
/// per field, the judge's answer, a quarantined position and an unknown id; before, every id was EM0302.
/// </summary>
public sealed class ExplainPositionTests : IClassFixture<ExplainPositionTests.PositionRuns>
{
    private const string Match = "llm_l2_br_match";
    private readonly PositionRuns _runs;

    public ExplainPositionTests(PositionRuns runs)
    {
        _runs = runs;
    }

    [Fact]
    public void A_linked_position_shows_what_was_published_and_its_candidates_ranked_with_their_weights_per_field()
    {
        var explain = _runs.Cli("explain", Match, "170800", "--candidates", "2");

        Assert.True(explain.ExitCode == 0, explain.Output);
        var lines = explain.Stdout.Split('\n');
        Assert.Equal("snapshot model_predictions.llm_l2_br_match_20260102 (2026-01-02), from the stages of the run that published it", lines[0]);
        Assert.Equal("170800: St. Louis Board of Aldermen - Ward 8 (MO)", lines[1]);
        Assert.Equal("  published: ST LOUIS CITY WARD 08 [1733] City_Ward, confidence 100, decided by score", lines[2]);
        Assert.StartsWith("  decision: linked by score: candidate 1 (ST LOUIS CITY WARD 08)", lines[3], StringComparison.Ordinal);

        // Two pairs, best first, the linked one starred, each with its number in the list and a waterfall whose running
        // total ends at the pair's weight.
        var pairs = lines.Select((l, i) => (Line: l, At: i)).Where(p => Regex.IsMatch(p.Line, @"^  [* ] \d+\. ")).ToList();
        Assert.Equal(2, pairs.Count);
        Assert.StartsWith("  * 1. ST LOUIS CITY WARD 08 [1733] City_Ward: weight ", pairs[0].Line, StringComparison.Ordinal);
        Assert.Matches(@"^    \d+\. .+ \[\d+\] \w+: weight ", pairs[1].Line);
        Assert.Contains(", found by top_k, similarity 0.", pairs[0].Line, StringComparison.Ordinal);
        foreach (var (line, at) in pairs)
        {
            var weight = Number(Regex.Match(line, @"weight ([+-]\d+\.\d\d)").Groups[1].Value);
            var steps = lines.Skip(at + 1).TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal)).ToList();
            Assert.Equal(["prior", "office", "place", "at_large", "level"], steps.Select(s => s.Trim().Split(' ')[0]));
            Assert.Equal(weight, Number(steps[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[^2]), 2);
        }

        Assert.True(Number(Regex.Match(pairs[0].Line, @"weight ([+-]\d+\.\d\d)").Groups[1].Value) >= Number(Regex.Match(pairs[1].Line, @"weight ([+-]\d+\.\d\d)").Groups[1].Value));
    }

    [Fact]
    public void A_position_the_judge_decided_shows_its_verdict()
    {
        var explain = _runs.Cli("explain", Match, PositionRuns.JudgedId);

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Contains($"\n{PositionRuns.JudgedId}: City Council - District 2 (CA)\n  published: no district, confidence 50, decided by judge\n  decision: judge: unsure: the position's name names no place", explain.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n  judge \([^)]+\): candidate 0 \(no district fits\) at confidence 50: unsure: the position's name names no place", explain.Stdout);
        Assert.Matches(@"\n    1\. OAKLAND CITY CNCL 02 \[1093\] City_Council_Commissioner_District: weight ", explain.Stdout);
    }

    [Fact]
    public void A_quarantined_position_is_named_with_its_code()
    {
        var explain = _runs.Cli("explain", Match, PositionRuns.QuarantinedId);

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Matches($@"\n{PositionRuns.QuarantinedId} quarantined: EMQ300 the position name, or the district name or type, is empty: column name = empty \([^()]*data/airbyte/ballotready_positions\.csv line \d+\) \(left input row \d+; the snapshot's __quarantine table holds it\)\n", explain.Stdout);
        Assert.DoesNotContain("published:", explain.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_id_is_EM0111_with_the_nearest_id()
    {
        var explain = _runs.Cli("explain", Match, "14150");

        Assert.Equal(1, explain.ExitCode);
        Assert.Equal("", explain.Stdout);
        Assert.Contains("error EM0111: '14150' is not a br_database_id of the latest run of 'llm_l2_br_match': neither its left input (", explain.Stderr, StringComparison.Ordinal);
        Assert.Contains("; did you mean '141500'?", explain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_earlier_snapshot_is_explained_from_its_published_row_with_the_pair_it_shows()
    {
        var explain = _runs.Cli("explain", Match, PositionRuns.JudgedId, "--snapshot-date", "2026-01-01");

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.StartsWith("snapshot model_predictions.llm_l2_br_match_20260101 (2026-01-01), from its published rows alone: the candidate pairs are not shown, since the stages in em_run_llm_l2_br_match are of the run that published llm_l2_br_match_20260102", explain.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\n{PositionRuns.JudgedId}: City Council - District 2 (CA)\n  published: no district, confidence 50, decided by judge\n", explain.Stdout, StringComparison.Ordinal);
        Assert.Contains("\n  the pair the snapshot shows (its match_explanation):\n    1. OAKLAND CITY CNCL 02 City_Council_Commissioner_District: weight ", explain.Stdout, StringComparison.Ordinal);
        // The published explanation's counts (candidate_number, candidates) are no bars of the waterfall.
        Assert.DoesNotContain("candidate_number", explain.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n      prior +[+-]\d", explain.Stdout);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>
    /// Two published runs of the match on a copy of the fixture as committed, with a position only the judge can decide
    /// and one with an empty name (EMQ300): the first run's snapshot, and the second's, whose stages the run schema holds.
    /// </summary>
    public sealed class PositionRuns : IDisposable
    {
        public const string JudgedId = "900011";
        public const string QuarantinedId = "900020";

        public PositionRuns()
        {
            File.AppendAllText(Project.PathOf("data/airbyte/ballotready_positions.csv"),
                $"{JudgedId},x,City Council - District 2,CA,city,City Legislature,District,2,3\n{QuarantinedId},x,,CA,city,City Legislature,District,2,4\n");
            foreach (var date in new[] { "2026-01-01", "2026-01-02" })
            {
                var run = Cli("run", Match, "--snapshot-date", date);
                Assert.True(run.ExitCode == 0, run.Output);
            }
        }

        public FixtureCopy Project { get; } = FixtureCopy.Of("goodparty");

        internal CliProcess.Result Cli(string command, params string[] args) =>
            CliProcess.Run([command, .. args, "--project-dir", Project.Directory]);

        public void Dispose() => Project.Dispose();
    }
}
