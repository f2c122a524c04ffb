using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>
/// Two teammates publish into one warehouse (here target/, ignored by git, which both branches of one checkout share):
/// Alice's snapshot is in the warehouse while her branch is not merged into Bob's. Its table and log rows are there, its
/// manifest, entry and staging model are not. docs/ci.md, "Merging pull requests that publish snapshots".
/// </summary>
public sealed partial class SharedWarehouseBranchTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string AliceSnapshot = Match + "_20261120";
    private const string AliceManifest = $"electionmatch/manifests/{AliceSnapshot}.json";

    private readonly FixtureCopy _project = FixtureCopy.Of("goodparty");
    private readonly GitRepository _git;

    public SharedWarehouseBranchTests()
    {
        _git = new GitRepository(_project.Directory);
        File.WriteAllText(_project.PathOf(".gitignore"), "target/\n");
        Assert.Equal(0, _git.Git("init -q -b main").ExitCode);
        _git.Commit("base");
    }

    public void Dispose() => _project.Dispose();

    private CliProcess.Result Cli(params string[] args) => CliProcess.Run([.. args, "--project-dir", _project.Directory]);

    private static List<string> Errors(CliProcess.Result result) =>
        [.. result.Stderr.Split('\n').Where(l => l.Contains(": error EM", StringComparison.Ordinal))];

    [GeneratedRegex("\"run_id\": \"([0-9a-f]+)\"")]
    private static partial Regex RunId();

    [GeneratedRegex("`git (log --all --oneline -- [^`]+)`")]
    private static partial Regex GitLogCommand();

    /// <summary>Alice publishes 2026-11-20 on branch a and commits it; the checkout is left on branch b, from main.</summary>
    private string AlicePublishesOnHerBranch()
    {
        Assert.Equal(0, _git.Git("checkout -q -b a").ExitCode);
        var alice = Cli("run", Match, "--snapshot-date", "2026-11-20");
        Assert.True(alice.ExitCode == 0, alice.Output);
        var runId = RunId().Match(_project.Read(AliceManifest)).Groups[1].Value;
        _git.Commit("a");
        Assert.Equal(0, _git.Git("checkout -q -b b main").ExitCode);
        Assert.False(File.Exists(_project.PathOf(AliceManifest)));
        return runId;
    }

    [Fact]
    public void Check_on_a_branch_calls_a_teammates_unmerged_snapshot_so_with_its_run_and_does_not_advise_prune_or_generate_alone()
    {
        var aliceRun = AlicePublishesOnHerBranch();
        // Bob publishes the next day on his branch: his manifest links to Alice's, the warehouse's newest before it.
        var bob = Cli("run", Match, "--snapshot-date", "2026-11-21");
        Assert.True(bob.ExitCode == 0, bob.Output);

        var check = Cli("check");

        // Still errors: nothing here tells Alice's unmerged run from an orphan, and Bob's chain needs her manifest.
        Assert.Equal(1, check.ExitCode);
        var errors = Errors(check);
        Assert.Equal(3, errors.Count);
        var undeclared = Assert.Single(errors, e => e.Contains($"error {Codes.SourceEntryMissing}:", StringComparison.Ordinal));
        Assert.Contains($"snapshot '{AliceSnapshot}' is published in the warehouse (model_predictions.{AliceSnapshot}, run {aliceRun} (", undeclared, StringComparison.Ordinal);
        Assert.Contains($"{AliceManifest} is not in this checkout either", undeclared, StringComparison.Ordinal);
        Assert.Contains("most likely a teammate's run on a branch not merged into this one yet; otherwise a run whose files were never committed", undeclared, StringComparison.Ordinal);
        // Before: "`electionmatch generate` adds its entry and staging model", which copies Alice's files into Bob's branch.
        Assert.DoesNotContain("`electionmatch generate` adds", undeclared, StringComparison.Ordinal);
        Assert.Contains("do not run `electionmatch generate` for a teammate's snapshot", undeclared, StringComparison.Ordinal);

        var missing = Assert.Single(errors, e => e.Contains($"error {Codes.ManifestMissing}:", StringComparison.Ordinal));
        Assert.Contains($"{AliceManifest} of snapshot {AliceSnapshot} is missing: the warehouse's snapshot log says run {aliceRun} (", missing, StringComparison.Ordinal);
        Assert.Contains($"{AliceManifest}` (after `git fetch`) tells them apart", missing, StringComparison.Ordinal);
        Assert.Contains("do not prune a teammate's snapshot, which would retire it from the shared warehouse", missing, StringComparison.Ordinal);
        // Before: "restore it from version control, or retire the snapshot: `electionmatch prune …`", prune as an equal choice.
        Assert.DoesNotContain(", or retire the snapshot:", missing, StringComparison.Ordinal);
        Assert.Contains($"Only if no branch has it and the snapshot is abandoned, retire it: `electionmatch prune {Match} --snapshot-date 2026-11-20", missing, StringComparison.Ordinal);

        var chain = Assert.Single(errors, e => e.Contains($"error {Codes.ManifestChainBroken}:", StringComparison.Ordinal));
        Assert.Contains($"{Match}_20261121.json(", chain, StringComparison.Ordinal);
        Assert.Contains($"broken chain: the previous manifest ({AliceSnapshot}, sha256 ", chain, StringComparison.Ordinal);
        Assert.Contains($"published by run {aliceRun} (", chain, StringComparison.Ordinal);
        Assert.Contains("For a teammate's branch, merge it before this one", chain, StringComparison.Ordinal);

        // The command the message gives finds Alice's branch's commit.
        var log = _git.Git(GitLogCommand().Match(missing).Groups[1].Value);
        Assert.Equal(0, log.ExitCode);
        Assert.Matches("^[0-9a-f]+ a\n$", log.Output);
    }

    [Fact]
    public void A_snapshot_whose_files_were_never_committed_is_still_an_error_and_prune_is_offered()
    {
        // On main: a run whose files are thrown away (never committed). Its table and log rows stay in the warehouse.
        var run = Cli("run", Match, "--snapshot-date", "2026-11-20");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(0, _git.Git("checkout -q -- .").ExitCode);
        Assert.Equal(0, _git.Git("clean -q -f -- electionmatch models").ExitCode);
        Assert.False(File.Exists(_project.PathOf(AliceManifest)));

        var check = Cli("check");

        Assert.Equal(1, check.ExitCode);
        var errors = Errors(check);
        Assert.Contains(errors, e => e.Contains($"error {Codes.SourceEntryMissing}: snapshot '{AliceSnapshot}' is published in the warehouse", StringComparison.Ordinal));
        var missing = Assert.Single(errors, e => e.Contains($"error {Codes.ManifestMissing}:", StringComparison.Ordinal));
        Assert.Contains($"retire it: `electionmatch prune {Match} --snapshot-date 2026-11-20", missing, StringComparison.Ordinal);
        // What tells this reading apart: no commit on any branch has the manifest.
        Assert.Equal((0, ""), _git.Git($"log --all --oneline -- {AliceManifest}"));
    }

    [Fact]
    public void Run_of_a_date_a_teammate_published_says_whose_snapshot_it_is_and_replace_warns_that_it_replaced_it()
    {
        var aliceRun = AlicePublishesOnHerBranch();

        var refused = Cli("run", Match, "--snapshot-date", "2026-11-20");

        Assert.Equal(1, refused.ExitCode);
        var error = Assert.Single(Errors(refused));
        Assert.Contains($"error {Codes.SnapshotExists}: snapshot model_predictions.{AliceSnapshot} already exists in this warehouse, and its manifest ", error, StringComparison.Ordinal);
        Assert.Contains($"{AliceManifest} is not in this checkout: run {aliceRun} (", error, StringComparison.Ordinal);
        Assert.Contains("--replace would replace it (a teammate's snapshot, if so) with this run's", error, StringComparison.Ordinal);

        var replace = Cli("run", Match, "--snapshot-date", "2026-11-20", "--replace");

        Assert.True(replace.ExitCode == 0, replace.Output);
        var warning = Assert.Single(replace.Stderr.Split('\n'), l => l.Contains($"warning {Codes.ReplacedUnmergedSnapshot}:", StringComparison.Ordinal));
        Assert.Contains($"{AliceManifest}(", warning, StringComparison.Ordinal);
        Assert.Contains($"this run replaced snapshot {AliceSnapshot}, which run {aliceRun} (", warning, StringComparison.Ordinal);
        Assert.Contains("whose manifest this checkout did not have", warning, StringComparison.Ordinal);

        // A replace of a snapshot whose manifest is here (this checkout's own) says nothing of the kind.
        var again = Cli("run", Match, "--snapshot-date", "2026-11-20", "--replace");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.DoesNotContain(Codes.ReplacedUnmergedSnapshot, again.Output, StringComparison.Ordinal);
    }
}
