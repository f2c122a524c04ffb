using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

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

    [GeneratedRegex("`electionmatch (prune [^`]+)`")]
    private static partial Regex PruneCommand();

    private bool InWarehouse(string table)
    {
        using var warehouse = DuckDbWarehouse.Open(_project.PathOf("target/goodparty.duckdb"));
        return warehouse.TableExists("model_predictions", table);
    }

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
        Assert.Contains("`electionmatch generate` leaves it out rather than add a teammate's entry and staging model to this branch", undeclared, StringComparison.Ordinal);

        var missing = Assert.Single(errors, e => e.Contains($"error {Codes.ManifestMissing}:", StringComparison.Ordinal));
        Assert.Contains($"{AliceManifest} of snapshot {AliceSnapshot} is missing: the warehouse's snapshot log says run {aliceRun} (", missing, StringComparison.Ordinal);
        Assert.Contains($"{AliceManifest}` (after `git fetch`) tells them apart", missing, StringComparison.Ordinal);
        Assert.Contains("do not prune a teammate's snapshot, which would retire it from the shared warehouse", missing, StringComparison.Ordinal);
        // Before: "restore it from version control, or retire the snapshot: `electionmatch prune …`", prune as an equal choice.
        Assert.DoesNotContain(", or retire the snapshot:", missing, StringComparison.Ordinal);
        Assert.Contains($"Only if no branch has it and the snapshot is abandoned, retire it: `electionmatch prune {Match} --snapshot-date 2026-11-20 --orphaned", missing, StringComparison.Ordinal);

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
    [Fact]
    public void Prune_of_a_teammates_unmerged_snapshot_is_refused_naming_its_run_and_how_to_tell_an_orphan()
    {
        var aliceRun = AlicePublishesOnHerBranch();
        // Bob publishes after her, so hers is not the newest (which prune refuses anyway).
        var bob = Cli("run", Match, "--snapshot-date", "2026-11-21");
        Assert.True(bob.ExitCode == 0, bob.Output);
        _git.Commit("b");

        foreach (var asked in new[] { new[] { "--snapshot-date", "2026-11-20" }, ["--snapshot-date", "2026-11-20", "--dry-run"], ["--keep", "1"] })
        {
            var prune = Cli(["prune", Match, .. asked]);

            // Before: it wrote her manifest under pruned/ from the log and dropped her table, retiring it for the team.
            Assert.Equal(1, prune.ExitCode);
            var error = Assert.Single(Errors(prune), e => e.Contains(AliceSnapshot + " is in the warehouse's snapshot log", StringComparison.Ordinal));
            Assert.Contains($"{AliceManifest}: error {Codes.PruneRefused}: snapshot {AliceSnapshot} is in the warehouse's snapshot log, published by run {aliceRun} (", error, StringComparison.Ordinal);
            Assert.Contains($"{AliceManifest} is not in this checkout: in a warehouse the team shares, most likely a teammate's run on a branch not merged into this one yet; otherwise a run whose files were never committed", error, StringComparison.Ordinal);
            Assert.Contains($"{AliceManifest}` (after `git fetch`) tells them apart", error, StringComparison.Ordinal);
            Assert.Contains($"`electionmatch prune {Match} --snapshot-date 2026-11-20 --orphaned", error, StringComparison.Ordinal);
            Assert.EndsWith("nothing was pruned", error, StringComparison.Ordinal);
        }

        Assert.True(InWarehouse(AliceSnapshot));
        Assert.False(Directory.Exists(_project.PathOf("electionmatch/manifests/pruned")));
        Assert.Equal((0, ""), _git.Git("status --porcelain"));
    }

    [Fact]
    public void An_orphan_is_pruned_by_the_command_check_gives_with_orphaned_and_an_ordinary_prune_needs_no_such_option()
    {
        // On main: a run whose files are thrown away (never committed), then one that is committed, linking to it.
        var orphan = Cli("run", Match, "--snapshot-date", "2026-11-20");
        Assert.True(orphan.ExitCode == 0, orphan.Output);
        Assert.Equal(0, _git.Git("checkout -q -- .").ExitCode);
        Assert.Equal(0, _git.Git("clean -q -f -- electionmatch models").ExitCode);
        var kept = Cli("run", Match, "--snapshot-date", "2026-11-21");
        Assert.True(kept.ExitCode == 0, kept.Output);
        _git.Commit("2026-11-21");
        var advice = Assert.Single(Errors(Cli("check")), e => e.Contains($"error {Codes.ManifestMissing}:", StringComparison.Ordinal));
        Assert.Equal((0, ""), _git.Git($"log --all --oneline -- {AliceManifest}"));

        var prune = CliProcess.Run(PruneCommand().Match(advice).Groups[1].Value.Split(' '));

        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.Contains($"pruned    {AliceSnapshot}", prune.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(_project.PathOf($"electionmatch/manifests/pruned/{AliceSnapshot}.json")));
        Assert.False(InWarehouse(AliceSnapshot));
        var check = Cli("check");
        Assert.True(check.ExitCode == 0, check.Output);

        // A snapshot whose manifest is here is pruned as before, without --orphaned.
        var newer = Cli("run", Match, "--snapshot-date", "2026-11-22");
        Assert.True(newer.ExitCode == 0, newer.Output);
        var ordinary = Cli("prune", Match, "--snapshot-date", "2026-11-21");
        Assert.True(ordinary.ExitCode == 0, ordinary.Output);
        Assert.Contains($"pruned    {Match}_20261121", ordinary.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_on_a_branch_leaves_a_teammates_unmerged_snapshot_out_with_a_warning_and_check_still_reports_it()
    {
        var aliceRun = AlicePublishesOnHerBranch();

        var generate = Cli("generate");

        // Before: her sources entry and dated staging model were written into Bob's branch, and the stable model moved to her snapshot.
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal((0, ""), _git.Git("status --porcelain"));
        var warning = Assert.Single(generate.Stderr.Split('\n'), l => l.Contains($": warning {Codes.SourceEntryMissing}:", StringComparison.Ordinal));
        Assert.Contains($"snapshot '{AliceSnapshot}' is published in the warehouse (model_predictions.{AliceSnapshot}, run {aliceRun} (", warning, StringComparison.Ordinal);
        Assert.Contains($"{AliceManifest} is not in this checkout: in a warehouse the team shares, most likely a teammate's run on a branch not merged into this one yet; otherwise a run whose files were never committed", warning, StringComparison.Ordinal);
        Assert.Contains($"generate leaves it out: it adds no sources entry or staging model for it, and the stable model stg_model_predictions__{Match} does not move to it", warning, StringComparison.Ordinal);
        Assert.Contains($"{AliceManifest}` (after `git fetch`) tells them apart", warning, StringComparison.Ordinal);
        Assert.Contains("To adopt it here deliberately, put its manifest in ", warning, StringComparison.Ordinal);
        Assert.Contains($"`electionmatch run {Match} --snapshot-date 2026-11-20 --replace", warning, StringComparison.Ordinal);

        // check's findings are as before generate: her snapshot undeclared and its manifest missing, errors.
        var check = Cli("check");
        Assert.Equal(1, check.ExitCode);
        Assert.Equal([Codes.SourceEntryMissing, Codes.ManifestMissing], Errors(check).Select(e => Regex.Match(e, "error (EM[0-9]{4})").Groups[1].Value).Order());

        // Bob publishes after her: generate still leaves hers out, and check adds his link to her manifest (EM0606).
        var bob = Cli("run", Match, "--snapshot-date", "2026-11-21");
        Assert.True(bob.ExitCode == 0, bob.Output);
        _git.Commit("b");
        Assert.True(Cli("generate").ExitCode == 0);
        Assert.Equal((0, ""), _git.Git("status --porcelain"));
        Assert.Equal([Codes.SourceEntryMissing, Codes.ManifestChainBroken, Codes.ManifestMissing], Errors(Cli("check")).Select(e => Regex.Match(e, "error (EM[0-9]{4})").Groups[1].Value).Order());

        // Once her manifest is here (her branch merged), generate adopts her snapshot as before.
        Assert.Equal(0, _git.Git("checkout a -- electionmatch/manifests").ExitCode);
        var adopted = Cli("generate");
        Assert.True(adopted.ExitCode == 0, adopted.Output);
        Assert.DoesNotContain(Codes.SourceEntryMissing, adopted.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(_project.PathOf($"models/staging/model_predictions_source/stg_model_predictions__{AliceSnapshot}.sql")));
    }
}
