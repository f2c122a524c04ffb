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
}
