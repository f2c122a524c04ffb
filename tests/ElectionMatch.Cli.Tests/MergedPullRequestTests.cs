using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>
/// A team's dbt repository in git: two pull requests that each publish a snapshot both change the sources YAML (and the
/// stable model), so merging the second leaves git's conflict markers in them. docs/ci.md, "Merging pull requests that
/// publish snapshots".
/// </summary>
public sealed class MergedPullRequestTests : IDisposable
{
    private const string SourcesYaml = "models/staging/__sources.yaml";

    private readonly FixtureCopy _project = FixtureCopy.Of("goodparty");

    public void Dispose() => _project.Dispose();

    private (int ExitCode, string Output) Git(string arguments) => new GitRepository(_project.Directory).Git(arguments);

    private void Commit(string message) => new GitRepository(_project.Directory).Commit(message);

    private void AddHandLoadedSnapshot(string date) =>
        File.AppendAllText(_project.PathOf(SourcesYaml),
            $"      - name: candidacy_ddhq_matches_{date}\n        meta:\n          external_location: \"data/model_predictions/candidacy_ddhq_matches_20251112.csv\"\n");

    [Fact]
    public void Check_says_a_merge_left_conflict_markers_in_the_sources_yaml_at_the_first_marker()
    {
        Assert.Equal(0, Git("init -q -b main").ExitCode);
        Commit("base");
        Assert.Equal(0, Git("checkout -q -b a").ExitCode);
        AddHandLoadedSnapshot("20251201");
        Commit("a");
        Assert.Equal(0, Git("checkout -q -b b main").ExitCode);
        AddHandLoadedSnapshot("20251202");
        Commit("b");
        Assert.Equal(0, Git("checkout -q main").ExitCode);
        Assert.Equal(0, Git("merge -q a").ExitCode);
        var merge = Git("merge b");
        Assert.NotEqual(0, merge.ExitCode);
        Assert.Contains("CONFLICT", merge.Output, StringComparison.Ordinal);
        var lines = _project.Read(SourcesYaml).Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith("<<<<<<< ", StringComparison.Ordinal)) + 1;
        var end = Array.FindIndex(lines, l => l.StartsWith(">>>>>>> ", StringComparison.Ordinal)) + 1;

        var check = CliProcess.Run("check", "--project-dir", _project.Directory);

        Assert.Equal(1, check.ExitCode);
        // Before: "invalid YAML: a 'key: value' where a value is being read: the key is indented deeper …" at a line
        // inside the conflict, which sent the user looking for an indentation mistake.
        var error = Assert.Single(check.Stderr.Split('\n'), l => l.Contains($": error {Codes.YamlSyntax}:", StringComparison.Ordinal));
        Assert.Contains($"__sources.yaml({start},1): error {Codes.YamlSyntax}: an unresolved merge conflict (git's conflict markers, lines {start}-{end})", error, StringComparison.Ordinal);
        Assert.Contains("keep every snapshot entry the result declares (after a merge, both sides')", error, StringComparison.Ordinal);
        Assert.DoesNotContain("indented", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_says_a_merge_kept_the_manifest_of_a_publication_a_later_replace_replaced_not_that_it_was_edited()
    {
        // One shared warehouse (target/, not committed); two pull requests publish the same date, the second with --replace.
        File.WriteAllText(_project.PathOf(".gitignore"), "target/\n");
        Assert.Equal(0, Git("init -q -b main").ExitCode);
        Commit("base");
        const string Manifest = "electionmatch/manifests/candidacy_ddhq_matches_20261120.json";
        Assert.Equal(0, Git("checkout -q -b a").ExitCode);
        var first = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-11-20", "--project-dir", _project.Directory);
        Assert.True(first.ExitCode == 0, first.Output);
        Commit("a");
        Assert.Equal(0, Git("checkout -q -b b main").ExitCode);
        var second = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-11-20", "--replace", "--project-dir", _project.Directory);
        Assert.True(second.ExitCode == 0, second.Output);
        Commit("b");
        Assert.Equal(0, Git("checkout -q main").ExitCode);
        Assert.Equal(0, Git("merge -q a").ExitCode);
        var merge = Git("merge b");
        Assert.Contains($"CONFLICT (add/add): Merge conflict in {Manifest}", merge.Output, StringComparison.Ordinal);
        // The obvious resolution, and the wrong one here: the side merged first.
        Assert.Equal(0, Git($"checkout --ours -- {Manifest}").ExitCode);
        var runId = System.Text.RegularExpressions.Regex.Match(_project.Read(Manifest), "\"run_id\": \"([0-9a-f]+)\"").Groups[1].Value;

        var verify = CliProcess.Run("verify", "--no-inputs", "--project-dir", _project.Directory);

        Assert.Equal(1, verify.ExitCode);
        var error = Assert.Single(verify.Stderr.Split('\n'), l => l.Contains($": error {Codes.ManifestEdited}:", StringComparison.Ordinal));
        Assert.Contains($"candidacy_ddhq_matches_20261120.json(11,1): error {Codes.ManifestEdited}: this manifest is of an earlier publication of candidacy_ddhq_matches_20261120 (run {runId},", error, StringComparison.Ordinal);
        Assert.Contains("which a later `run --replace` replaced", error, StringComparison.Ordinal);
        Assert.DoesNotContain("was edited", error, StringComparison.Ordinal);
        Assert.Equal(0, Git($"checkout --theirs -- {Manifest}").ExitCode);
        var resolved = CliProcess.Run("verify", "--no-inputs", "--project-dir", _project.Directory);
        Assert.DoesNotContain(Codes.ManifestEdited, resolved.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Alice publishes 2026-11-01 on branch a into her own warehouse (moved to target.alice), Bob 2026-11-02 on branch b
    /// into his (left in target/); both are merged into main, the conflicts resolved as docs/ci.md says.
    /// </summary>
    private (string AliceRun, string BobRun, string AliceWarehouse) MergeTwoTeammatesWithWarehousesOfTheirOwn()
    {
        File.WriteAllText(_project.PathOf(".gitignore"), "target/\n");
        Assert.Equal(0, Git("init -q -b main").ExitCode);
        Commit("base");
        Assert.Equal(0, Git("checkout -q -b a").ExitCode);
        var alice = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-11-01", "--project-dir", _project.Directory);
        Assert.True(alice.ExitCode == 0, alice.Output);
        Commit("a");
        var aliceWarehouse = _project.PathOf("target") + ".alice";
        Directory.Move(_project.PathOf("target"), aliceWarehouse);
        Assert.Equal(0, Git("checkout -q -b b main").ExitCode);
        var bob = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-11-02", "--project-dir", _project.Directory);
        Assert.True(bob.ExitCode == 0, bob.Output);
        Commit("b");
        Assert.Equal(0, Git("checkout -q main").ExitCode);
        Assert.Equal(0, Git("merge -q a").ExitCode);
        Assert.NotEqual(0, Git("merge b").ExitCode);
        // Resolved as docs/ci.md says: both sides' sources entries, the later snapshot's stable model.
        File.WriteAllLines(_project.PathOf(SourcesYaml), File.ReadAllLines(_project.PathOf(SourcesYaml))
            .Where(l => !l.StartsWith("<<<<<<< ", StringComparison.Ordinal) && l != "=======" && !l.StartsWith(">>>>>>> ", StringComparison.Ordinal)));
        Assert.Equal(0, Git("checkout --theirs -- models/staging/model_predictions_source").ExitCode);
        Commit("merge b");
        string RunIdOf(string date) => System.Text.RegularExpressions.Regex.Match(_project.Read($"electionmatch/manifests/candidacy_ddhq_matches_{date}.json"), "\"run_id\": \"([0-9a-f]+)\"").Groups[1].Value;
        var (aliceRun, bobRun) = (RunIdOf("20261101"), RunIdOf("20261102"));
        return (aliceRun, bobRun, aliceWarehouse);
    }

    [Fact]
    public void Verify_says_the_chain_forked_when_two_teammates_each_published_from_their_own_warehouse_and_a_replace_rejoins_it()
    {
        // Each teammate's own warehouse (target/, not committed): neither run knew of the other's, so both manifests name
        // no previous manifest. Before: error EM0606 "broken chain", as if a manifest had been edited or deleted.
        var (aliceRun, bobRun, aliceWarehouse) = MergeTwoTeammatesWithWarehousesOfTheirOwn();

        // In Bob's warehouse (its log has his run, not Alice's): a fork, said as one, a warning.
        var inBobs = CliProcess.Run("verify", "--no-inputs", "--project-dir", _project.Directory);
        Assert.DoesNotContain(Codes.ManifestChainBroken, inBobs.Stderr, StringComparison.Ordinal);
        var fork = Assert.Single(inBobs.Stderr.Split('\n'), l => l.Contains($": warning {Codes.ManifestChainForked}:", StringComparison.Ordinal));
        Assert.Contains("candidacy_ddhq_matches_20261102.json(", fork, StringComparison.Ordinal);
        Assert.Contains($"the chain forked: this manifest of candidacy_ddhq_matches_20261102 (run {bobRun},", fork, StringComparison.Ordinal);
        Assert.Contains($"names no previous manifest, but candidacy_ddhq_matches_20261101 (run {aliceRun},", fork, StringComparison.Ordinal);
        Assert.Contains("published from two warehouses", fork, StringComparison.Ordinal);
        Assert.Contains("the rows of candidacy_ddhq_matches_20261102 verify against its manifest here", fork, StringComparison.Ordinal);
        Assert.Contains("`electionmatch run candidacy_ddhq_matches --snapshot-date 2026-11-01 --replace", fork, StringComparison.Ordinal);
        Assert.DoesNotContain("edited or", fork, StringComparison.Ordinal);

        // In Alice's warehouse, the other way round; check says the same.
        Directory.Delete(_project.PathOf("target"), recursive: true);
        Directory.Move(aliceWarehouse, _project.PathOf("target"));
        var check = CliProcess.Run("check", "--project-dir", _project.Directory);
        Assert.DoesNotContain(Codes.ManifestChainBroken, check.Stderr, StringComparison.Ordinal);
        var inAlices = Assert.Single(check.Stderr.Split('\n'), l => l.Contains($": warning {Codes.ManifestChainForked}:", StringComparison.Ordinal));
        Assert.Contains("completed candidacy_ddhq_matches_20261101 but has no record of candidacy_ddhq_matches_20261102's run", inAlices, StringComparison.Ordinal);
        Assert.Contains("--snapshot-date 2026-11-02 --replace", inAlices, StringComparison.Ordinal);

        // The advice holds: Alice's warehouse made the shared one, Bob's snapshot republished into it, the chain is whole.
        var replace = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-11-02", "--replace", "--project-dir", _project.Directory);
        Assert.True(replace.ExitCode == 0, replace.Output);
        var rejoined = CliProcess.Run("verify", "--no-inputs", "--project-dir", _project.Directory);
        Assert.True(rejoined.ExitCode == 0, rejoined.Output);
        Assert.DoesNotContain(Codes.ManifestChainForked, rejoined.Stderr, StringComparison.Ordinal);

        // Without any warehouse, a fork and an edited link look the same: still an error, accusing neither.
        Directory.Delete(_project.PathOf("target"), recursive: true);
        Assert.Equal(0, Git("checkout -q -- electionmatch").ExitCode);
        var clone = CliProcess.Run("verify", "--no-inputs", "--project-dir", _project.Directory);
        var link = Assert.Single(clone.Stderr.Split('\n'), l => l.Contains($": error {Codes.ManifestChainBroken}:", StringComparison.Ordinal));
        Assert.Contains("the chain forked (the two published from two warehouses, each not knowing the other's run) or this manifest was edited", link, StringComparison.Ordinal);
        Assert.DoesNotContain("broken chain", link, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_says_a_teammates_table_this_warehouses_log_never_recorded_was_published_into_another_warehouse_not_dropped()
    {
        var (aliceRun, _, _) = MergeTwoTeammatesWithWarehousesOfTheirOwn();

        // In Bob's warehouse, whose snapshot log has no record of Alice's run.
        var verify = CliProcess.Run("verify", "--no-inputs", "--project-dir", _project.Directory);

        Assert.Equal(1, verify.ExitCode);
        // Said once, for the table and its quarantine. Before: "dropped or renamed after this manifest was written", twice.
        var gone = Assert.Single(verify.Stderr.Split('\n'), l => l.Contains($": error {Codes.SnapshotDropped}:", StringComparison.Ordinal));
        Assert.Contains("candidacy_ddhq_matches_20261101.json(", gone, StringComparison.Ordinal);
        Assert.Contains("model_predictions.candidacy_ddhq_matches_20261101 is not in the warehouse ", gone, StringComparison.Ordinal);
        Assert.Contains(", nor is its candidacy_ddhq_matches_20261101__quarantine", gone, StringComparison.Ordinal);
        Assert.Contains($"this warehouse's snapshot log has no record of its publication (run {aliceRun}): it was published into another warehouse", gone, StringComparison.Ordinal);
        Assert.Contains("`electionmatch run candidacy_ddhq_matches --snapshot-date 2026-11-01 --replace", gone, StringComparison.Ordinal);
        Assert.DoesNotContain("dropped or renamed", verify.Stderr, StringComparison.Ordinal);

        // check words its EM0101 at the entry the same way: another warehouse.
        var check = CliProcess.Run("check", "--project-dir", _project.Directory);
        Assert.Contains(check.Stderr.Split('\n'), l => l.Contains($": error {Codes.SnapshotTableMissing}:", StringComparison.Ordinal) && l.Contains("published into another warehouse", StringComparison.Ordinal));
        Assert.DoesNotContain("dropped or renamed", check.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_says_the_chain_forked_when_two_teammates_each_linked_to_the_same_snapshot_from_a_copy_of_one_warehouse()
    {
        // A snapshot published and committed; each teammate then publishes into a copy of that warehouse of their own, so
        // both manifests name its manifest. Before: nothing was said of two children of one parent.
        File.WriteAllText(_project.PathOf(".gitignore"), "target/\n");
        Assert.Equal(0, Git("init -q -b main").ExitCode);
        var first = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-10-01", "--project-dir", _project.Directory);
        Assert.True(first.ExitCode == 0, first.Output);
        Commit("base");
        var copy = _project.PathOf("target") + ".copy";
        CopyDirectory(_project.PathOf("target"), copy);
        Assert.Equal(0, Git("checkout -q -b a").ExitCode);
        var alice = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-11-01", "--project-dir", _project.Directory);
        Assert.True(alice.ExitCode == 0, alice.Output);
        Commit("a");
        Directory.Delete(_project.PathOf("target"), recursive: true);
        Directory.Move(copy, _project.PathOf("target"));
        Assert.Equal(0, Git("checkout -q -b b main").ExitCode);
        var bob = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-11-02", "--project-dir", _project.Directory);
        Assert.True(bob.ExitCode == 0, bob.Output);
        Commit("b");
        Assert.Equal(0, Git("checkout -q main").ExitCode);
        Assert.Equal(0, Git("merge -q a").ExitCode);
        Git("merge b");
        File.WriteAllLines(_project.PathOf(SourcesYaml), File.ReadAllLines(_project.PathOf(SourcesYaml))
            .Where(l => !l.StartsWith("<<<<<<< ", StringComparison.Ordinal) && l != "=======" && !l.StartsWith(">>>>>>> ", StringComparison.Ordinal)));
        Assert.Equal(0, Git("checkout --theirs -- models/staging/model_predictions_source").ExitCode);
        Commit("merge b");

        var verify = CliProcess.Run("verify", "--no-inputs", "--project-dir", _project.Directory);

        Assert.DoesNotContain(Codes.ManifestChainBroken, verify.Stderr, StringComparison.Ordinal);
        var fork = Assert.Single(verify.Stderr.Split('\n'), l => l.Contains($": warning {Codes.ManifestChainForked}:", StringComparison.Ordinal));
        Assert.Contains("candidacy_ddhq_matches_20261102.json(", fork, StringComparison.Ordinal);
        Assert.Contains("names the same previous manifest (candidacy_ddhq_matches_20261001) as candidacy_ddhq_matches_20261101 (run ", fork, StringComparison.Ordinal);
        Assert.Contains("has no record of candidacy_ddhq_matches_20261101's run", fork, StringComparison.Ordinal);
        Assert.Contains("--snapshot-date 2026-11-01 --replace", fork, StringComparison.Ordinal);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
