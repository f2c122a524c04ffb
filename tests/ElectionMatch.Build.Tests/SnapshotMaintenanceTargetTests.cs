using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// <c>dotnet build -t:ElectionMatchRestore</c> and <c>-t:ElectionMatchPrune</c> in a private copy of the goodparty project:
/// the CLI's restore and prune (the same operations, the same lines), with their refusals as MSBuild errors at file and line.
/// </summary>
public sealed class SnapshotMaintenanceTargetTests : IClassFixture<SdkPackage>, IClassFixture<SnapshotMaintenanceTargetTests.PublishedOnce>, IDisposable
{
    private const string Match = "llm_l2_br_match";
    private const string Older = Match + "_20300603";
    private const string Newer = Match + "_20300610";
    private const string SourcesYaml = "models/staging/__sources.yaml";

    private readonly SdkPackage _sdk;
    private readonly PublishedOnce _published;
    private FixtureCopy _fixture;

    public SnapshotMaintenanceTargetTests(SdkPackage sdk, PublishedOnce published)
    {
        _sdk = sdk;
        _published = published;
        _fixture = OptedIn(sdk);
    }

    public void Dispose() => _fixture.Dispose();

    /// <summary>A copy of the goodparty project opted in as OptedInProjectTests' is.</summary>
    private static FixtureCopy OptedIn(SdkPackage sdk)
    {
        var fixture = FixtureCopy.Of("goodparty");
        File.Delete(fixture.PathOf(OptedInProjectTests.Staging1016));
        File.Delete(fixture.PathOf(OptedInProjectTests.Staging1112));
        sdk.AddTo(fixture.Directory);
        return fixture;
    }

    /// <summary>Goes on in a copy of the project in which <c>Publish("2030-06-03")</c> ran (<see cref="PublishedOnce"/>).</summary>
    private void StartPublishedOn20300603()
    {
        _fixture.Dispose();
        _fixture = _published.Copy();
    }

    private DotnetProcess.Result Build(params string[] args) => DotnetProcess.Build(_fixture.Directory, _sdk.Packages, args);

    private DotnetProcess.Result BuildSucceeds(params string[] args)
    {
        var build = Build(args);
        Assert.True(build.ExitCode == 0, build.Output);
        return build;
    }

    private void Publish(string date) => BuildSucceeds("-t:ElectionMatchRun", "-p:Match=" + Match, "-p:AllowFutureDate=true", "-p:SnapshotDate=" + date);

    private string Manifest(string snapshot) => _fixture.PathOf($"electionmatch/manifests/{snapshot}.json");

    [Fact]
    public void ElectionMatchRestore_puts_an_edited_snapshot_back_from_its_parquet_copy_and_the_next_build_passes()
    {
        StartPublishedOn20300603();
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute($"update model_predictions.{Older} set l2_district_id = null where br_database_id = 140300");
        }

        var tampered = Build();
        var dryRun = BuildSucceeds("-t:ElectionMatchRestore", "-p:Match=" + Match, "-p:SnapshotDate=2030-06-03", "-p:DryRun=true");
        var stillTampered = Build();
        var restore = BuildSucceeds("-t:ElectionMatchRestore", "-p:Match=" + Match, "-p:SnapshotDate=2030-06-03");

        // The check names the target that puts it back (before, the CLI's command: no target restored).
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains($"`dotnet build -t:ElectionMatchRestore -p:Match={Match} -p:SnapshotDate=2030-06-03` puts the table back from it", tampered.Output, StringComparison.Ordinal);
        Assert.Contains($"electionmatch: would restore model_predictions.{Older} from target/model_predictions/{Older}.parquet (", dryRun.Output, StringComparison.Ordinal);
        Assert.Equal(1, stillTampered.ExitCode);
        Assert.Contains($"electionmatch: restored  model_predictions.{Older} from target/model_predictions/{Older}.parquet (", restore.Output, StringComparison.Ordinal);
        BuildSucceeds();
    }

    [Fact]
    public void ElectionMatchPrune_is_a_dry_run_unless_DryRun_is_false_and_refuses_the_newest_snapshot_at_its_sources_entry()
    {
        StartPublishedOn20300603();
        Publish("2030-06-10");

        var dryRun = BuildSucceeds("-t:ElectionMatchPrune", "-p:Match=" + Match, "-p:SnapshotDate=2030-06-03");
        Assert.Contains($"electionmatch: would prune {Older}", dryRun.Output, StringComparison.Ordinal);
        Assert.Contains("electionmatch: a dry run, nothing was changed; -p:DryRun=false prunes", dryRun.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Manifest(Older)));

        var newest = Build("-t:ElectionMatchPrune", "-p:Match=" + Match, "-p:SnapshotDate=2030-06-10", "-p:DryRun=false");
        var entry = Array.FindIndex(_fixture.Read(SourcesYaml).Split('\n'), l => l.TrimStart() == "- name: " + Newer) + 1;
        Assert.Equal(1, newest.ExitCode);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(_fixture.PathOf(SourcesYaml))}\({entry},\d+\): error EM0614: ", newest.Output);
        Assert.True(File.Exists(Manifest(Newer)));

        // Several dates, as the command line can carry them (a bare , or ; would end the property): each is read, so the
        // newest among them is refused; before, the task got one value and said it was no date (EM0041).
        foreach (var dates in new[] { "-p:SnapshotDate=2030-06-03%3B2030-06-10", "-p:SnapshotDate=\"2030-06-03,2030-06-10\"" })
        {
            var several = Build("-t:ElectionMatchPrune", "-p:Match=" + Match, dates);
            Assert.Equal(1, several.ExitCode);
            Assert.Contains("error EM0614: ", several.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("EM0041", several.Output, StringComparison.Ordinal);
        }

        var pruned = BuildSucceeds("-t:ElectionMatchPrune", "-p:Match=" + Match, "-p:Keep=1", "-p:DryRun=false");
        Assert.Contains($"electionmatch: pruned    {Older}", pruned.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Manifest(Older)));
        Assert.True(File.Exists(_fixture.PathOf($"electionmatch/manifests/pruned/{Older}.json")));
        BuildSucceeds();
    }

    [Fact]
    public void ElectionMatchPrune_with_Keep_0_retires_a_renamed_match_as_the_builds_check_advises()
    {
        // Before, the target refused a match electionmatch.yml does not define (EM0031), and the check advised deleting
        // its files by hand, which left its tables and log rows behind (EM0607 once the name was used again).
        const string candidacy = "candidacy_ddhq_matches";
        BuildSucceeds("-t:ElectionMatchRun", "-p:Match=" + candidacy, "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-03");
        _fixture.Replace("electionmatch.yml", $"  {candidacy}:\n", "  candidacy_links:\n");

        var check = Build();
        var retire = BuildSucceeds("-t:ElectionMatchPrune", "-p:Match=" + candidacy, "-p:Keep=0", "-p:DryRun=false");

        Assert.Contains($"`dotnet build -t:ElectionMatchPrune -p:Match={candidacy} -p:Keep=0 -p:DryRun=false` prunes all its snapshots", check.Output, StringComparison.Ordinal);
        Assert.Contains($"electionmatch: pruned    {candidacy}_20300603", retire.Output, StringComparison.Ordinal);
        Assert.Contains($"electionmatch: retired   match {candidacy}", retire.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(_fixture.PathOf($"electionmatch/manifests/pruned/{candidacy}_20300603.json")));
        Assert.False(File.Exists(_fixture.PathOf($"models/staging/model_predictions_source/stg_model_predictions__{candidacy}.sql")));
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.False(warehouse.TableExists("model_predictions", candidacy + "_20300603"));
    }

    [Fact]
    public void ElectionMatchPrune_with_Keep_0_on_a_defined_match_is_refused_in_the_targets_words()
    {
        StartPublishedOn20300603();
        var build = Build("-t:ElectionMatchPrune", "-p:Match=" + Match, "-p:Keep=0");

        // Before, the build was told "(--keep 0)" and "keep its newest with --keep 1", the CLI's flags.
        var line = Array.FindIndex(_fixture.Read("electionmatch.yml").Split('\n'), l => l == $"  {Match}:") + 1;
        Assert.Equal(1, build.ExitCode);
        Assert.Contains($"{_fixture.PathOf("electionmatch.yml")}({line},3): error EM0614: keeping 0 snapshots (-p:Keep=0) would prune every snapshot of '{Match}'", build.Output, StringComparison.Ordinal);
        Assert.Contains("or keep its newest with -p:Keep=1; nothing was pruned", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("--keep", build.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ElectionMatchRestore", "EM0200: ElectionMatchRestore needs the match whose snapshot to restore: pass -p:Match=<name>")]
    [InlineData("ElectionMatchPrune", "EM0200: ElectionMatchPrune needs the match whose snapshots to prune: pass -p:Match=<name>")]
    [InlineData("ElectionMatchRestore", "EM0203: ElectionMatchRestore needs the snapshot's date: pass -p:SnapshotDate=YYYY-MM-DD", "-p:Match=" + Match)]
    [InlineData("ElectionMatchPrune", "EM0203: ElectionMatchPrune takes either -p:SnapshotDate=YYYY-MM-DD", "-p:Match=" + Match)]
    [InlineData("ElectionMatchPrune", "EM0203: Keep '-1' is not a number of snapshots to keep (0 or more)", "-p:Match=" + Match, "-p:Keep=-1")]
    [InlineData("ElectionMatchPrune", "EM0041: SnapshotDate '2030-13-01' is not a date in the form YYYY-MM-DD", "-p:Match=" + Match, "-p:SnapshotDate=2030-13-01")]
    [InlineData("ElectionMatchPrune", "EM0203: DryRun is 'yes'", "-p:Match=" + Match, "-p:Keep=1", "-p:DryRun=yes")]
    public void A_missing_or_bad_property_of_restore_or_prune_is_an_error_at_the_project_file(string target, string error, params string[] args)
    {
        var build = Build(["-t:" + target, .. args]);

        Assert.Equal(1, build.ExitCode);
        Assert.Contains($"{_fixture.PathOf("electionmatch.proj")} : error {error}", build.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The opted-in project after <c>dotnet build -t:ElectionMatchRun</c> published llm_l2_br_match on 2030-06-03, made once
    /// for the class when a test first asks: the restore and prune tests both start there, each on its own copy. The run
    /// target keeps no stamps, so a copy in another folder is the same project; RunTargetTests prove what the run publishes.
    /// </summary>
    public sealed class PublishedOnce : IDisposable
    {
        private readonly SdkPackage _sdk = new();
        private readonly Lazy<FixtureCopy> _project;

        public PublishedOnce()
        {
            _project = new(() =>
            {
                var project = OptedIn(_sdk);
                var run = DotnetProcess.Build(project.Directory, _sdk.Packages, "-t:ElectionMatchRun", "-p:Match=" + Match, "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-03");
                Assert.True(run.ExitCode == 0, run.Output);
                return project;
            });
        }

        public FixtureCopy Copy() => _project.Value.Clone();

        public void Dispose()
        {
            if (_project.IsValueCreated)
            {
                _project.Value.Dispose();
            }

            _sdk.Dispose();
        }
    }
}
