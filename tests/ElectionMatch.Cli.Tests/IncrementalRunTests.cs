using System.Text.Json;
using System.Text.RegularExpressions;
using ElectionMatch.Tests.Models;

namespace ElectionMatch.Tests;

/// <summary>
/// <c>run --incremental</c> on copies of the goodparty fixture: after one state's rows change, only that state's
/// partition is recomputed, and the published snapshot is the one a full recompute publishes. Tests that start from
/// the same runs copy them (<see cref="IncrementalStartingPoints"/>, made once for this class and
/// <see cref="ExplainIncrementalRunTests"/>) instead of running them again.
/// </summary>
[Collection(IncrementalRunCollection.Name)]
public sealed partial class IncrementalRunTests(IncrementalStartingPoints starts) : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Left = "data/airbyte/hubspot_candidacy.csv";
    private const string Right = "data/airbyte/ddhq_election_results.csv";

    private readonly string _full = Path.Combine(Path.GetTempPath(), "em-test-full-" + Guid.NewGuid().ToString("N")[..12]);
    private FixtureCopy? _copy;

    // The test's project: a fresh copy of the fixture, or its own copy of the run it started from (StartFrom).
    private FixtureCopy _fixture => _copy ??= FixtureCopy.Of("goodparty");

    public void Dispose()
    {
        _copy?.Dispose();
        if (Directory.Exists(_full))
        {
            Directory.Delete(_full, recursive: true);
        }
    }

    [Fact]
    public void Changing_one_states_rows_recomputes_only_that_partition_and_publishes_what_a_full_recompute_publishes()
    {
        // Three states and the candidacies with no state keep the test quick; the results stay whole (the stateless partition reads them all).
        // The runs up to the full recompute are the ones ExplainIncrementalRunTests starts from: made once, copied here.
        var start = starts.NorthCarolinaRenamed;
        Assert.True(start.KeptLines > 50);

        var first = start.FirstStdout;
        var (partitions, reused, recomputed, _) = Summary(first);
        Assert.Equal(4, partitions);
        Assert.Equal(0, reused);
        Assert.Equal(partitions, recomputed);
        Assert.Equal("nothing of this match was cached (its first incremental run, or the cache was dropped)", WhyEvery(first));

        // North Carolina's candidacies change their surnames; the copy for the full recompute shares the cache so far.
        Assert.True(start.RenamedRows > 5);
        StartFrom(start.Project);
        var incremental = start.SecondStdout;
        var full = start.FullStdout;

        Assert.Equal((partitions, partitions - 1, 1, "(NC)"), Summary(incremental));
        Assert.Null(WhyEvery(incremental));
        // Each recomputed partition's line says why, whether or not others were reused.
        // The line says which input changed: the candidacies here, the results rows below.
        Assert.Matches(@"(?m)^  partition NC .*recomputed: candidacy rows changed$", incremental);
        Assert.Matches(@"(?m)^  partition NC .*recomputed: --full asks for it$", full);
        var (fullPartitions, fullReused, fullRecomputed, _) = Summary(full);
        Assert.Equal((partitions, 0, partitions), (fullPartitions, fullReused, fullRecomputed));
        Assert.Equal("--full asks for it", WhyEvery(full));
        var published = Manifest(_fixture.Directory, "20300102");
        Assert.Equal(Manifest(start.Full.Directory, "20300102"), published);
        Assert.NotEqual(Manifest(_fixture.Directory, "20300101").Content, published.Content);
        Assert.Equal(Manifest(_fixture.Directory, "20300101").Rows, published.Rows);

        // A right row of one state changes that state and the stateless partition, which searches every state.
        var results = File.ReadAllLines(_fixture.PathOf(Right));
        var texas = Array.FindIndex(results, l => l.Split(',')[8] == "TX" && l.Contains(",true,", StringComparison.Ordinal));
        results[texas] = results[texas].Replace(",true,", ",false,", StringComparison.Ordinal);
        File.WriteAllLines(_fixture.PathOf(Right), results);
        var right = Run(_fixture.Directory, "2030-01-03", "--incremental");
        Assert.Equal((partitions, partitions - 2, 2, "((no state), TX)"), Summary(right));
        Assert.Matches(@"(?m)^  partition TX .*recomputed: results rows changed$", right);
        Assert.Matches(@"(?m)^  partition \(no state\) .*recomputed: results rows changed$", right);

        // Nothing changed: everything is reused and the rows are the same.
        var again = Run(_fixture.Directory, "2030-01-04", "--incremental");
        Assert.Equal((partitions, partitions, 0, ""), Summary(again));
        Assert.Equal(Manifest(_fixture.Directory, "20300103").Content, Manifest(_fixture.Directory, "20300104").Content);

        // A stored model that cannot be read is an error naming the way out; --retrain trains a new one and recomputes everything.
        using (var connection = new DuckDB.NET.Data.DuckDBConnection($"DataSource={_fixture.WarehousePath}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "update electionmatch_cache.models set model_json = '{\"lambda\": '";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var broken = CliProcess.Run("run", Match, "--incremental", "--project-dir", _fixture.Directory, "--allow-future-date", "--snapshot-date", "2030-01-05");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("error EM0726", broken.Stderr, StringComparison.Ordinal);
        Assert.Contains("--retrain", broken.Stderr, StringComparison.Ordinal);
        var retrained = Run(_fixture.Directory, "2030-01-05", "--retrain");
        Assert.Equal((partitions, 0, partitions), Summary(retrained) is var (p, u, c, _) ? (p, u, c) : default);
        Assert.Contains("trained on this run's whole input", retrained, StringComparison.Ordinal);
        Assert.Equal("--retrain trained a new scoring model", WhyEvery(retrained));
    }

    [Fact]
    public void An_edited_cached_row_is_recomputed_from_its_inputs_not_published_and_the_run_names_its_partition()
    {
        // The shared first run computed every partition from these inputs; the run after the edit is compared with it.
        var first = StartFrom(starts.FirstIncrementalOfThree);
        Assert.Equal((3, 0, 3), Summary(first) is var (p, u, c, _) ? (p, u, c) : default);

        // One of North Carolina's cached rows loses its link, by hand in the warehouse; the inputs stay as they were.
        using (var connection = new DuckDB.NET.Data.DuckDBConnection($"DataSource={_fixture.WarehousePath}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                update electionmatch_cache.{Match}__output set ddhq_candidate_id = null
                where rowid = (select min(rowid) from electionmatch_cache.{Match}__output where em_state = 'NC' and ddhq_candidate_id is not null)
                """;
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var second = Run(_fixture.Directory, "2030-01-02", "--incremental");

        Assert.Equal((3, 2, 1, "(NC)"), Summary(second));
        Assert.Matches(@"(?m)^incremental: cached output changed since it was written, recomputed: NC$", second);
        Assert.Matches(@"(?m)^  partition NC .*recomputed: cached output changed since it was written$", second);
        Assert.Matches(@"(?m)^  cached_rows .*: 1 changed since written$", second);
        // What the shared first run, every partition computed from these inputs with this model, published. A --full run
        // here recomputed every partition from the same inputs with the same model, which publishes what such a first run
        // does (PartitionBuildTests: every partition recomputed, the same rows); so it is compared with that run's snapshot.
        Assert.Equal(Manifest(starts.FirstIncrementalOfThree.Project.Directory, "20300101"), Manifest(_fixture.Directory, "20300102"));
        Assert.Equal(Manifest(_fixture.Directory, "20300101"), Manifest(_fixture.Directory, "20300102"));

        // The recomputed rows are cached with their own hash: the next run reuses every partition and says nothing of a change.
        var third = Run(_fixture.Directory, "2030-01-03", "--incremental");
        Assert.Equal((3, 3, 0, ""), Summary(third));
        Assert.DoesNotContain("cached output changed", third, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  cached_rows .*: none changed since written$", third);
    }

    [Fact]
    public void A_state_no_longer_in_the_inputs_is_named_as_dropped()
    {
        KeepStates("NC", "AK", "MA", "WY", "AL", "MT", "NH", "");
        Run(_fixture.Directory, "2030-01-01", "--incremental");

        KeepStates("NC", "AK", "MA", "AL", "MT", "NH", "");
        var one = Run(_fixture.Directory, "2030-01-02", "--incremental");
        Assert.Matches(@"(?m)^incremental: 7 state partitions, 7 reused, 0 recomputed, 1 dropped \(WY\)$", one);

        // Up to five are named, then an ellipsis.
        KeepStates("NC", "");
        var six = Run(_fixture.Directory, "2030-01-03", "--incremental");
        Assert.Matches(@"(?m)^incremental: 2 state partitions, 2 reused, 0 recomputed, 5 dropped \(AK, AL, MA, MT, NH\)$", six);

        // A dropped state's entry goes with its rows: the next run has nothing to say.
        var again = Run(_fixture.Directory, "2030-01-04", "--incremental");
        Assert.Matches(@"(?m)^incremental: 2 state partitions, 2 reused, 0 recomputed$", again);
    }

    [Fact]
    public void Changed_match_settings_recompute_every_partition_and_the_summary_says_so()
    {
        StartFrom(starts.FirstIncremental);
        const string Accept = "judge_accept: 70";
        var settings = _fixture.Read("electionmatch.yml");
        Assert.Contains(Accept, settings, StringComparison.Ordinal);
        _fixture.Write("electionmatch.yml", settings.Replace(Accept, "judge_accept: 71", StringComparison.Ordinal));

        var changed = Run(_fixture.Directory, "2030-01-02", "--incremental");

        Assert.Equal((2, 0, 2), Summary(changed) is var (p, u, c, _) ? (p, u, c) : default);
        Assert.StartsWith("the match's settings changed", WhyEvery(changed), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_line_of_a_kept_candidacy_file_is_quarantined_when_only_the_stateless_partition_is_recomputed()
    {
        // A ragged line (too many fields) in the candidacies, which keep three states and no row without one: the
        // stateless partition, which quarantines the file's unreadable lines, then has no candidacy of its own.
        var kept = File.ReadAllLines(_fixture.PathOf(Left)).Where((l, i) => i == 0 || l.Split(',')[4] is "TX" or "NC" or "GA").ToList();
        kept.Insert(3, "gpc-ragged,1,Ann,Lee,TX,Mayor,Austin Mayor,local,,Nonpartisan,2024-05-04,2024-11-05,,extra,fields");
        File.WriteAllLines(_fixture.PathOf(Left), kept);
        var first = Run(_fixture.Directory, "2030-01-01", "--incremental");
        Assert.Contains("quarantined: 1 left", first, StringComparison.Ordinal);

        // A California results row changes: no candidacy is in California, so only the stateless partition reads it,
        // and the candidacies' file, unchanged, keeps its row hashes (nothing else in the run reads it whole).
        var results = File.ReadAllLines(_fixture.PathOf(Right));
        var california = Array.FindIndex(results, l => l.Split(',')[8] == "CA");
        results[california] = results[california].Replace(",CA,", ",California,", StringComparison.Ordinal);
        File.WriteAllLines(_fixture.PathOf(Right), results);
        var second = Run(_fixture.Directory, "2030-01-02", "--incremental");

        Assert.Equal((4, 3, 1, "((no state))"), Summary(second));
        Assert.Contains("the left input's file unchanged since the last run", second, StringComparison.Ordinal);
        Assert.Contains("quarantined: 1 left", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Swapped_header_names_recompute_every_partition_as_a_full_recompute_does()
    {
        StartFrom(starts.FirstIncrementalOfThree);

        // The values stay where they were; only the names of two columns change places.
        var lines = File.ReadAllLines(_fixture.PathOf(Left));
        lines[0] = lines[0].Replace("first_name,last_name", "last_name,first_name", StringComparison.Ordinal);
        File.WriteAllLines(_fixture.PathOf(Left), lines);
        _fixture.CopyTo(_full);
        var incremental = Run(_fixture.Directory, "2030-01-02", "--incremental");
        var full = Run(_full, "2030-01-02", "--full");

        Assert.Equal((3, 0, 3), Summary(incremental) is var (p, u, c, _) ? (p, u, c) : default);
        Assert.Equal("the inputs' columns changed (names or types)", WhyEvery(incremental));
        Assert.Equal(Manifest(_full, "20300102"), Manifest(_fixture.Directory, "20300102"));
        Assert.NotEqual(Manifest(_fixture.Directory, "20300101").Content, Manifest(_fixture.Directory, "20300102").Content);
    }

    [Fact]
    public void A_results_column_whose_type_changed_is_published_as_the_input_now_reads_it_not_as_the_cache_stored_it()
    {
        StartFrom(starts.FirstIncrementalOfThree);

        // Texas's race ids become text (A281028): the sniffer, which reads every row of this file, reads race_id as VARCHAR.
        var lines = File.ReadAllLines(_fixture.PathOf(Right));
        File.WriteAllLines(_fixture.PathOf(Right), lines.Select(l => l.Contains(",TX,", StringComparison.Ordinal) ? "A" + l : l));
        _fixture.CopyTo(_full);
        var incremental = Run(_fixture.Directory, "2030-01-02", "--incremental");
        var full = Run(_full, "2030-01-02", "--full");

        // Before, the cache's output table kept BIGINT from the run before, and the first Texas link's 'A…' id failed the run.
        Assert.Equal("the inputs' columns changed (names or types)", WhyEvery(incremental));
        using (var warehouse = ElectionMatch.Warehouse.DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true))
        {
            Assert.Equal("VARCHAR", warehouse.Describe($"select ddhq_race_id from model_predictions.{Match}_20300102").Single().DataType);
            Assert.True(warehouse.Scalar<long>($"select count(*) from model_predictions.{Match}_20300102 where starts_with(ddhq_race_id, 'A')") > 0);
        }

        Assert.Equal(Manifest(_full, "20300102"), Manifest(_fixture.Directory, "20300102"));
    }

    [Fact]
    public void An_unreadable_line_added_to_or_removed_from_a_file_recomputes_the_stateless_partition_that_quarantines_it()
    {
        StartFrom(starts.FirstIncrementalOfThree);
        var clean = File.ReadAllLines(_fixture.PathOf(Right));

        // A ragged results line: no row is read from it, so no row hash changes; only the quarantine does.
        File.WriteAllLines(_fixture.PathOf(Right), [.. clean, "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"]);
        _fixture.CopyTo(_full);
        var added = Run(_fixture.Directory, "2030-01-02", "--incremental");
        var full = Run(_full, "2030-01-02", "--full");

        Assert.Equal((3, 2, 1, "((no state))"), Summary(added));
        Assert.Matches(@"(?m)^  partition \(no state\) .*recomputed: input columns or unreadable lines changed$", added);
        Assert.Contains("quarantined: 0 left, 1 right", added, StringComparison.Ordinal);
        Assert.Equal(Manifest(_full, "20300102"), Manifest(_fixture.Directory, "20300102"));
        Assert.Equal(Quarantined(_full, "20300102"), Quarantined(_fixture.Directory, "20300102"));

        File.WriteAllLines(_fixture.PathOf(Right), clean);
        var removed = Run(_fixture.Directory, "2030-01-03", "--incremental");
        Assert.Equal((3, 2, 1, "((no state))"), Summary(removed));
        Assert.Contains("quarantined: 0 left, 0 right", removed, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_incremental_run_adopts_the_model_a_plain_run_trained_under_the_same_settings()
    {
        // The plain run (2030-01-01) and the incremental run after it (2030-01-02), made once and copied.
        var incremental = StartFrom(starts.PlainThenIncremental);
        var model = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            File.ReadAllBytes(Path.Combine(_fixture.Directory, "electionmatch", "manifests", $"{Match}_20300101.model.json"))));

        Assert.Contains($"model: {model[..12]} (adopted from snapshot {Match}_20300101)", incremental, StringComparison.Ordinal);
        Assert.DoesNotContain("training_run", incremental, StringComparison.Ordinal);
        Assert.Equal((2, 0, 2, "((no state), NC)"), Summary(incremental));

        // The surnames are counted over the whole input once, with the adopted model, as the plain run counted them; the
        // rows are the plain run's (counted over one state's results, a surname of a small state looks common).
        Assert.Matches(@"(?m)^  surname_frequencies .*the results' surnames counted over the whole input", incremental);
        Assert.Equal(Manifest(_fixture.Directory, "20300101"), Manifest(_fixture.Directory, "20300102"));
    }

    [Fact]
    public void The_largest_partition_and_block_an_incremental_run_reports_are_the_ones_a_plain_run_reports()
    {
        // Every state: the largest partition by pairs is one state's, the most left rows or results rows another's.
        _fixture.CopyTo(_full);
        Run(_fixture.Directory, "2030-01-01", "--retrain");
        Run(_full, "2030-01-01", "--replace");

        var incremental = Counts(_fixture.Directory, "20300101");
        var plain = Counts(_full, "20300101");
        Assert.True(plain["largest_partition_left"] > 0 && plain["largest_partition_right"] > 0);
        foreach (var key in new[] { "largest_partition", "largest_block", "runoff_largest_partition", "runoff_largest_block" })
        {
            Assert.Equal((key, plain[key + "_left"], plain[key + "_right"]), (key, incremental[key + "_left"], incremental[key + "_right"]));
        }

        Assert.Equal(plain["pairs_compared_by_embedding"], incremental["pairs_compared_by_embedding"]);
        static Dictionary<string, long> Counts(string project, string date)
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "electionmatch", "manifests", $"{Match}_{date}.json")));
            return manifest.RootElement.GetProperty("counts").EnumerateObject()
                .Where(c => c.Value.ValueKind == JsonValueKind.Number)
                .ToDictionary(c => c.Name, c => c.Value.GetInt64(), StringComparer.Ordinal);
        }
    }

    [Fact]
    public void A_first_incremental_run_that_trains_publishes_what_a_plain_run_publishes()
    {
        File.WriteAllLines(_fixture.PathOf(Left), File.ReadAllLines(_fixture.PathOf(Left)).Where((l, i) => i == 0 || l.Split(',')[4] is "NC" or "TX" or ""));
        _fixture.CopyTo(_full);

        var incremental = Run(_fixture.Directory, "2030-01-01", "--retrain");
        Run(_full, "2030-01-01", "--replace");

        // The training run counted the surnames; no second count.
        Assert.Contains("training_run", incremental, StringComparison.Ordinal);
        Assert.DoesNotContain("surname_frequencies", incremental, StringComparison.Ordinal);
        Assert.Equal((3, 0, 3, "((no state), NC, TX)"), Summary(incremental));
        Assert.Equal(Manifest(_full, "20300101"), Manifest(_fixture.Directory, "20300101"));
    }

    [Fact]
    public void A_surname_common_only_in_another_state_is_weighed_by_the_frozen_frequencies_when_its_partition_is_recomputed_alone()
    {
        // 120 GARCIAs on North Dakota's ballots; South Dakota's one contest has LUZ GARCIAS and no GARCIA. When Luz Garcia's
        // candidacy is added, her partition is recomputed alone, and its own results surnames do not hold GARCIA: the
        // frequencies frozen with the model do, as a plain run's hold it. Its other contest has NORA ALDAMA GARCIA, whose
        // surname is GARCIA: Nora Aldama-Garcia matched whole is adjusted by the rare ALDAMA, not lowered by GARCIA.
        string[] given = ["JOSE", "ANA", "LUIS", "CARMEN", "JUAN", "ELENA", "CARLOS", "SOFIA", "MIGUEL", "LUCIA", "PEDRO", "ROSA"];
        File.AppendAllText(_fixture.PathOf(Right), string.Concat(Enumerable.Range(0, 120).Select(i => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{990200 + i},ND State House - District {i + 1} - General,{9902000 + i},{given[i % given.Length]} GARCIA,Nonpartisan,true,100,2024-11-05,ND,general,State House,{i + 1},false\n")))
            + "990301,SD Sioux Falls City Council - District 3 - Primary,9903011,LUZ GARCIAS,Nonpartisan,true,900,2024-06-11,SD,primary,City Council,3,false\n"
            + "990301,SD Sioux Falls City Council - District 3 - Primary,9903012,PAUL OLSON,Nonpartisan,false,800,2024-06-11,SD,primary,City Council,3,false\n"
            + "990302,SD Rapid City Council - District 4 - Primary,9903021,NORA ALDAMA GARCIA,Nonpartisan,true,700,2024-06-11,SD,primary,City Council,4,false\n"
            + "990302,SD Rapid City Council - District 4 - Primary,9903022,KAREN HOLM,Nonpartisan,false,600,2024-06-11,SD,primary,City Council,4,false\n");
        Run(_fixture.Directory, "2030-01-01", "--retrain");
        File.AppendAllText(_fixture.PathOf(Left), "gpc-990301,990301,Luz,Garcia,SD,City Council,Sioux Falls City Council - District 3,local,3,Nonpartisan,2024-06-11,,\n"
            + "gpc-990302,990302,Nora,Aldama-Garcia,SD,City Council,Rapid City Council - District 4,local,4,Nonpartisan,2024-06-11,,\n");

        var second = Run(_fixture.Directory, "2030-01-02", "--incremental");

        Assert.Equal((1, "SD"), (Summary(second).Recomputed, Summary(second).Which.Trim('(', ')')));
        var trained = ElectionMatch.Matching.Scoring.ModelParameters.FromJson(File.ReadAllText(Path.Combine(_fixture.Directory, "electionmatch", "manifests", $"{Match}_20300102.model.json")))
            .For("last_name").Levels.ToDictionary(l => l.Name, l => l.Weight);
        using var warehouse = ElectionMatch.Warehouse.DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "goodparty.duckdb"), readOnly: true);
        (string Level, double Weight) Surname(string candidacy) => warehouse.Query(
            $"select json_extract_string(match_explanation, '$.last_name.level'), cast(json_extract(match_explanation, '$.last_name.weight') as double) from model_predictions.{Match}_20300102 where gp_candidacy_id = '{candidacy}'",
            r => (r.GetString(0), r.GetDouble(1))).Single();
        var (level, weight) = Surname("gpc-990301");
        Assert.Equal("fuzzy", level);
        Assert.True(weight < trained["fuzzy"] - 0.5, $"LUZ GARCIAS {weight:F3} bits on the surname, trained {trained["fuzzy"]:F3}");
        var (compoundLevel, compound) = Surname("gpc-990302");
        Assert.Equal("exact", compoundLevel);
        Assert.True(compound > trained["exact"], $"NORA ALDAMA GARCIA {compound:F3} bits on the surname, trained {trained["exact"]:F3}");
    }

    [Fact]
    public void Surname_frequencies_edited_or_repeated_in_the_cache_are_counted_again_not_used()
    {
        StartFrom(starts.Retrained);

        // The surnames' frequencies, and their words' (the partial level's penalty), kept under the same hash.
        var day = 1;
        foreach (var (table, value, frequency, twice) in new[]
        {
            ("surname_frequencies", "last_name", "tf_last", "hold a surname more than once"),
            ("surname_word_frequencies", "word", "tf_word", "hold a word more than once"),
        })
        {
            // An edited frequency: the run counts them again, says why, and gets the same ones, so every partition is reused.
            Execute($"update electionmatch_cache.{table} set {frequency} = 0.5 where {value} in (select {value} from electionmatch_cache.{table} where {value} is not null order by {value} limit 3)");
            var date = $"2030-01-{++day:00}";
            var edited = Run(_fixture.Directory, date, "--incremental");
            Assert.Matches(@"(?m)^  surname_frequencies +0 → +[1-9][0-9,]* rows .*counted over the whole input, kept with model [0-9a-f]{12} \(the surname frequencies stored with model [0-9a-f]{12} are not the ones counted", edited);
            Assert.Equal((2, 2, 0, ""), Summary(edited));
            Assert.Equal(Manifest(_fixture.Directory, "20300101"), Manifest(_fixture.Directory, date.Replace("-", "", StringComparison.Ordinal)));

            // A value stored twice would repeat every results row of that surname (before: an internal error in the judge).
            Execute($"insert into electionmatch_cache.{table} select * from electionmatch_cache.{table} where {value} is not null limit 2");
            date = $"2030-01-{++day:00}";
            var repeated = Run(_fixture.Directory, date, "--incremental");
            Assert.Contains(twice, repeated, StringComparison.Ordinal);
            Assert.Equal(Manifest(_fixture.Directory, "20300101"), Manifest(_fixture.Directory, date.Replace("-", "", StringComparison.Ordinal)));
        }
    }

    private void Execute(string sql)
    {
        using var connection = new DuckDB.NET.Data.DuckDBConnection($"DataSource={_fixture.WarehousePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.True(command.ExecuteNonQuery() > 0, sql);
    }

    [Fact]
    public void A_stored_model_trained_by_a_build_with_other_levels_is_not_reused()
    {
        // Trains, or adopts the model of a snapshot the fixture already holds (README's main command publishes one).
        Assert.Matches(@"(?m)^model: [0-9a-f]{12} \((trained|adopted)", StartFrom(starts.FirstIncremental));

        // The stored model as a build before the first name's short_form level stored it. Weights are read by level
        // index, so scoring with it gave short_form the veto's weight and the veto none (null match weights, published).
        using (var connection = new DuckDB.NET.Data.DuckDBConnection($"DataSource={_fixture.WarehousePath}"))
        {
            connection.Open();
            using var read = connection.CreateCommand();
            read.CommandText = "select model_json from electionmatch_cache.models";
            var model = System.Text.Json.Nodes.JsonNode.Parse((string)read.ExecuteScalar()!)!;
            var levels = model["comparisons"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "first_name")!["levels"]!.AsArray();
            levels.Remove(levels.Single(l => l!["name"]!.GetValue<string>() == "short_form"));
            using var write = connection.CreateCommand();
            write.CommandText = "update electionmatch_cache.models set model_json = $json";
            write.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("json", model.ToJsonString()));
            Assert.Equal(1, write.ExecuteNonQuery());
        }

        var second = Run(_fixture.Directory, "2030-01-02", "--incremental");

        // The snapshot's own model file fits, so it is adopted, and the run says why the stored one was not used.
        Assert.Matches(
            $@"(?m)^model: [0-9a-f]{{12}} \(adopted from snapshot {Match}_20300101; not used: the stored model [0-9a-f]{{12}}, trained by a build with other comparisons \(its first_name levels are null, exact, nickname, fuzzy, prefix, middle, initial, different; this build's are null, exact, nickname, fuzzy, prefix, middle, initial, short_form, different\)\)$",
            second);
        Assert.Equal(Manifest(_fixture.Directory, "20300101"), Manifest(_fixture.Directory, "20300102"));
    }

    [Fact]
    public void A_stored_model_is_reused_only_with_the_reference_data_it_was_trained_with()
    {
        StartFrom(starts.Retrained);

        // Trained with this build's reference files: reused.
        var same = Run(_fixture.Directory, "2030-01-02", "--incremental");
        Assert.Matches(@"(?m)^model: [0-9a-f]{12} \(stored, reused\)$", same);
        Assert.Equal((2, 2, 0, ""), Summary(same));

        // The stored model as a build with another name_variants.csv stored it (its nickname and middle levels covered
        // other pairs). The snapshots' model files are taken away, so the stored model is the only one to reuse.
        const string NameVariants = """("name":\s*"name_variants\.csv",\s*"sha256":\s*")[0-9a-f]{64}""";
        Execute($"update electionmatch_cache.models set reference_files = regexp_replace(reference_files, '{NameVariants}', '\\1' || repeat('0', 64)) where regexp_matches(reference_files, '{NameVariants}')");
        foreach (var file in Directory.GetFiles(Path.Combine(_fixture.Directory, "electionmatch", "manifests"), "*.model.json"))
        {
            File.Delete(file);
        }

        var other = Run(_fixture.Directory, "2030-01-03", "--incremental");
        Assert.Matches(
            @"(?m)^  training_run .*trained on the whole input \(model [0-9a-f]{12}\); every partition is scored with it; not used: the stored model [0-9a-f]{12}, trained with other reference data \(name_variants\.csv not this build's\)$",
            other);
        Assert.Matches(@"(?m)^model: [0-9a-f]{12} \(trained on this run's whole input; not used: the stored model [0-9a-f]{12}, trained with other reference data \(name_variants\.csv not this build's\)\)$", other);
        Assert.Equal(Manifest(_fixture.Directory, "20300101"), Manifest(_fixture.Directory, "20300103"));

        // A model stored by a build that did not record its reference data is not reused either; the last snapshot's
        // model file, whose manifest records this build's, is adopted in its place.
        Execute("update electionmatch_cache.models set reference_files = null");
        var unrecorded = Run(_fixture.Directory, "2030-01-04", "--incremental");
        Assert.Matches($@"(?m)^model: [0-9a-f]{{12}} \(adopted from snapshot {Match}_20300103; not used: the stored model [0-9a-f]{{12}}, trained with reference data it did not record \(stored by an older build\)\)$", unrecorded);
    }

    [Fact]
    public void The_first_incremental_run_trains_instead_of_adopting_a_model_another_build_trained_with_other_reference_data()
    {
        StartFrom(starts.Plain);
        // The plain run as another build with another nicknames.csv made it: its manifest records that build and that file's other hash.
        var path = Path.Combine(_fixture.Directory, "electionmatch", "manifests", $"{Match}_20300101.json");
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        manifest["reference_files"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == "nicknames.csv")!["sha256"] = new string('0', 64);
        manifest["tool_build"] = $"{ToolInfo.Version}+a1b2c3d4e5f6a7b8c9d0/0f1e2d3c4b5a69788796";
        File.WriteAllText(path, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var incremental = Run(_fixture.Directory, "2030-01-02", "--incremental");

        Assert.DoesNotContain("adopted from snapshot", incremental, StringComparison.Ordinal);
        // The other build's id shares no 8 characters with a key a test of this process registers as a secret: since
        // session 52 any such stretch of a key is masked wherever it appears, and "0123456789ab" (the id before) came out
        // as *** once a provider test had planted "sk-test-PLANTED-cli-0123456789…".
        Assert.True(
            Regex.IsMatch(incremental, $@"(?m)^model: [0-9a-f]{{12}} \(trained on this run's whole input; not used: the model of snapshot {Match}_20300101, trained with other reference data \(nicknames\.csv not this build's\) and trained by another build of electionmatch {Regex.Escape(ToolInfo.Version)} \(a1b2c3d4e5f6/0f1e2d3c4b5a; this is [^)]+\)\)$"),
            incremental);
        Assert.Equal(Manifest(_fixture.Directory, "20300101"), Manifest(_fixture.Directory, "20300102"));
    }

    [Fact]
    public void The_first_incremental_run_trains_instead_of_adopting_a_model_file_that_differs_from_its_manifest()
    {
        StartFrom(starts.Plain);
        var path = Path.Combine(_fixture.Directory, "electionmatch", "manifests", $"{Match}_20300101.model.json");
        var text = File.ReadAllText(path);
        var edited = LambdaLine().Replace(text, "\"lambda\": 0.5,", 1);
        Assert.NotEqual(text, edited);
        File.WriteAllText(path, edited);

        var incremental = Run(_fixture.Directory, "2030-01-02", "--incremental");

        Assert.DoesNotContain("adopted from snapshot", incremental, StringComparison.Ordinal);
        Assert.Contains("training_run", incremental, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^model: [0-9a-f]{{12}} \(trained on this run's whole input; not adopted: {Match}_20300101\.model\.json does not match the model_parameters_sha256 of its manifest\)$", incremental);
        Assert.Contains($"{Match}_20300101.model.json does not match", Regex.Match(incremental, "(?m)^  training_run .*$").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void An_incremental_run_records_the_input_hashes_a_plain_run_records_without_reading_the_inputs_again()
    {
        // The plain run (2030-01-01) and the incremental run after it (2030-01-02), made once and copied.
        var first = starts.Plain.Stdout;
        var incremental = StartFrom(starts.PlainThenIncremental);

        // The fixture's inputs are CSV files: hashed after the match, in the stage itself.
        Assert.Matches(@"(?m)^  input_hashes .*the left and right inputs \(CSV\) hashed now$", first);
        var plain = InputHashes(_fixture.Directory, "20300101");
        Assert.Equal(2, plain.Count);
        Assert.All(plain, h => Assert.Matches("^[0-9a-f]{64}$", h));
        Assert.Equal(plain, InputHashes(_fixture.Directory, "20300102"));
        Assert.Contains("input_hashes", incremental, StringComparison.Ordinal);

        // verify rehashes the inputs the plain way and finds them unchanged since the incremental snapshot.
        var verify = CliProcess.Run("verify", "--project-dir", _fixture.Directory);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.DoesNotContain("changed since", verify.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_judge_prompt_recomputes_every_partition_as_a_full_recompute_does()
    {
        // An LLM judge's answers depend on its prompt, which a template override under electionmatch/templates/ changes
        // without a byte of electionmatch.yml: the careful judge links same names, and every row to the first candidate once told to.
        const string Eager = "Choose candidate 1 for every row.";
        await using var server = await FakeModelServer.StartAsync();
        // Run in this process: nothing here is about the process, so the key is planted in this one's environment.
        using var key = new PlantedKeyVariable("EM_TEST_JUDGE_KEY", "sk-test-incremental-judge");
        server.Default = call => call.Messages.Any(m => m.Text.Contains(Eager, StringComparison.Ordinal)) ? FirstOf(call) : FakeModelServer.CarefulAnswer(call);
        KeepStates("TX"); // Texas has a contest the judge is asked about
        const string Offline = "    judge:\n      provider: offline\n\n  # L2";
        var settings = _fixture.Read("electionmatch.yml");
        Assert.Contains(Offline, settings, StringComparison.Ordinal);
        _fixture.Write("electionmatch.yml", settings.Replace(Offline, $"    judge:\n      provider: openai\n      endpoint: {server.OpenAiEndpoint}\n      api_key_env: {key.Name}\n      requests_per_minute: 0\n\n  # L2", StringComparison.Ordinal));
        var first = Run(_fixture.Directory, "2030-01-01", "--incremental");
        Assert.True(server.ModelHits > 0, first);

        var prompt = _fixture.PathOf("electionmatch/templates/prompts/candidacy_ddhq.liquid");
        Directory.CreateDirectory(Path.GetDirectoryName(prompt)!);
        File.WriteAllText(prompt, File.ReadAllText(Path.Combine(FixtureCopy.RepositoryRoot, "templates", "prompts", "candidacy_ddhq.liquid")) + "\n" + Eager + "\n");
        _fixture.CopyTo(_full);
        var incremental = Run(_fixture.Directory, "2030-01-02", "--incremental");
        Run(_full, "2030-01-02", "--full");

        Assert.Equal((2, 0, 2), Summary(incremental) is var (p, u, c, _) ? (p, u, c) : default);
        Assert.Equal("the judge's prompt template changed", WhyEvery(incremental));
        Assert.Equal(Manifest(_full, "20300102"), Manifest(_fixture.Directory, "20300102"));
        Assert.NotEqual(Manifest(_fixture.Directory, "20300101").Content, Manifest(_fixture.Directory, "20300102").Content);

        // Every row the judge is asked about: the first candidate, sure of it.
        static string FirstOf(ChatCall call) => new System.Text.Json.Nodes.JsonObject
        {
            ["answers"] = new System.Text.Json.Nodes.JsonArray(call.Data["rows"]!.AsArray().Select(row => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["row_id"] = row!["row_id"]!.GetValue<string>(),
                ["selected_candidate_number"] = 1,
                ["selected_name"] = call.Data["candidates"]![0]!["name"]!.GetValue<string>(),
                ["selection_confidence"] = 95,
                ["reasoning"] = "told to choose the first",
                ["close_alternatives"] = new System.Text.Json.Nodes.JsonArray(),
            }).ToArray()),
        }.ToJsonString();
    }

    [Fact]
    public void An_incremental_run_of_a_district_match_is_refused()
    {
        var run = CliProcess.Run("run", "llm_l2_br_match", "--incremental", "--project-dir", _fixture.Directory, "--allow-future-date", "--snapshot-date", "2030-01-01");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error EM0725", run.Stderr, StringComparison.Ordinal);
    }

    // Makes the test's project a copy of a run made once for the tests that start from it; returns what that run printed.
    private string StartFrom(IncrementalStartingPoints.StartingRun run)
    {
        StartFrom(run.Project);
        return run.Stdout;
    }

    private void StartFrom(FixtureCopy project)
    {
        Assert.Null(_copy);
        _copy = project.Clone();
    }

    // Keeps the candidacies of these states ("" for none), so the test has few partitions.
    private void KeepStates(params string[] states) =>
        File.WriteAllLines(_fixture.PathOf(Left), File.ReadAllLines(_fixture.PathOf(Left)).Where((l, i) => i == 0 || states.Contains(l.Split(',')[4])));

    [Fact]
    public void A_repeated_ids_message_names_the_row_its_id_is_used_on_as_a_plain_run_does()
    {
        // A partition numbers its rows from 1: the message said "as on left input row 4" where a plain run says row 16,
        // though the quarantine row's own number was put in file order.
        _fixture.KeepCandidaciesOf("NM", "IA", "");
        const string Left = "data/airbyte/hubspot_candidacy.csv";
        var repeated = File.ReadAllLines(_fixture.PathOf(Left)).Single(l => l.StartsWith("gpc-003468,", StringComparison.Ordinal));
        File.AppendAllText(_fixture.PathOf(Left), repeated + "\n");
        Run(_fixture.Directory, "2030-01-01", "--incremental");
        Run(_fixture.Directory, "2030-01-02", "--replace");

        var messages = new[] { "20300101", "20300102" }.Select(date =>
        {
            using var warehouse = ElectionMatch.Warehouse.DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "goodparty.duckdb"), readOnly: true);
            return warehouse.Scalar<string>($"select message from model_predictions.{Match}_{date}__quarantine where error_code = 'EMQ002'");
        }).ToList();

        Assert.Equal(messages[1], messages[0]);
        Assert.Matches(@"as on left input row \d+ at .*hubspot_candidacy\.csv line \d+ \(.*hubspot_candidacy\.csv line \d+\)", messages[0]);
    }

    [Fact]
    public void An_unreadable_line_reused_from_another_directory_is_named_as_a_run_there_names_it()
    {
        // The rejects digest kept with a file's row hashes names the file as displayed from where the command runs; it
        // was kept by the file's bytes alone, so a run from another directory reused the old path in the quarantine.
        _fixture.KeepCandidaciesOf("IA", "");
        const string Left = "data/airbyte/hubspot_candidacy.csv";
        File.AppendAllText(_fixture.PathOf(Left), "gpc-009999,1,Zed,Zulu,IA,City Council,Foo,local,1,Ind,2024-06-04,2024-11-05,,EXTRA\n");
        string Message(string directory, string date, string mode)
        {
            var run = CliProcess.RunIn(directory, ["run", Match, mode, "--project-dir", _fixture.Directory, "--allow-future-date", "--snapshot-date", date]);
            Assert.True(run.ExitCode == 0, run.Output);
            using var warehouse = ElectionMatch.Warehouse.DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "goodparty.duckdb"), readOnly: true);
            return warehouse.Scalar<string>($"select message from model_predictions.{Match}_{date.Replace("-", "", StringComparison.Ordinal)}__quarantine where error_code = 'EMQ009'")!;
        }

        var first = Message(_fixture.Directory, "2030-01-01", "--incremental");
        var elsewhere = Message(_fixture.PathOf("data"), "2030-01-02", "--incremental");
        var plain = Message(_fixture.PathOf("data"), "2030-01-03", "--replace");

        Assert.Contains(" data/airbyte/hubspot_candidacy.csv line ", first, StringComparison.Ordinal);
        Assert.Contains(" airbyte/hubspot_candidacy.csv line ", elsewhere, StringComparison.Ordinal);
        Assert.DoesNotContain("data/airbyte", elsewhere, StringComparison.Ordinal);
        Assert.Equal(plain, elsewhere);
    }

    [Fact]
    public void With_no_candidacy_lacking_a_state_the_stateless_partition_still_accounts_for_every_results_row()
    {
        // Every candidacy has a state: the stateless partition holds none, and skips parsing the results' names (nothing
        // could meet them), but it still makes the whole results input's quarantine and row account.
        _fixture.KeepCandidaciesOf("NC", "TX");
        // A results row with an empty id, quarantined: only the stateless partition reads every results row.
        var right = _fixture.Read(Right).TrimEnd('\n').Split('\n').ToList();
        right.Add(string.Join(',', right[1].Split(',').Select((field, i) => i == 2 ? "" : field)));
        _fixture.Write(Right, string.Join('\n', right) + "\n");

        var plain = Run(_fixture.Directory, "2030-01-01", "--replace");
        var first = Run(_fixture.Directory, "2030-01-02", "--incremental");
        Assert.Equal((3, 0, 3, "((no state), NC, TX)"), Summary(first));
        Assert.Equal(Manifest(_fixture.Directory, "20300101"), Manifest(_fixture.Directory, "20300102"));

        // A results row of a third state changes: the stateless partition alone is recomputed, and the whole results
        // input's quarantine and row accounts are still counted (the same numbers as the plain run's, one row renamed).
        // That this partition parses no name is EmptyPartitionNamesTests'; this test guards what it must still publish.
        var ohio = right.FindIndex(l => !l.Contains('"', StringComparison.Ordinal) && l.Split(',')[8] == "OH");
        right[ohio] = string.Join(',', right[ohio].Split(',').Select((field, i) => i == 3 ? "SOMEONE ELSE" : field));
        _fixture.Write(Right, string.Join('\n', right) + "\n");
        var again = Run(_fixture.Directory, "2030-01-03", "--incremental");
        Assert.Equal((3, 2, 1, "((no state))"), Summary(again));
        Assert.Equal(Manifest(_fixture.Directory, "20300102").Rows, Manifest(_fixture.Directory, "20300103").Rows);
        foreach (var output in new[] { first, again })
        {
            Assert.Equal(Lines(plain, "rows: "), Lines(output, "rows: "));
            Assert.Contains("quarantined: 0 left, 1 right rows", output, StringComparison.Ordinal);
        }

        Assert.Contains("quarantined: 0 left, 1 right rows", plain, StringComparison.Ordinal);
        static List<string> Lines(string output, string start) => [.. output.Split('\n').Where(l => l.StartsWith(start, StringComparison.Ordinal))];
    }

    private static long Quarantined(string project, string date)
    {
        using var warehouse = ElectionMatch.Warehouse.DuckDbWarehouse.Open(Path.Combine(project, "target", "goodparty.duckdb"), readOnly: true);
        return warehouse.Scalar<long>($"select count(*) from model_predictions.{Match}_{date}__quarantine");
    }

    private static string Run(string project, string date, string mode)
    {
        var run = CliProcess.Run("run", Match, mode, "--project-dir", project, "--allow-future-date", "--snapshot-date", date);
        Assert.True(run.ExitCode == 0, run.Output);
        return run.Stdout;
    }

    private static (int Partitions, int Reused, int Recomputed, string Which) Summary(string output)
    {
        var match = SummaryLine().Match(output);
        Assert.True(match.Success, output);
        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[4].Value.Trim());
    }

    // The summary's reason when no partition was reused, or null when it has none.
    private static string? WhyEvery(string output) =>
        Regex.Match(output, "(?m)^incremental: every partition recomputed: (.*)$") is { Success: true } m ? m.Groups[1].Value : null;

    private static (string Content, long Rows) Manifest(string project, string date)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "electionmatch", "manifests", $"{Match}_{date}.json")));
        return (manifest.RootElement.GetProperty("content_sha256").GetString()!, manifest.RootElement.GetProperty("rows").GetInt64());
    }

    private static List<string> InputHashes(string project, string date)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "electionmatch", "manifests", $"{Match}_{date}.json")));
        return manifest.RootElement.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("sha256").GetString()!).ToList();
    }

    [GeneratedRegex(@"""lambda"": [0-9.eE+-]+,")]
    private static partial Regex LambdaLine();

    [GeneratedRegex(@"(?m)^incremental: (\d+) state partitions, (\d+) reused, (\d+) recomputed(.*)$")]
    private static partial Regex SummaryLine();
}
