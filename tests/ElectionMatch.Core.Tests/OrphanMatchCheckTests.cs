using ElectionMatch.Checks;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests;

/// <summary>
/// A match renamed or removed in electionmatch.yml leaves its snapshots in the project: check and verify go on
/// checking them as a defined match's, and say once (EM0113) that no command maintains them any more.
/// </summary>
public sealed class OrphanMatchCheckTests(GenerateOperationTests.RunOf20260101 runOf20260101) : IClassFixture<GenerateOperationTests.RunOf20260101>
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Snapshot = Match + "_20260101";
    private const string SourcesYaml = "models/staging/__sources.yaml";
    private const string Staging = $"models/staging/model_predictions_source/stg_model_predictions__{Snapshot}.sql";
    private const string Manifest = $"electionmatch/manifests/{Snapshot}.json";

    private static ProjectContext Load(FixtureCopy fixture) => ProjectContext.Load(new ProjectOptions(fixture.Directory));

    /// <summary>The run's project with the match renamed in electionmatch.yml, as the defect report did it.</summary>
    private FixtureCopy Renamed()
    {
        var fixture = runOf20260101.Copy();
        fixture.Replace("electionmatch.yml", $"\n  {Match}:\n", "\n  candidacy_ddhq:\n");
        return fixture;
    }

    private static int LineOf(FixtureCopy fixture, string relative, string text) =>
        Array.FindIndex(fixture.Read(relative).Split('\n'), l => l.Contains(text, StringComparison.Ordinal)) + 1;

    [Fact]
    public void Check_reports_the_missing_table_of_a_renamed_matchs_snapshot_and_check_and_verify_name_the_match()
    {
        using var fixture = Renamed();
        File.Delete(fixture.WarehousePath);
        File.Delete(fixture.PathOf(Manifest));

        var check = new CheckOperation(Load(fixture)).Execute();
        var verify = new VerifyOperation(Load(fixture)).Execute();

        // Before, both passed without a word: they looked only at the matches electionmatch.yml defines.
        var missing = Assert.Single(check, d => d.Code == Codes.SnapshotTableMissing && d.Message.Contains(Snapshot, StringComparison.Ordinal));
        var entryLine = LineOf(fixture, SourcesYaml, $"- name: {Snapshot}");
        Assert.Equal((Path.GetFullPath(fixture.PathOf(SourcesYaml)), entryLine), (Path.GetFullPath(missing.File), missing.Line));
        foreach (var diagnostics in new[] { check, verify })
        {
            var orphan = Assert.Single(diagnostics, d => d.Code == Codes.MatchNotConfigured);
            Assert.Equal(Severity.Warning, orphan.Severity);
            Assert.Equal((Path.GetFullPath(fixture.PathOf(SourcesYaml)), entryLine), (Path.GetFullPath(orphan.File), orphan.Line));
            Assert.Contains($"match '{Match}' is not in electionmatch.yml", orphan.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Check_and_verify_report_a_hand_edit_and_a_missing_manifest_of_a_renamed_matchs_snapshot()
    {
        using var fixture = Renamed();
        File.Delete(fixture.PathOf(Manifest));
        fixture.Replace(Staging, "            embedding_text,\n", "            embedding_text as my_text,\n");

        var check = new CheckOperation(Load(fixture)).Execute();
        var verify = new VerifyOperation(Load(fixture)).Execute();

        var edited = Assert.Single(check, d => d.Code == Codes.GeneratedFileEdited);
        Assert.Equal((Path.GetFullPath(fixture.PathOf(Staging)), LineOf(fixture, Staging, "as my_text")), (Path.GetFullPath(edited.File), edited.Line));
        foreach (var diagnostics in new[] { check, verify })
        {
            var manifest = Assert.Single(diagnostics, d => d.Code == Codes.ManifestMissing);
            Assert.Contains(Snapshot, manifest.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Check_of_a_renamed_match_whose_files_are_whole_only_warns_that_the_match_is_not_defined()
    {
        using var fixture = Renamed();

        var check = new CheckOperation(Load(fixture)).Execute();

        Assert.DoesNotContain(check, d => d.IsError);
        // The kind of the match is told by its snapshot's columns, so its generated YAML is not called out of date.
        Assert.DoesNotContain(check, d => d.Code == Codes.GeneratedFileStale);
        Assert.Single(check, d => d.Code == Codes.MatchNotConfigured);
    }

    [Fact]
    public void Check_finds_a_removed_matchs_staging_model_left_behind_without_its_sources_entry()
    {
        using var fixture = Renamed();
        // The match's entries removed from the sources YAML, its staging files and manifest left behind.
        var sources = fixture.Read(SourcesYaml);
        var entry = sources.IndexOf($"      - name: {Snapshot}\n", StringComparison.Ordinal);
        var next = sources.IndexOf("      - name: ", entry + 1, StringComparison.Ordinal);
        fixture.Write(SourcesYaml, sources[..entry] + (next < 0 ? "" : sources[next..]));

        var check = new CheckOperation(Load(fixture)).Execute();

        var orphan = Assert.Single(check, d => d.Code == Codes.MatchNotConfigured);
        Assert.Equal(1, orphan.Line);
        var leftBehind = Assert.Single(check, d => d.Code == Codes.SourceEntryMissing && d.File.EndsWith(Snapshot + ".sql", StringComparison.Ordinal));
        Assert.True(leftBehind.IsError);
    }
}
