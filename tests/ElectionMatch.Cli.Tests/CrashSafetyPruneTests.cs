using ElectionMatch.Diagnostics;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// Kills <c>electionmatch prune</c> with SIGKILL (the test-only ELECTIONMATCH_TEST_DIE_AT) after each of its steps, on a
/// clone of three published snapshots: check then reports the one half-pruned snapshot (EM0613) with the command that
/// finishes it, every file is as it was or as the whole prune leaves it, and that command leaves exactly what an
/// uninterrupted prune does, with check passing.
/// </summary>
public sealed class CrashSafetyPruneTests : IClassFixture<ThreeSnapshots>, IDisposable
{
    private const string Match = VerifyTamperTests.Match;
    private const string Oldest = "candidacy_ddhq_matches_20300603";
    private const string Middle = "candidacy_ddhq_matches_20300610";
    private const string Newest = "candidacy_ddhq_matches_20300617";
    private const string Sources = "models/staging/__sources.yaml";
    private const string Staging = "models/staging/model_predictions_source/stg_model_predictions__" + Middle;
    private const string Manifests = "electionmatch/manifests/";

    /// <summary>After each file moved, the drop's commit, the files' deletion, and between the sources YAML's temporary write and its rename.</summary>
    private static readonly string[] KillPoints =
    [
        $"prune:moved:{Middle}.json", $"prune:moved:{Middle}.model.json", "prune:dropped", "prune:files-deleted", "file:__sources.yaml",
    ];

    private readonly FixtureCopy _fixture;

    public CrashSafetyPruneTests(ThreeSnapshots published)
    {
        _fixture = published.Project.Clone();
    }

    public void Dispose() => _fixture.Dispose();

    public static TheoryData<string> Points() => new(KillPoints);

    [Theory]
    [MemberData(nameof(Points))]
    public void A_prune_killed_after_a_step_is_one_half_pruned_error_and_the_same_prune_finishes_it(string point)
    {
        var before = Files();
        var expected = AsPruned(before);
        string[] prune = ["prune", Match, "--snapshot-date", "2030-06-10", "--project-dir", _fixture.Directory];

        var killed = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = point }, null, prune);

        Assert.True(killed.WasKilled, $"the prune was not killed at {point} (exit {killed.ExitCode}): the point was never reached\n{killed.Output}");
        foreach (var (path, sha) in Files().Where(f => !IsTemporary(f.Key)))
        {
            Assert.True(before.GetValueOrDefault(path) == sha || expected.GetValueOrDefault(path) == sha,
                $"after a kill at {point}, {path} is neither as before the prune nor as the prune leaves it");
        }

        Assert.All(before.Keys, k => Assert.True(File.Exists(_fixture.PathOf(k)) || !expected.ContainsKey(k), $"after a kill at {point}, {k} is gone although the prune keeps it"));
        AssertOtherSnapshotsKept(point);
        var check = CliProcess.RunIn(_fixture.Directory, "check", "--project-dir", ".");
        Assert.Equal(1, check.ExitCode);
        var error = Assert.Single(Errors(check));
        Assert.StartsWith($"{Manifests}pruned/{Middle}.json(1,1): error {Codes.SnapshotPartlyPruned}: snapshot {Middle} was pruned", error, StringComparison.Ordinal);
        Assert.EndsWith($"`electionmatch prune {Match} --snapshot-date 2030-06-10` finishes it", error, StringComparison.Ordinal);

        var again = CliProcess.Run(prune);

        Assert.True(again.ExitCode == 0, $"the prune after a kill at {point} failed:\n{again.Output}");
        Assert.Equal(expected, Files());
        AssertOtherSnapshotsKept(point);
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true))
        {
            Assert.False(warehouse.TableExists("model_predictions", Middle));
            Assert.False(warehouse.TableExists("model_predictions", Middle + "__quarantine"));
            Assert.All(new SnapshotLog(warehouse).Latest(Match).Where(r => r.Snapshot == Middle), r => Assert.True(r.IsPruned, $"after a kill at {point}, the log does not say {Middle} was pruned"));
        }

        var after = CliProcess.RunIn(_fixture.Directory, "check", "--project-dir", ".");
        Assert.True(after.ExitCode == 0, $"check after the prune that finished a kill at {point}:\n{after.Output}");
    }

    public static TheoryData<string> RetirementPoints() => new($"prune:moved:{Oldest}.json", "prune:dropped", "prune:files-deleted", "prune:retiring");

    [Theory]
    [MemberData(nameof(RetirementPoints))]
    public void A_retirement_of_a_renamed_match_killed_after_a_step_is_finished_by_the_same_command(string point)
    {
        // Before, prune refused a match electionmatch.yml does not define (EM0031): there was no retirement to finish.
        _fixture.Replace("electionmatch.yml", $"  {Match}:\n", "  candidacy_links:\n");
        string[] retire = ["prune", Match, "--keep", "0", "--project-dir", _fixture.Directory];

        var killed = CliProcess.Run(new Dictionary<string, string> { ["ELECTIONMATCH_TEST_DIE_AT"] = point }, null, retire);

        Assert.True(killed.WasKilled, $"the retirement was not killed at {point} (exit {killed.ExitCode}): the point was never reached\n{killed.Output}");
        // What is left still names the match, and EM0113 the command that finishes its retirement.
        var check = CliProcess.RunIn(_fixture.Directory, "check", "--project-dir", ".");
        Assert.Contains($"warning {Codes.MatchNotConfigured}: match '{Match}' is not in electionmatch.yml", check.Stderr, StringComparison.Ordinal);
        Assert.Contains($"`electionmatch prune {Match} --keep 0`", check.Stderr, StringComparison.Ordinal);

        var again = CliProcess.Run(retire);

        Assert.True(again.ExitCode == 0, $"the retirement after a kill at {point} failed:\n{again.Output}");
        Assert.Contains($"retired   match {Match}", again.Stdout, StringComparison.Ordinal);
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true))
        {
            Assert.All(new[] { Oldest, Middle, Newest }, s => Assert.False(warehouse.TableExists("model_predictions", s), $"after a kill at {point}, {s} is still there"));
            Assert.All(new SnapshotLog(warehouse).Latest(Match), r => Assert.True(r.IsPruned, $"after a kill at {point}, the log does not say {r.Snapshot} was pruned"));
        }

        Assert.All(new[] { Oldest, Middle, Newest }, s => Assert.True(File.Exists(_fixture.PathOf($"{Manifests}pruned/{s}.json")), s));
        Assert.False(File.Exists(_fixture.PathOf($"models/staging/model_predictions_source/stg_model_predictions__{Match}.sql")));
        var after = CliProcess.RunIn(_fixture.Directory, "check", "--project-dir", ".");
        Assert.True(after.ExitCode == 0, $"check after the retirement that finished a kill at {point}:\n{after.Output}");
        Assert.DoesNotContain(Codes.MatchNotConfigured, after.Output, StringComparison.Ordinal);
    }

    /// <summary>What the whole prune of the middle snapshot leaves: its manifest and model file moved unchanged, its copies and staging files gone, its entry cut out.</summary>
    private Dictionary<string, string> AsPruned(Dictionary<string, string> before)
    {
        var after = new Dictionary<string, string>(before);
        foreach (var file in new[] { Middle + ".json", Middle + ".model.json" })
        {
            Assert.True(after.Remove(Manifests + file, out var sha), file);
            after.Add(Manifests + "pruned/" + file, sha);
        }

        foreach (var file in new[] { $"target/model_predictions/{Middle}.parquet", Staging + ".sql", Staging + ".yml" })
        {
            Assert.True(after.Remove(file), file);
        }

        var sources = PruneCommandTests.WithoutEntry(_fixture.Read(Sources), Middle);
        after[Sources] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sources)));
        return after;
    }

    /// <summary>The snapshots not pruned are whole: their tables, and every run's rows in the snapshot log.</summary>
    private void AssertOtherSnapshotsKept(string point)
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        foreach (var table in new[] { Oldest, Oldest + "__quarantine", Newest, Newest + "__quarantine", "llm_l2_br_match_20300603" })
        {
            Assert.True(warehouse.TableExists("model_predictions", table), $"after a kill at {point}, model_predictions.{table} is gone");
        }

        Assert.All(new SnapshotLog(warehouse).Latest(Match).Where(r => r.Snapshot != Middle), r => Assert.True(r.IsComplete && !r.IsPruned, r.Snapshot));
    }

    /// <summary>Every file of the project but the warehouse (DuckDB may checkpoint it on open or close), with its bytes.</summary>
    private Dictionary<string, string> Files() =>
        _fixture.Snapshot().Where(f => !f.Key.StartsWith("target/goodparty.duckdb", StringComparison.Ordinal)).ToDictionary();

    private static string[] Errors(CliProcess.Result result) =>
        result.Stderr.Split('\n').Where(l => l.Contains(": error EM", StringComparison.Ordinal)).ToArray();

    /// <summary>An atomic write's temporary file (<c>.name.pid.guid.tmp</c>), hidden from dbt; the next write of the file removes it.</summary>
    private static bool IsTemporary(string path) => Path.GetFileName(path).StartsWith('.') && path.EndsWith(".tmp", StringComparison.Ordinal);
}
