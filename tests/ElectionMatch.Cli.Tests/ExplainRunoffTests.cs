namespace ElectionMatch.Tests;

/// <summary>`explain` says when a runoff was searched on another date, and when a discovered runoff is not in the snapshot.</summary>
public sealed class ExplainRunoffTests : IClassFixture<RunoffCandidacyRun>
{
    private readonly RunoffCandidacyRun _run;

    public ExplainRunoffTests(RunoffCandidacyRun run)
    {
        _run = run;
    }

    [Fact]
    public void A_runoff_found_by_the_date_fallback_says_which_date_was_searched()
    {
        var explain = _run.Cli("explain", RunoffCandidacyRun.Match, RunoffCandidacyRun.FallbackId);

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Contains(
            "gpc-002164 runoff 2024-06-20: Terrence Mabry (GA)\n  runoff date fallback: no results on 2024-06-20, so the runoff results of 2024-06-18 were searched\n  decision: linked by score",
            explain.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_discovered_runoff_left_unlinked_is_said_to_be_missing_from_the_snapshot()
    {
        var explain = _run.Cli("explain", RunoffCandidacyRun.Match, RunoffCandidacyRun.DiscoveredId);

        Assert.True(explain.ExitCode == 0, explain.Output);
        var lines = explain.Stdout.ReplaceLineEndings("\n").Split('\n');
        var runoff = Array.FindIndex(lines, l => l.StartsWith("gpc-009004 runoff 2024-05-28: Bonnie Waters (TX)", StringComparison.Ordinal));
        Assert.True(runoff >= 0, explain.Stdout);
        Assert.Equal("  discovered runoff: not in the left input; found in the results after the election of 2024-03-05 this candidacy was linked in", lines[runoff + 1]);
        Assert.EndsWith("; not in the snapshot, which holds a discovered runoff only when it is linked", lines[runoff + 2], StringComparison.Ordinal);
    }

    [Fact]
    public void A_discovered_runoff_left_unlinked_says_why_its_best_candidate_was_rejected_as_an_election_row_does()
    {
        var explain = _run.Cli("explain", RunoffCandidacyRun.Match, RunoffCandidacyRun.DiscoveredId);

        Assert.True(explain.ExitCode == 0, explain.Output);
        var lines = explain.Stdout.ReplaceLineEndings("\n").Split('\n');
        var runoff = Array.FindIndex(lines, l => l.StartsWith("gpc-009004 runoff 2024-05-28: ", StringComparison.Ordinal));
        var primary = Array.FindIndex(lines, l => l.StartsWith("gpc-009004 primary 2024-03-05: ", StringComparison.Ordinal));
        Assert.True(runoff >= 0 && primary >= 0, explain.Stdout);
        // Before, "decision: not linked": the reasoning was computed only for the rows the snapshot publishes.
        Assert.Matches(@"^  decision: best candidate .+ rejected by score: match probability 0\.\d{4} \(.+\); not in the snapshot, which holds a discovered runoff only when it is linked$", lines[runoff + 2]);
        // Its candidates with their scores follow, as an election row's do.
        Assert.Matches(@"^    \S.* weight -?\d", lines[runoff + 3]);
        Assert.DoesNotContain("  decision: not linked", explain.Stdout, StringComparison.Ordinal);
    }
}
