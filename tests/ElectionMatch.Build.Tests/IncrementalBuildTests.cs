using System.Text.RegularExpressions;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>Which changed, added or removed files make the next <c>dotnet build</c> do the work again, and which leave it a no-op.</summary>
public sealed class IncrementalBuildTests(SdkPackage sdk) : OptedInProjectTests(sdk), IClassFixture<SdkPackage>
{
    [Fact]
    public void An_added_or_deleted_yaml_file_is_noticed_even_when_its_timestamp_is_old()
    {
        BuildSucceeds();
        var added = _fixture.PathOf("models/staging/extra.yml");
        File.WriteAllText(added, "version: 2\n");
        // As after a checkout or a move: timestamps alone would call the project up to date.
        File.SetLastWriteTimeUtc(added, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var afterAdd = BuildSucceeds("-v:n");
        var unchanged = BuildSucceeds("-v:n");
        File.Delete(added);
        var afterDelete = BuildSucceeds("-v:n");

        Assert.Contains(CheckRan, afterAdd.Output, StringComparison.Ordinal);
        Assert.Contains(SkippedCheck, unchanged.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(CheckRan, unchanged.Output, StringComparison.Ordinal);
        Assert.Contains(CheckRan, afterDelete.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_in_another_model_path_is_checked_and_a_model_added_there_is_noticed()
    {
        _fixture.Write("dbt_project.yml", _fixture.Read("dbt_project.yml").Replace("model-paths: [\"models\"]", "model-paths: [\"models\", \"transform\"]", StringComparison.Ordinal));
        Directory.CreateDirectory(_fixture.PathOf("transform"));
        _fixture.Write("transform/m_ok.sql", "select 1 as one\n");
        BuildSucceeds();
        var unchanged = BuildSucceeds("-v:n");

        _fixture.Write("transform/m_missing.sql", "select * from {{ ref('stg_model_predictions__candidacy_ddhq_matches_20250101') }}\n");
        var added = Build();

        Assert.Contains(SkippedCheck, unchanged.Output, StringComparison.Ordinal);
        Assert.Equal(1, added.ExitCode);
        Assert.Matches(Regex.Escape(_fixture.PathOf("transform/m_missing.sql")) + @"\(1,\d+\): error EM0105: ", added.Output);
    }

    [Fact]
    public void A_singular_test_added_under_tests_is_checked_by_the_next_build()
    {
        BuildSucceeds();
        var unchanged = BuildSucceeds("-v:n");

        // tests/ did not exist at the last build: the folder comes from the test-paths the tasks reported, not the patterns.
        Directory.CreateDirectory(_fixture.PathOf("tests"));
        _fixture.Write("tests/assert_matched.sql", "select * from {{ ref('stg_model_predictions__candidacy_ddhq_matches_20250101') }}\n");
        var added = Build();

        Assert.Contains(SkippedCheck, unchanged.Output, StringComparison.Ordinal);
        Assert.Equal(1, added.ExitCode);
        Assert.Matches(Regex.Escape(_fixture.PathOf("tests/assert_matched.sql")) + @"\(1,18\): error EM0105: ", added.Output);
    }

    [Fact]
    public void A_file_check_reads_outside_the_globbed_folders_makes_the_next_build_check_again_when_it_appears_or_changes()
    {
        // Manifests kept outside electionmatch/, which the default patterns glob.
        _fixture.Write("electionmatch.yml", _fixture.Read("electionmatch.yml").Replace("manifest_dir: electionmatch/manifests", "manifest_dir: snapshot_manifests", StringComparison.Ordinal));
        BuildSucceeds("-t:ElectionMatchRun", "-p:Match=llm_l2_br_match", "-p:AllowFutureDate=true", "-p:SnapshotDate=2030-06-03");
        BuildSucceeds();
        var unchanged = BuildSucceeds("-v:n");

        // dbt writes target/manifest.json; this one says a dbt that warns on the generated YAML's form (EM0109).
        _fixture.Write("target/manifest.json", "{\"metadata\": {\"dbt_version\": \"1.10.8\"}}");
        var dbtBuilt = BuildSucceeds();

        const string manifest = "snapshot_manifests/llm_l2_br_match_20300603.json";
        var published = _fixture.Read(manifest);
        _fixture.Write(manifest, published.Replace("{", "{ ", StringComparison.Ordinal));
        var manifestEdited = Build();
        _fixture.Write(manifest, published);
        BuildSucceeds();

        // A process that committed and never checkpointed leaves its change in the .wal; the warehouse file keeps its time.
        var wal = _fixture.WarehousePath + ".wal";
        var time = File.GetLastWriteTimeUtc(_fixture.WarehousePath);
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute("pragma disable_checkpoint_on_shutdown; drop table model_predictions.llm_l2_br_match_20300603");
        }

        Assert.True(File.Exists(wal));
        File.SetLastWriteTimeUtc(_fixture.WarehousePath, time);
        var dropped = Build();

        // Before, each of these builds skipped the check and succeeded.
        Assert.Contains(SkippedCheck, unchanged.Output, StringComparison.Ordinal);
        Assert.Contains($"{_fixture.PathOf("electionmatch.yml")}(1,1): warning EM0109: ", dbtBuilt.Output, StringComparison.Ordinal);
        Assert.Equal(1, manifestEdited.ExitCode);
        Assert.Contains($"{_fixture.PathOf(manifest)}(1,1): error EM0605: ", manifestEdited.Output, StringComparison.Ordinal);
        Assert.Equal(1, dropped.ExitCode);
        Assert.Contains("error EM0604: ", dropped.Output, StringComparison.Ordinal);
        Assert.Contains("llm_l2_br_match_20300603", dropped.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_edited_added_or_removed_under_a_glob_external_location_makes_the_next_build_do_the_work_again()
    {
        // The fixture's 300 candidacies split into two files under a glob, as GlobbedCsvInputTests reads them.
        var lines = File.ReadAllLines(_fixture.PathOf("data/airbyte/hubspot_candidacy.csv"));
        Directory.CreateDirectory(_fixture.PathOf("data/hs"));
        _fixture.Write("data/hs/part1.csv", string.Join('\n', [lines[0], .. lines[1..151]]) + "\n");
        _fixture.Write("data/hs/part2.csv", string.Join('\n', [lines[0], .. lines[151..]]) + "\n");
        _fixture.Replace(SourcesYaml, "external_location: \"data/airbyte/hubspot_candidacy.csv\"", "external_location: \"data/hs/*.csv\"");
        BuildSucceeds();

        // Whether each build did the work: both targets ran, or both were skipped as up to date.
        var did = new List<string>();
        void BuildAfter(string change)
        {
            var build = BuildSucceeds("-v:n");
            var worked = build.Output.Contains("electionmatch generate:", StringComparison.Ordinal) && build.Output.Contains(CheckRan, StringComparison.Ordinal);
            var skipped = build.Output.Contains(SkippedGenerate, StringComparison.Ordinal) && build.Output.Contains(SkippedCheck, StringComparison.Ordinal);
            did.Add($"{change}: {(worked && !skipped ? "worked" : skipped && !worked ? "skipped" : "mixed")}");
        }

        BuildAfter("nothing");
        _fixture.Replace("data/hs/part2.csv", lines[160], string.Join(',', lines[160].Split(',').Select((field, i) => i == 2 ? "Edited" : field)));
        BuildAfter("a row edited");
        BuildAfter("nothing again");
        var third = _fixture.PathOf("data/hs/part3.csv");
        File.WriteAllText(third, lines[0] + "\n" + lines[1].Replace(lines[1].Split(',')[0], "gpc-999999", StringComparison.Ordinal) + "\n");
        // As after a checkout or a copy that keeps times: only the input list tells the file is new.
        File.SetLastWriteTimeUtc(third, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        BuildAfter("a file added");
        File.Delete(third);
        BuildAfter("a file removed");

        // Before, the glob's files were no input at all: every one of these builds was skipped.
        Assert.Equal(["nothing: skipped", "a row edited: worked", "nothing again: skipped", "a file added: worked", "a file removed: worked"], did);
        Assert.Equal(_fixture.PathOf("data/hs/*.csv"), _fixture.Read("target/electionmatch/external-globs.txt").Trim());
    }

    [Fact]
    public void A_second_build_that_only_checks_is_a_no_op()
    {
        // As CI builds, in a clone with the generated files committed and no target/. The check's stamp hashed the input
        // list from before the check learned its dependencies, so the second unchanged build found another list and
        // checked again; only the third was a no-op.
        BuildSucceeds();
        Directory.Delete(_fixture.PathOf("target/electionmatch"), recursive: true);
        BuildSucceeds("-p:ElectionMatchGenerateOnBuild=false");
        var second = BuildSucceeds("-p:ElectionMatchGenerateOnBuild=false", "-v:n");

        Assert.Contains(SkippedCheck, second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(CheckRan, second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_seed_or_python_model_deleted_makes_the_next_build_check_the_refs_that_named_it()
    {
        // check reads the names of seeds and Python models (a ref() may name either); neither was an input, so the build
        // after the file went skipped the check and passed, and only a rebuild said the ref() names nothing (EM0105).
        Directory.CreateDirectory(_fixture.PathOf("seeds"));
        _fixture.Write("seeds/stg_model_predictions__foo_20250101.csv", "a,b\n");
        _fixture.Write("models/marts/stg_model_predictions__bar_20250101.py", "def model(dbt, session):\n    return None\n");
        _fixture.Write("models/marts/uses_them.sql", "select * from {{ ref('stg_model_predictions__foo_20250101') }} join {{ ref('stg_model_predictions__bar_20250101') }} using (a)\n");
        BuildSucceeds();

        File.Delete(_fixture.PathOf("seeds/stg_model_predictions__foo_20250101.csv"));
        var seedGone = Build();
        File.Delete(_fixture.PathOf("models/marts/stg_model_predictions__bar_20250101.py"));
        var pythonGone = Build();

        Assert.Equal(1, seedGone.ExitCode);
        Assert.Contains("error EM0105: ref('stg_model_predictions__foo_20250101')", seedGone.Output, StringComparison.Ordinal);
        Assert.Equal(1, pythonGone.ExitCode);
        Assert.Contains("error EM0105: ref('stg_model_predictions__bar_20250101')", pythonGone.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hand_edited_generated_file_left_to_the_check_fails_a_build_that_does_not_check()
    {
        // generate leaves an edited file's error to a check that follows it, and its stamp did not say so: a build with
        // the check off then skipped generate and passed, over the same edited file.
        const string ZipModel = "models/intermediate/l2/int__zip_code_to_l2_district.sql";
        _fixture.Replace(ZipModel, "-- Zip code → L2 districts", "-- HAND EDIT Zip code → L2 districts");
        var checkedBuild = Build();
        var withoutCheck = Build("-p:ElectionMatchCheckOnBuild=false");

        Assert.Equal(1, checkedBuild.ExitCode);
        Assert.Contains("error EM0102: ", checkedBuild.Output, StringComparison.Ordinal);
        Assert.Equal(1, withoutCheck.ExitCode);
        Assert.Contains("error EM0102: ", withoutCheck.Output, StringComparison.Ordinal);
    }
}
