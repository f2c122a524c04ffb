using ElectionMatch.Checks;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests;

/// <summary>
/// A file that compares two snapshots of a match, or a line marked <c>{# electionmatch: pinned #}</c>, keeps its dated
/// references: <c>generate --rewrite-refs</c> would turn a comparison into a self-join that returns nothing, and check
/// must not warn of what cannot be moved (EM0300 fails CI).
/// </summary>
public sealed class PinnedReferenceTests : IDisposable
{
    private const string Old = "stg_model_predictions__candidacy_ddhq_matches_20251016";
    private const string New = "stg_model_predictions__candidacy_ddhq_matches_20251112";
    private const string Stable = "stg_model_predictions__candidacy_ddhq_matches";

    private static readonly string Diff = string.Join('\n',
        "select o.gp_candidacy_id, o.ddhq_candidate_id as old_id, n.ddhq_candidate_id as new_id",
        $"from {{{{ ref('{Old}') }}}} o",
        $"join {{{{ ref('{New}') }}}} n using (gp_candidacy_id)",
        "where o.ddhq_candidate_id is distinct from n.ddhq_candidate_id",
        "");

    // Two tests of one model, each against another snapshot: a comparison in YAML.
    private static readonly string ComparingYaml = string.Join('\n',
        "version: 2",
        "models:",
        "  - name: m_general__candidacy_result",
        "    columns:",
        "      - name: gp_candidacy_id",
        "        data_tests:",
        "          - relationships:",
        $"              arguments: {{to: ref('{Old}'), field: gp_candidacy_id}}",
        "          - relationships:",
        $"              arguments: {{to: ref('{New}'), field: gp_candidacy_id}}",
        "");

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private ProjectContext Load() => ProjectContext.Load(new ProjectOptions(_fixture.Directory));

    private IEnumerable<(string Code, int Line, int Column)> Findings(IEnumerable<Diagnostic> diagnostics, string file) =>
        diagnostics.Where(d => Path.GetFullPath(d.File) == Path.GetFullPath(_fixture.PathOf(file))).Select(d => (d.Code, d.Line, d.Column)).Order();

    [Fact]
    public void Rewrite_refs_leaves_a_comparison_of_two_snapshots_as_written_and_says_where_and_why()
    {
        _fixture.Write("models/marts/general/diff.sql", Diff);
        _fixture.Write("models/marts/general/_compare.yml", ComparingYaml);
        _fixture.Write("models/marts/general/single.sql", $"select * from {{{{ ref('{Old}') }}}}\n");

        var generate = new GenerateOperation(Load()).Execute(rewriteReferences: true);

        Assert.Equal(Diff, _fixture.Read("models/marts/general/diff.sql"));
        Assert.Equal(ComparingYaml, _fixture.Read("models/marts/general/_compare.yml"));
        Assert.Equal([(Codes.ReferenceLeftPinned, 2, 9), (Codes.ReferenceLeftPinned, 3, 9)], Findings(generate.Diagnostics, "models/marts/general/diff.sql"));
        Assert.Equal([(Codes.ReferenceLeftPinned, 8, 31), (Codes.ReferenceLeftPinned, 10, 31)], Findings(generate.Diagnostics, "models/marts/general/_compare.yml"));
        var warning = generate.Diagnostics.First(d => d.Code == Codes.ReferenceLeftPinned);
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Contains("compares snapshots candidacy_ddhq_matches_20251016 and candidacy_ddhq_matches_20251112", warning.Message, StringComparison.Ordinal);
        // A file that reads one snapshot is still moved to the stable model.
        Assert.Equal($"select * from {{{{ ref('{Stable}') }}}}\n", _fixture.Read("models/marts/general/single.sql"));
        Assert.DoesNotContain(generate.Rewrites, r => r.File.EndsWith("diff.sql", StringComparison.Ordinal) || r.File.EndsWith("_compare.yml", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_gives_a_comparison_neither_EM0300_nor_EM0106_and_a_single_reference_both()
    {
        _fixture.Write("models/marts/general/diff.sql", Diff);
        _fixture.Write("models/marts/general/_compare.yml", ComparingYaml);
        // The newest against the stable model compares too: on the stable model both sides are one snapshot.
        _fixture.Write("models/marts/general/against_stable.sql", $"select * from {{{{ ref('{Stable}') }}}}\nexcept select * from {{{{ ref('{New}') }}}}\n");
        _fixture.Write("models/marts/general/single.sql", $"select * from {{{{ ref('{Old}') }}}}\n");

        var check = new CheckOperation(Load()).Execute();

        Assert.Empty(Findings(check, "models/marts/general/diff.sql"));
        Assert.Empty(Findings(check, "models/marts/general/_compare.yml"));
        Assert.Empty(Findings(check, "models/marts/general/against_stable.sql"));
        Assert.Equal([(Codes.ReferenceToSupersededSnapshot, 1, 18), (Codes.ReferenceToDatedStagingModel, 1, 18)], Findings(check, "models/marts/general/single.sql"));
    }

    [Fact]
    public void A_line_marked_pinned_is_neither_rewritten_nor_warned_of_but_a_missing_snapshot_still_fails_check()
    {
        var sql = string.Join('\n',
            $"select * from {{{{ ref('{Old}') }}}} {{# electionmatch: pinned #}}",
            $"union all select * from {{{{ ref('{Old}') }}}}",
            "");
        // Alone in its file: with the line above it would be a comparison.
        var missing = "select * from {{ ref('stg_model_predictions__candidacy_ddhq_matches_20990101') }} {#- electionmatch: pinned -#}\n";
        var yaml = ComparingYaml
            .Replace($"{{to: ref('{New}'), field: gp_candidacy_id}}", $"{{to: ref('{Old}'), field: gp_candidacy_id}}", StringComparison.Ordinal)
            .Replace($"field: gp_candidacy_id}}\n          - relationships", "field: gp_candidacy_id}  # electionmatch: pinned, the October extract\n          - relationships", StringComparison.Ordinal);
        _fixture.Write("models/marts/general/pinned.sql", sql);
        _fixture.Write("models/marts/general/_pinned.yml", yaml);
        _fixture.Write("models/marts/general/pinned_missing.sql", missing);

        var check = new CheckOperation(Load()).Execute();
        var generate = new GenerateOperation(Load()).Execute(rewriteReferences: true);

        Assert.Equal([(Codes.ReferenceToSupersededSnapshot, 2, 28), (Codes.ReferenceToDatedStagingModel, 2, 28)], Findings(check, "models/marts/general/pinned.sql"));
        Assert.Equal([(Codes.ReferenceToMissingSnapshot, 1, 18)], Findings(check, "models/marts/general/pinned_missing.sql"));
        Assert.Equal([(Codes.ReferenceToSupersededSnapshot, 10, 31), (Codes.ReferenceToDatedStagingModel, 10, 31)], Findings(check, "models/marts/general/_pinned.yml"));
        Assert.Equal(sql.Replace($"union all select * from {{{{ ref('{Old}') }}}}", $"union all select * from {{{{ ref('{Stable}') }}}}", StringComparison.Ordinal), _fixture.Read("models/marts/general/pinned.sql"));
        Assert.Equal(["models/marts/general/_pinned.yml:10", "models/marts/general/pinned.sql:2"],
            generate.Rewrites.Where(r => r.File.Contains("pinned", StringComparison.Ordinal)).Select(r => $"{Path.GetRelativePath(_fixture.Directory, r.File).Replace('\\', '/')}:{r.Line}").Order(StringComparer.Ordinal));
        Assert.Empty(Findings(generate.Diagnostics, "models/marts/general/pinned.sql"));
        Assert.Equal([(Codes.ReferenceToMissingSnapshot, 1, 18)], Findings(generate.Diagnostics, "models/marts/general/pinned_missing.sql"));
        Assert.Equal(missing, _fixture.Read("models/marts/general/pinned_missing.sql"));
        Assert.Empty(Findings(generate.Diagnostics, "models/marts/general/_pinned.yml"));
    }

    [Theory]
    [InlineData($"\"ref(\\\"{Old}\\\")\"", $"\"ref(\\\"{Stable}\\\")\"")]
    [InlineData($"'ref(''{Old}'')'", $"'ref(''{Stable}'')'")]
    [InlineData($"\"ref('{Old}')\"", $"\"ref('{Stable}')\"")]
    public void A_yaml_ref_with_escaped_quotes_is_checked_and_rewritten_as_dbt_reads_it(string written, string rewritten)
    {
        var yaml = string.Join('\n',
            "version: 2",
            "models:",
            "  - name: m_general__candidacy_result",
            "    columns:",
            "      - name: gp_candidacy_id",
            "        data_tests:",
            "          - relationships:",
            "              arguments:",
            $"                to: {written}",
            "                field: gp_candidacy_id",
            "");
        _fixture.Write("models/marts/general/_escaped.yml", yaml);

        var check = new CheckOperation(Load()).Execute();
        var generate = new GenerateOperation(Load()).Execute(rewriteReferences: true);

        Assert.Equal([(Codes.ReferenceToSupersededSnapshot, 9, 22), (Codes.ReferenceToDatedStagingModel, 9, 22)], Findings(check, "models/marts/general/_escaped.yml"));
        Assert.Equal(yaml.Replace(written, rewritten, StringComparison.Ordinal), _fixture.Read("models/marts/general/_escaped.yml"));
        Assert.Single(generate.Rewrites, r => r.File.EndsWith("_escaped.yml", StringComparison.Ordinal) && r.Line == 9);
    }
}
