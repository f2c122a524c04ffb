using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// `prune` on a real warehouse with three published snapshots of the candidacy match (a clone per test): what it
/// removes, what it refuses, and that check, verify and generate agree with what it leaves, a stopped prune included.
/// </summary>
public sealed class PruneCommandTests : IClassFixture<ThreeSnapshots>, IDisposable
{
    private const string Match = VerifyTamperTests.Match;
    private const string Oldest = "candidacy_ddhq_matches_20300603";
    private const string Middle = "candidacy_ddhq_matches_20300610";
    private const string Newest = "candidacy_ddhq_matches_20300617";
    private const string Sources = "models/staging/__sources.yaml";
    private const string Staging = "models/staging/model_predictions_source/stg_model_predictions__";
    private const string Settings = "electionmatch.yml";
    private const string Renamed = "candidacy_links";

    private readonly FixtureCopy _fixture;

    public PruneCommandTests(ThreeSnapshots published)
    {
        _fixture = published.Project.Clone();
    }

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Cli(params string[] args) => CliProcess.RunIn(_fixture.Directory, [.. args, "--project-dir", "."]);

    private static string[] Errors(CliProcess.Result result) =>
        result.Stderr.Split('\n').Where(l => l.Contains(": error EM", StringComparison.Ordinal)).ToArray();

    private bool TableExists(string table)
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        return warehouse.TableExists("model_predictions", table);
    }

    private static string Manifest(string snapshot) => $"electionmatch/manifests/{snapshot}.json";

    private static string Pruned(string snapshot) => $"electionmatch/manifests/pruned/{snapshot}.json";

    /// <summary>The sources YAML without one snapshot's entry: its lines from its dash to the next table's, nothing else.</summary>
    internal static string WithoutEntry(string sources, string snapshot)
    {
        var start = sources.IndexOf($"      - name: {snapshot}\n", StringComparison.Ordinal);
        var end = sources.IndexOf("      - name: ", start + 1, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, sources);
        return sources[..start] + sources[end..];
    }

    /// <summary>Every file of the project but the warehouse (DuckDB may checkpoint it on close), with its bytes.</summary>
    private Dictionary<string, string> Files() =>
        _fixture.Snapshot().Where(f => !f.Key.StartsWith("target/goodparty.duckdb", StringComparison.Ordinal)).ToDictionary();

    [Fact]
    public void Pruning_an_older_snapshot_removes_its_table_files_and_entry_and_leaves_check_verify_and_generate_content()
    {
        var sources = _fixture.Read(Sources);
        var manifest = _fixture.Read(Manifest(Oldest));

        var prune = Cli("prune", Match, "--snapshot-date", "2030-06-03");

        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.Contains($"dropped   model_predictions.{Oldest}\n", prune.Stdout, StringComparison.Ordinal);
        Assert.Contains($"deleted   {Staging}{Oldest}.sql\n", prune.Stdout, StringComparison.Ordinal);
        Assert.Contains($"pruned    {Oldest}", prune.Stdout, StringComparison.Ordinal);
        Assert.False(TableExists(Oldest));
        Assert.False(TableExists(Oldest + "__quarantine"));
        Assert.True(TableExists(Middle));
        Assert.False(File.Exists(_fixture.PathOf($"target/model_predictions/{Oldest}.parquet")));
        Assert.False(File.Exists(_fixture.PathOf($"{Staging}{Oldest}.sql")));
        Assert.False(File.Exists(_fixture.PathOf($"{Staging}{Oldest}.yml")));
        Assert.False(File.Exists(_fixture.PathOf(Manifest(Oldest))));
        Assert.Equal(manifest, _fixture.Read(Pruned(Oldest)));
        Assert.True(File.Exists(_fixture.PathOf($"electionmatch/manifests/pruned/{Oldest}.model.json")));
        Assert.Equal(WithoutEntry(sources, Oldest), _fixture.Read(Sources));

        var check = Cli("check");
        var verify = Cli("verify", "--no-inputs");
        var files = Files();
        var generate = Cli("generate");

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Contains("0 written", generate.Stdout, StringComparison.Ordinal);
        Assert.Equal(files, Files());
    }

    [Fact]
    public void The_chain_verifies_through_a_pruned_manifest_after_the_next_run()
    {
        var prune = Cli("prune", Match, "--snapshot-date", "2030-06-10");
        var run = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-24");

        var verify = Cli("verify", "--no-inputs");

        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(verify.ExitCode == 0, verify.Output);
        // The newest names the one published before it; the one after the pruned snapshot still names the pruned manifest.
        var pruned = ElectionMatch.Snapshots.SnapshotManifest.Sha256(_fixture.Read(Pruned(Middle)));
        Assert.Equal(pruned, ElectionMatch.Snapshots.SnapshotManifest.FromJson(_fixture.Read(Manifest(Newest))).PreviousManifestSha256);
    }

    [Fact]
    public void A_date_pruned_published_again_and_pruned_again_keeps_both_manifests_as_links_of_the_chain()
    {
        // Before: the second prune refused (EM0614) and advised keeping the first pruned manifest "under pruned/ by
        // another name", which no name satisfied: the chain read only <snapshot>.json, and verify failed for good (EM0606).
        var first = Cli("prune", Match, "--snapshot-date", "2030-06-03");
        Assert.True(first.ExitCode == 0, first.Output);
        var earlier = _fixture.Read(Pruned(Oldest));
        var again = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-03");
        Assert.True(again.ExitCode == 0, again.Output);

        var second = Cli("prune", Match, "--snapshot-date", "2030-06-03");

        Assert.True(second.ExitCode == 0, second.Output);
        var sha = ElectionMatch.Snapshots.SnapshotManifest.Sha256(earlier);
        var aside = $"electionmatch/manifests/pruned/{Oldest}.{sha[..12]}";
        Assert.Equal(earlier, _fixture.Read(aside + ".json"));
        Assert.True(File.Exists(_fixture.PathOf(aside + ".model.json")));
        Assert.True(File.Exists(_fixture.PathOf(Pruned(Oldest))));
        var verify = Cli("verify", "--no-inputs");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.True(Cli("check").ExitCode == 0);

        // The earlier publication's manifest is verified too.
        _fixture.Replace(aside + ".json", "\"rows\": 360,", "\"rows\": 361,");
        verify = Cli("verify", "--no-inputs");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains($"{aside}.json(1,1): error EM0605: this pruned manifest of an earlier publication of {Oldest} was edited", verify.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Prune_refuses_the_newest_snapshot_at_its_sources_entry_and_changes_nothing()
    {
        var files = Files();

        var prune = Cli("prune", Match, "--snapshot-date", "2030-06-17", "--snapshot-date", "2030-06-03");

        Assert.Equal(1, prune.ExitCode);
        var error = Assert.Single(Errors(prune));
        Assert.StartsWith(Sources + "(", error, StringComparison.Ordinal);
        Assert.Contains($"error {Codes.PruneRefused}: snapshot {Newest} is the newest finished snapshot", error, StringComparison.Ordinal);
        Assert.Contains("nothing was pruned", error, StringComparison.Ordinal);
        Assert.Equal(files, Files());
        Assert.True(TableExists(Oldest));
        Assert.True(TableExists(Newest));
    }

    [Fact]
    public void Prune_refuses_a_snapshot_that_does_not_exist()
    {
        var prune = Cli("prune", Match, "--snapshot-date", "2030-06-04");

        Assert.Equal(1, prune.ExitCode);
        var error = Assert.Single(Errors(prune));
        Assert.Contains($"error {Codes.SnapshotTableMissing}: no snapshot candidacy_ddhq_matches_20300604 to prune", error, StringComparison.Ordinal);
        Assert.Contains(Middle, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Prune_refuses_a_snapshot_a_downstream_model_still_references_naming_its_file_and_line()
    {
        // The commented ref is never read by dbt, so only the second line holds the snapshot.
        _fixture.Write("models/marts/general/m_reads_old.sql", $"{{# {{{{ ref('stg_model_predictions__{Middle}') }}}} #}}\nselect * from {{{{ ref('stg_model_predictions__{Middle}') }}}} {{# electionmatch: pinned #}}\n");
        var files = Files();

        var prune = Cli("prune", Match, "--keep", "1");

        Assert.Equal(1, prune.ExitCode);
        var error = Assert.Single(Errors(prune));
        Assert.StartsWith("models/marts/general/m_reads_old.sql(2,", error, StringComparison.Ordinal);
        Assert.Contains($"error {Codes.PruneRefused}: ref('stg_model_predictions__{Middle}') reads snapshot {Middle}", error, StringComparison.Ordinal);
        Assert.Contains("generate --rewrite-refs", error, StringComparison.Ordinal);
        Assert.Equal(files, Files());
        Assert.True(TableExists(Oldest));
        Assert.True(TableExists(Middle));
    }

    [Fact]
    public void Keep_1_prunes_every_finished_snapshot_of_the_match_but_the_newest()
    {
        var prune = Cli("prune", Match, "--keep", "1");

        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.Contains($"pruned    {Oldest}", prune.Stdout, StringComparison.Ordinal);
        Assert.Contains($"pruned    {Middle}", prune.Stdout, StringComparison.Ordinal);
        Assert.False(TableExists(Oldest));
        Assert.False(TableExists(Middle));
        Assert.True(TableExists(Newest));
        Assert.True(TableExists("llm_l2_br_match_20300603"));
        Assert.True(File.Exists(_fixture.PathOf(Manifest(Newest))));
        var check = Cli("check");
        Assert.True(check.ExitCode == 0, check.Output);
        var again = Cli("prune", Match, "--keep", "1");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("nothing to prune", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Keep_takes_only_a_whole_number_of_zero_or_more()
    {
        var prune = Cli("prune", Match, "--keep", "1.5");

        Assert.Equal(1, prune.ExitCode);
        Assert.Contains($"error {Codes.InvalidOption}: --keep 1.5 is not a number of snapshots to keep (0 or more)", prune.Stderr, StringComparison.Ordinal);
        Assert.True(TableExists(Oldest));
    }

    [Fact]
    public void Keep_0_is_refused_for_a_match_electionmatch_yml_defines_at_its_line_there()
    {
        // Its stable model reads the newest: only a match no longer defined may lose every snapshot. Before, --keep 0 was
        // refused as no number of snapshots to keep at all, with no word of how to retire a match.
        var files = Files();

        var prune = Cli("prune", Match, "--keep", "0");

        Assert.Equal(1, prune.ExitCode);
        var error = Assert.Single(Errors(prune));
        var line = _fixture.Read(Settings).Split('\n').ToList().IndexOf($"  {Match}:") + 1;
        Assert.StartsWith($"{Settings}({line},3): error {Codes.PruneRefused}: keeping 0 snapshots (--keep 0) would prune every snapshot of '{Match}', the newest too", error, StringComparison.Ordinal);
        Assert.Contains($"to retire '{Match}', remove it here under matches: first", error, StringComparison.Ordinal);
        Assert.Equal(files, Files());
        Assert.True(TableExists(Newest));
    }

    /// <summary>The candidacy match renamed in electionmatch.yml: its snapshots are now a retired match's (EM0113).</summary>
    private void RenameMatch() => _fixture.Replace(Settings, $"  {Match}:\n", $"  {Renamed}:\n");

    /// <summary>The renamed match's name given back to it: the old name is defined again.</summary>
    private void DefineAgain() => _fixture.Replace(Settings, $"  {Renamed}:\n", $"  {Match}:\n");

    private void AssertRetired()
    {
        foreach (var snapshot in new[] { Oldest, Middle, Newest })
        {
            Assert.False(TableExists(snapshot), snapshot);
            Assert.False(TableExists(snapshot + "__quarantine"), snapshot);
            Assert.False(File.Exists(_fixture.PathOf(Manifest(snapshot))), snapshot);
            Assert.True(File.Exists(_fixture.PathOf(Pruned(snapshot))), snapshot);
            Assert.False(File.Exists(_fixture.PathOf($"{Staging}{snapshot}.sql")), snapshot);
            Assert.DoesNotContain($"- name: {snapshot}\n", _fixture.Read(Sources), StringComparison.Ordinal);
        }

        Assert.False(File.Exists(_fixture.PathOf($"{Staging}{Match}.sql")));
        Assert.False(File.Exists(_fixture.PathOf($"{Staging}{Match}.yml")));
        Assert.True(TableExists("llm_l2_br_match_20300603"));
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.All(new ElectionMatch.Snapshots.SnapshotLog(warehouse).Latest(Match), r => Assert.True(r.IsPruned, r.Snapshot));
    }

    /// <summary>After a retirement, the name defined again and run: check and verify pass, the chain through the pruned manifests.</summary>
    private void AssertNameUsableAgain()
    {
        DefineAgain();
        var run = Cli("run", Match, "--allow-future-date", "--snapshot-date", "2030-06-24");
        Assert.True(run.ExitCode == 0, run.Output);

        var check = Cli("check");
        var verify = Cli("verify", "--no-inputs");

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.DoesNotContain(Codes.ManifestMissing, check.Output + verify.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.MatchNotConfigured, check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Keep_0_retires_a_renamed_match_and_its_name_defined_again_runs_checks_and_verifies_clean()
    {
        // Before: prune refused a match electionmatch.yml does not define (EM0031), and deleting its files by hand, as
        // EM0113 advised, left its tables and log rows: the name defined again failed check and verify for good (EM0607).
        RenameMatch();
        var warned = Cli("check");
        Assert.Contains($"`electionmatch prune {Match} --keep 0` prunes all its snapshots", warned.Stderr, StringComparison.Ordinal);
        var files = Files();

        var dryRun = Cli("prune", Match, "--keep", "0", "--dry-run");

        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        Assert.Contains($"would delete {Staging}{Match}.sql\n", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains($"would retire match {Match}", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Equal(files, Files());
        Assert.True(TableExists(Newest));

        var prune = Cli("prune", Match, "--keep", "0");

        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.Contains($"pruned    {Newest}", prune.Stdout, StringComparison.Ordinal);
        Assert.Contains($"deleted   {Staging}{Match}.sql\n", prune.Stdout, StringComparison.Ordinal);
        Assert.Contains($"retired   match {Match}", prune.Stdout, StringComparison.Ordinal);
        AssertRetired();
        var check = Cli("check");
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.DoesNotContain(Codes.MatchNotConfigured, check.Output, StringComparison.Ordinal);
        var again = Cli("prune", Match, "--keep", "0");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("nothing to prune", again.Stdout, StringComparison.Ordinal);

        AssertNameUsableAgain();
    }

    [Fact]
    public void A_match_retired_by_deleting_its_files_by_hand_is_retired_by_prune_from_the_snapshot_log()
    {
        // What EM0113 advised before: entries, staging models (the stable one too), manifests and model files deleted;
        // tables and log rows stay. The log kept each manifest as completed, so prune writes it under pruned/.
        RenameMatch();
        foreach (var snapshot in new[] { Oldest, Middle, Newest })
        {
            _fixture.Write(Sources, WithoutEntry(_fixture.Read(Sources), snapshot));
            foreach (var file in new[] { Manifest(snapshot), $"electionmatch/manifests/{snapshot}.model.json", $"{Staging}{snapshot}.sql", $"{Staging}{snapshot}.yml" })
            {
                File.Delete(_fixture.PathOf(file));
            }
        }

        File.Delete(_fixture.PathOf($"{Staging}{Match}.sql"));
        File.Delete(_fixture.PathOf($"{Staging}{Match}.yml"));

        var prune = Cli("prune", Match, "--keep", "0");

        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.Contains($"restored  {Pruned(Middle)} from the warehouse's snapshot log", prune.Stdout, StringComparison.Ordinal);
        AssertRetired();
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true))
        {
            var log = new ElectionMatch.Snapshots.SnapshotLog(warehouse).Latest(Match);
            Assert.All(log, r => Assert.Equal(r.ManifestJson, _fixture.Read(Pruned(r.Snapshot))));
        }

        AssertNameUsableAgain();
    }

    [Fact]
    public void Retiring_a_match_is_refused_while_a_model_refs_its_stable_model_naming_the_file_and_line()
    {
        _fixture.Write("models/marts/general/m_reads_stable.sql", $"-- the candidacy links\nselect * from {{{{ ref('stg_model_predictions__{Match}') }}}}\n");
        RenameMatch();
        var files = Files();

        var prune = Cli("prune", Match, "--keep", "0");

        Assert.Equal(1, prune.ExitCode);
        var error = Assert.Single(Errors(prune));
        Assert.StartsWith("models/marts/general/m_reads_stable.sql(2,", error, StringComparison.Ordinal);
        Assert.Contains($"error {Codes.PruneRefused}: ref('stg_model_predictions__{Match}') reads the stable model of '{Match}'", error, StringComparison.Ordinal);
        Assert.Equal(files, Files());
        Assert.True(TableExists(Newest));
    }

    [Fact]
    public void A_renamed_matchs_newest_snapshot_is_pruned_only_with_all_the_others()
    {
        // Its stable model reads the newest and nothing regenerates it: pruned alone, the stable model would read a snapshot that is gone.
        RenameMatch();
        var files = Files();

        var newest = Cli("prune", Match, "--snapshot-date", "2030-06-17");

        Assert.Equal(1, newest.ExitCode);
        var error = Assert.Single(Errors(newest));
        Assert.StartsWith(Sources + "(", error, StringComparison.Ordinal);
        Assert.Contains($"error {Codes.PruneRefused}: snapshot {Newest} is the newest of '{Match}' (a match electionmatch.yml no longer defines)", error, StringComparison.Ordinal);
        Assert.Contains($"`electionmatch prune {Match} --keep 0`", error, StringComparison.Ordinal);
        Assert.Equal(files, Files());

        var older = Cli("prune", Match, "--snapshot-date", "2030-06-03");

        Assert.True(older.ExitCode == 0, older.Output);
        Assert.True(File.Exists(_fixture.PathOf($"{Staging}{Match}.sql")));
        Assert.DoesNotContain("retired", older.Stdout, StringComparison.Ordinal);

        var all = Cli("prune", Match, "--snapshot-date", "2030-06-10", "--snapshot-date", "2030-06-17");

        Assert.True(all.ExitCode == 0, all.Output);
        AssertRetired();
    }

    [Fact]
    public void A_dry_run_says_what_it_would_remove_and_changes_nothing()
    {
        var files = Files();

        var prune = Cli("prune", Match, "--snapshot-date", "2030-06-03", "--dry-run");

        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.Contains($"would move electionmatch/manifests/{Oldest}.json -> electionmatch/manifests/pruned/{Oldest}.json", prune.Stdout, StringComparison.Ordinal);
        Assert.Contains($"would drop model_predictions.{Oldest}\n", prune.Stdout, StringComparison.Ordinal);
        Assert.Contains($"would remove the sources entry of {Oldest} ({Sources}:", prune.Stdout, StringComparison.Ordinal);
        Assert.Equal(files, Files());
        Assert.True(TableExists(Oldest));
        Assert.True(TableExists(Oldest + "__quarantine"));
    }

    [Fact]
    public void A_prune_stopped_after_moving_the_manifest_is_one_error_that_a_second_prune_finishes()
    {
        // What a prune killed right after its first step leaves: the manifest under pruned/, everything else in place.
        Directory.CreateDirectory(_fixture.PathOf("electionmatch/manifests/pruned"));
        File.Move(_fixture.PathOf(Manifest(Middle)), _fixture.PathOf(Pruned(Middle)));

        var check = Cli("check");
        var verify = Cli("verify", "--no-inputs");
        var files = Files();
        var generate = Cli("generate");

        Assert.Equal(1, check.ExitCode);
        var error = Assert.Single(Errors(check));
        Assert.StartsWith($"electionmatch/manifests/pruned/{Middle}.json(1,1): error {Codes.SnapshotPartlyPruned}:", error, StringComparison.Ordinal);
        Assert.Contains($"the table model_predictions.{Middle}", error, StringComparison.Ordinal);
        Assert.Contains($"`electionmatch prune {Match} --snapshot-date 2030-06-10` finishes it", error, StringComparison.Ordinal);
        Assert.Equal(1, verify.ExitCode);
        Assert.Equal(error, Assert.Single(Errors(verify)));
        Assert.True(generate.ExitCode == 0, generate.Output);
        Assert.Equal(files, Files());

        var prune = Cli("prune", Match, "--snapshot-date", "2030-06-10");

        Assert.True(prune.ExitCode == 0, prune.Output);
        Assert.Contains($"moved     electionmatch/manifests/{Middle}.model.json", prune.Stdout, StringComparison.Ordinal);
        Assert.Contains($"dropped   model_predictions.{Middle}\n", prune.Stdout, StringComparison.Ordinal);
        Assert.False(TableExists(Middle));
        var after = Cli("check");
        Assert.True(after.ExitCode == 0, after.Output);
        var last = Cli("prune", Match, "--snapshot-date", "2030-06-10");
        Assert.True(last.ExitCode == 0, last.Output);
        Assert.Contains($"already pruned: {Middle}", last.Stdout, StringComparison.Ordinal);
    }
}
