using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// `explain` tells a quarantined id, an id the temporal filter removed and an id that does not exist apart. Every test
/// only reads the collection's run.
/// </summary>
[Collection(QuarantinedCandidacyCollection.Name)]
public sealed class ExplainLeftIdTests
{
    private const string Match = QuarantinedCandidacyRun.Match;
    private readonly QuarantinedCandidacyRun _run;

    public ExplainLeftIdTests(QuarantinedCandidacyRun run)
    {
        _run = run;
    }

    [Fact]
    public void An_id_in_neither_the_left_input_nor_the_quarantine_is_an_error_with_the_nearest_id()
    {
        var explain = _run.Cli("explain", Match, "gpc-00162");

        Assert.Equal(1, explain.ExitCode);
        Assert.Equal("", explain.Stdout);
        var error = Assert.Single(explain.Stderr.Split('\n'), l => l.Contains(": error EM", StringComparison.Ordinal));
        Assert.Contains("goodparty.duckdb: error EM0111: 'gpc-00162' is not a gp_candidacy_id of the latest run of 'candidacy_ddhq_matches'", error, StringComparison.Ordinal);
        Assert.EndsWith("; did you mean 'gpc-001623'?", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_in_other_letter_case_is_suggested_the_id_it_spells()
    {
        var explain = _run.Cli("explain", Match, "GPC-001623");

        Assert.Equal(1, explain.ExitCode);
        Assert.Contains("error EM0111: 'GPC-001623' is not a gp_candidacy_id", explain.Stderr, StringComparison.Ordinal);
        Assert.Contains("; did you mean 'gpc-001623'?", explain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_with_a_carriage_return_is_shown_with_it_escaped_and_one_at_its_end_is_read_without_it()
    {
        // A CR inside the id: printed as is, it sent the cursor back over the line.
        var explain = _run.Cli("explain", Match, "gpc-00\r1623");

        Assert.Equal(1, explain.ExitCode);
        Assert.Contains("error EM0111: 'gpc-00\\r1623' is not a gp_candidacy_id", explain.Stderr, StringComparison.Ordinal);
        Assert.Contains("; did you mean 'gpc-001623'?", explain.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', explain.Stderr);

        // Pasted from a CRLF file: a run reads an id without a CR at its end (IdText.EndCharacters), and so does explain.
        var pasted = _run.Cli("explain", Match, "gpc-001623\r");
        Assert.True(pasted.ExitCode == 0, pasted.Output);
        Assert.Contains("gpc-001623", pasted.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_id_is_a_usage_error()
    {
        var explain = _run.Cli("explain", Match, " ");

        Assert.Equal(1, explain.ExitCode);
        Assert.Contains("error EM0044: explain needs a left id (for example a gp_candidacy_id); the one given is empty", explain.Stderr, StringComparison.Ordinal);
        // The district match's left id is a position's (before, its example was a candidacy's).
        var positions = _run.Cli("explain", "llm_l2_br_match", "");
        Assert.Equal(1, positions.ExitCode);
        Assert.Contains("error EM0044: explain needs a left id (for example a br_database_id); the one given is empty", positions.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_far_from_every_id_is_an_error_without_a_suggestion()
    {
        var explain = _run.Cli("explain", Match, "no-such-id");

        Assert.Equal(1, explain.ExitCode);
        Assert.Contains("error EM0111: 'no-such-id' is not a gp_candidacy_id", explain.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("did you mean", explain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quarantined_id_is_named_with_its_code()
    {
        var explain = _run.Cli("explain", Match, QuarantinedCandidacyRun.QuarantinedId);

        Assert.True(explain.ExitCode == 0, explain.Output);
        // The message ends with the row's file and the line it is on (a rejected line before it: not row 5 + 1).
        var line = Array.FindIndex(File.ReadAllLines(_run.Project.PathOf("data/airbyte/hubspot_candidacy.csv")), l => l.StartsWith(QuarantinedCandidacyRun.QuarantinedId + ",", StringComparison.Ordinal)) + 1;
        var expected = System.Text.RegularExpressions.Regex.Escape($"\n{QuarantinedCandidacyRun.QuarantinedId} quarantined: EMQ003 the name has no Latin letter, or cannot be parsed into first and last name: column last_name = '--' has no Latin letter (a-z once accents are removed), which names are compared by (")
            + $@"[^()]*data/airbyte/hubspot_candidacy\.csv line {line}\) \(left input row 5;";
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(explain.Stdout, expected), explain.Stdout);
    }

    [Fact]
    public void Candidates_0_shows_no_pair_and_does_not_say_none_was_scored()
    {
        // Before, "no candidate pair was scored" followed a decision linked by score.
        var linked = _run.Cli("explain", Match, "gpc-000132", "--candidates", "0");
        var shown = _run.Cli("explain", Match, "gpc-000132", "--candidates", "1");

        Assert.True(linked.ExitCode == 0, linked.Output);
        Assert.Contains("  decision: linked by score", linked.Stdout, StringComparison.Ordinal);
        Assert.Contains("  candidate pairs not shown (--candidates 0)", linked.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("no candidate pair was scored", linked.Stdout, StringComparison.Ordinal);
        Assert.Contains("  * ", shown.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_whose_csv_line_is_not_utf8_is_named_with_its_code()
    {
        // DuckDB's reader rejects the whole line, so no column of it was parsed; before, explain said the id was in
        // neither the left input nor its quarantine (EM0111).
        var explain = _run.Cli("explain", Match, QuarantinedCandidacyRun.NotUtf8Id);

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Contains($"\n{QuarantinedCandidacyRun.NotUtf8Id} quarantined: EMQ008 the CSV line is not valid UTF-8: ", explain.Stdout, StringComparison.Ordinal);
        Assert.Contains("data/airbyte/hubspot_candidacy.csv line 8: ", explain.Stdout, StringComparison.Ordinal);
        Assert.Contains("(left input row 300; the snapshot's __quarantine table holds it)", explain.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_decision_is_the_reasoning_the_snapshot_published()
    {
        string published;
        using (var warehouse = DuckDbWarehouse.Open(_run.Project.WarehousePath, readOnly: true))
        {
            published = warehouse.Scalar<string>($"select llm_reasoning from model_predictions.{QuarantinedCandidacyRun.Snapshot} where gp_candidacy_id = 'gpc-000223' and hubspot_election_type = 'primary'")!;
        }

        var explain = _run.Cli("explain", Match, "gpc-000223");

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.StartsWith("best candidate ALLISON WRIGHT rejected by score", published, StringComparison.Ordinal);
        Assert.Contains("\n  decision: " + published + "\n", explain.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_election_the_temporal_filter_removed_is_listed_beside_the_kept_ones()
    {
        var explain = _run.Cli("explain", Match, "gpc-002132");

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Contains("gpc-002132 primary 2024-03-12: removed by the temporal filter: no results on that date in CA; not in the snapshot\n", explain.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("gpc-002132 general 2024-11-05: Nadia Kessler (CA)\n", explain.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_id_whose_elections_the_temporal_filter_removed_says_so()
    {
        string filtered;
        using (var warehouse = DuckDbWarehouse.Open(_run.Project.WarehousePath, readOnly: true))
        {
            filtered = warehouse.Scalar<string>("""
                select min(left_id) from em_run_candidacy_ddhq_matches.left_expanded
                where left_id not in (select left_id from em_run_candidacy_ddhq_matches.left_keyed)
                """)!;
        }

        var explain = _run.Cli("explain", Match, filtered);

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Contains($"\n{filtered} is in the left input but has no election row in the run: the temporal filter removed every election of it", explain.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
