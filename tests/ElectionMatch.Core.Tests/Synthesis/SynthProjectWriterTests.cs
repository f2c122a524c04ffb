using System.Security.Cryptography;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Synthesis;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Synthesis;

/// <summary>The written project: goodparty's layout and columns, byte-identical for a seed, truth that agrees with the parquet files.</summary>
public sealed class SynthProjectWriterTests : IDisposable
{
    private readonly List<string> _directories = [];

    public void Dispose()
    {
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "em-synth-test-" + Guid.NewGuid().ToString("N")[..12]);
        _directories.Add(directory);
        return directory;
    }

    private string Write(int rows = 2000, int seed = 1, PerturbationRates? rates = null)
    {
        var directory = NewDirectory();
        SynthProjectWriter.Write(directory, new SynthSettings(rows, seed) { Rates = rates ?? new PerturbationRates() }, force: false);
        return directory;
    }

    private static Dictionary<string, string> Hashes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    private static List<string> Columns(DuckDbWarehouse warehouse, string file) =>
        warehouse.Describe($"select * from {Sql.Literal(file)}").Select(c => c.Name).ToList();

    [Fact]
    public void The_project_has_goodpartys_layout_and_input_columns()
    {
        var directory = Write();
        var goodparty = Path.Combine(FixtureCopy.RepositoryRoot, "dbt_fixtures", "goodparty");
        using var warehouse = DuckDbWarehouse.InMemory();

        Assert.Equal(
            Columns(warehouse, Path.Combine(goodparty, "data/airbyte/hubspot_candidacy.csv")),
            Columns(warehouse, Path.Combine(directory, SynthProjectWriter.CandidacyParquet)));
        Assert.Equal(
            Columns(warehouse, Path.Combine(goodparty, "data/airbyte/ddhq_election_results.csv")),
            Columns(warehouse, Path.Combine(directory, SynthProjectWriter.ResultsParquet)));
        Assert.Equal(
            File.ReadLines(Path.Combine(goodparty, "truth/candidacy_ddhq_matches.csv")).First(),
            File.ReadLines(Path.Combine(directory, SynthProjectWriter.TruthFile)).First());

        // The same settings as goodparty's, from the snapshots section to the end of the candidacy match (only the
        // header comment differs; a synthetic project has only the candidacy match, not goodparty's later matches or zip_codes).
        static string Settings(string path)
        {
            var text = File.ReadAllText(path).ReplaceLineEndings("\n");
            text = text[text.IndexOf("snapshots:", StringComparison.Ordinal)..];
            var end = text.IndexOf("\n\n", text.IndexOf("candidacy_ddhq_matches:", StringComparison.Ordinal), StringComparison.Ordinal);
            return end < 0 ? text : text[..(end + 1)];
        }

        Assert.Equal(Settings(Path.Combine(goodparty, "electionmatch.yml")), Settings(Path.Combine(directory, "electionmatch.yml")));

        var context = ProjectContext.Load(new ProjectOptions(directory));
        Assert.Equal("synth", context.Project.Name);
        Assert.Equal(Path.Combine(directory, "target", "synth.duckdb"), context.Target.DatabasePath);
        Assert.Equal(SynthProjectWriter.CandidacyParquet, context.Sources.Find("airbyte_source", "hubspot_api_candidacy")!.ExternalLocation);
        Assert.Equal(SynthProjectWriter.ResultsParquet, context.Sources.Find("airbyte_source", "ddhq_gdrive_election_results")!.ExternalLocation);
        context.Settings.Match("candidacy_ddhq_matches");
        Assert.True(Directory.Exists(Path.Combine(directory, "models/staging/model_predictions_source")));
    }

    [Fact]
    public void The_same_seed_writes_byte_identical_files_and_another_seed_other_data()
    {
        var first = Hashes(Write(seed: 42));
        var again = Hashes(Write(seed: 42));
        var other = Hashes(Write(seed: 43));

        Assert.Equal(first, again);
        Assert.NotEqual(first[SynthProjectWriter.CandidacyParquet], other[SynthProjectWriter.CandidacyParquet]);
        Assert.NotEqual(first[SynthProjectWriter.ResultsParquet], other[SynthProjectWriter.ResultsParquet]);
        Assert.NotEqual(first[SynthProjectWriter.TruthFile], other[SynthProjectWriter.TruthFile]);
    }

    [Fact]
    public void The_truth_file_agrees_with_the_parquet_inputs()
    {
        var directory = Write(3000);
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute($"""
            create view h as select * from {Sql.Literal(Path.Combine(directory, SynthProjectWriter.CandidacyParquet))};
            create view d as select * from {Sql.Literal(Path.Combine(directory, SynthProjectWriter.ResultsParquet))};
            create view t as select * from read_csv({Sql.Literal(Path.Combine(directory, SynthProjectWriter.TruthFile))}, header = true, all_varchar = true);
            """);

        // A pair is on a stage HubSpot lists (its date is the race's), or on a runoff HubSpot does not list (next test).
        Assert.True(warehouse.Scalar<long>("select count(*) from t") > 1000);
        Assert.Equal(0, warehouse.Scalar<long>("""
            select count(*)
            from t
            left join h using (gp_candidacy_id)
            left join d on d.candidate_id = cast(t.ddhq_candidate_id as bigint)
            where h.gp_candidacy_id is null
                or d.candidate_id is null
                or d.election_type <> t.election_type
                or (d.election_date is distinct from case t.election_type
                        when 'primary' then h.primary_election_date
                        when 'general' then h.general_election_date
                        else h.runoff_election_date end
                    and not (t.election_type = 'runoff' and d.election_date > coalesce(least(h.primary_election_date, h.general_election_date), h.runoff_election_date)))
                or (h.state is not null and h.state <> d.state)
            """));
        Assert.Equal(0, warehouse.Scalar<long>("select count(*) - count(distinct ddhq_candidate_id) from t"));
        Assert.Equal(0, warehouse.Scalar<long>("select count(*) - count(distinct (gp_candidacy_id, election_type)) from t where election_type <> 'runoff'"));

        // Most results rows are nobody's in HubSpot, and some candidacies have no true match at all.
        Assert.True(warehouse.Scalar<long>("select count(*) from d") > 4 * warehouse.Scalar<long>("select count(*) from t"));
        Assert.True(warehouse.Scalar<long>("select count(*) from h anti join t using (gp_candidacy_id)") > 0);
    }

    [Fact]
    public void The_truth_lists_each_runoff_the_person_ran_in_that_hubspot_does_not_list_after_a_true_stage()
    {
        // From the parquet files alone: a runoff row of the same seat (the race name without its stage), state and year as
        // a true pair's row on a stage HubSpot lists, on a later date, that prints the same name (a race may print it in
        // upper case or "Last, First"), and that is not the runoff HubSpot lists, is the person's runoff the match must
        // discover (spec 000, step 6). Before, the truth held only the stages HubSpot lists, so a correct discovered runoff
        // counted as a false link.
        var directory = Write(10_000, seed: 2);
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute($"""
            create view h as select * from {Sql.Literal(Path.Combine(directory, SynthProjectWriter.CandidacyParquet))};
            create view d as
            select
                *,
                regexp_replace(race_name, ' - [^-]*$', '') as seat,
                list_sort(string_split(upper(replace(candidate, ',', '')), ' ')) as name_tokens
            from {Sql.Literal(Path.Combine(directory, SynthProjectWriter.ResultsParquet))};
            create view t as
            select gp_candidacy_id, election_type, cast(ddhq_candidate_id as bigint) as candidate_id
            from read_csv({Sql.Literal(Path.Combine(directory, SynthProjectWriter.TruthFile))}, header = true, all_varchar = true);
            create table listed as
            select t.gp_candidacy_id, d.*
            from t join h using (gp_candidacy_id) join d using (candidate_id)
            where d.election_date = case t.election_type
                when 'primary' then h.primary_election_date
                when 'general' then h.general_election_date
                else h.runoff_election_date end;
            create table implied as
            select distinct l.gp_candidacy_id, o.candidate_id
            from listed as l
            join d as o
                on o.election_type = 'runoff' and o.state = l.state and o.seat = l.seat and o.name_tokens = l.name_tokens
                and year(o.election_date) = year(l.election_date) and o.election_date > l.election_date
            join h on h.gp_candidacy_id = l.gp_candidacy_id
            where o.election_date is distinct from h.runoff_election_date;
            create table unlisted as
            select gp_candidacy_id, candidate_id from t where election_type = 'runoff'
            except
            select gp_candidacy_id, candidate_id from listed;
            """);

        Assert.True(warehouse.Scalar<long>("select count(*) from implied") >= 10, "too few unlisted runoffs to test");
        Assert.Equal(0, warehouse.Scalar<long>("select count(*) from (select * from implied except select * from unlisted)"));
        Assert.Equal(0, warehouse.Scalar<long>("select count(*) from (select * from unlisted except select * from implied)"));

        // Both kinds (the seed has both): a runoff whose date HubSpot left blank, and a primary runoff before the general
        // runoff HubSpot lists, where the candidacy has two runoff pairs.
        Assert.True(warehouse.Scalar<long>("select count(*) from implied join h using (gp_candidacy_id) where h.runoff_election_date is null") > 0);
        Assert.True(warehouse.Scalar<long>("select count(*) from implied join h using (gp_candidacy_id) where h.runoff_election_date is not null") > 0);
        Assert.Equal(
            warehouse.Scalar<long>("select count(*) from implied join h using (gp_candidacy_id) where h.runoff_election_date is not null"),
            warehouse.Scalar<long>("select count(*) from (select gp_candidacy_id from t where election_type = 'runoff' group by all having count(*) = 2)"));
    }

    [Fact]
    public void The_perturbations_file_lists_every_dated_stage_with_its_tags()
    {
        var directory = Write(2000, rates: new PerturbationRates { MissingState = 0.2 });
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute($"""
            create view h as select * from {Sql.Literal(Path.Combine(directory, SynthProjectWriter.CandidacyParquet))};
            create view p as select * from read_csv({Sql.Literal(Path.Combine(directory, SynthProjectWriter.PerturbationsFile))}, header = true, all_varchar = true);
            create view t as select * from read_csv({Sql.Literal(Path.Combine(directory, SynthProjectWriter.TruthFile))}, header = true, all_varchar = true);
            """);

        // A row per dated stage, then a row per runoff HubSpot does not list (a truth pair, tagged unlisted_runoff).
        Assert.Equal(
            warehouse.Scalar<long>("select count(primary_election_date) + count(general_election_date) + count(runoff_election_date) from h"),
            warehouse.Scalar<long>("select count(*) from p where not contains(coalesce(perturbations, ''), 'unlisted_runoff')"));
        Assert.True(warehouse.Scalar<long>("select count(*) from p where contains(perturbations, 'unlisted_runoff') and election_type = 'runoff'") > 0);
        Assert.Equal(warehouse.Scalar<long>("select count(*) from p where contains(perturbations, 'unlisted_runoff')"), warehouse.Scalar<long>("select count(*) from p where contains(perturbations, 'unlisted_runoff') and election_type = 'runoff'"));
        Assert.Equal(warehouse.Scalar<long>("select count(*) from t"), warehouse.Scalar<long>("select count(ddhq_candidate_id) from p"));
        Assert.Equal(0, warehouse.Scalar<long>("select count(*) from (select gp_candidacy_id, election_type, ddhq_candidate_id from t except select gp_candidacy_id, election_type, ddhq_candidate_id from p)"));
        Assert.Equal(0, warehouse.Scalar<long>("""
            select count(*) from p join h using (gp_candidacy_id)
            where contains(coalesce(p.perturbations, ''), 'missing_state') <> (h.state is null)
            """));
        Assert.True(warehouse.Scalar<long>("select count(*) from h where state is null") > 300);
    }

    [Fact]
    public void Every_candidacy_of_a_person_who_ran_in_more_than_one_cycle_is_tagged_repeat_candidate()
    {
        var directory = Write(2000, rates: new PerturbationRates { RepeatCandidate = 0.3 });
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute($"""
            create view h as select * from {Sql.Literal(Path.Combine(directory, SynthProjectWriter.CandidacyParquet))};
            create view p as select * from read_csv({Sql.Literal(Path.Combine(directory, SynthProjectWriter.PerturbationsFile))}, header = true, all_varchar = true);
            create view repeated as select gp_candidacy_id from h qualify count(*) over (partition by hubspot_contact_id) > 1;
            """);

        // Before, only the later candidacies were tagged: a person's first was written before they ran again.
        Assert.True(warehouse.Scalar<long>("select count(*) from repeated") > 300);
        Assert.Equal(0, warehouse.Scalar<long>("""
            select count(*) from p
            where list_contains(string_split(coalesce(perturbations, ''), ';'), 'repeat_candidate') <> (gp_candidacy_id in (select gp_candidacy_id from repeated))
            """));
    }

    [Fact]
    public void A_non_empty_directory_is_refused_and_force_replaces_only_what_synth_writes()
    {
        var directory = NewDirectory();
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "notes.txt"), "mine");

        var refused = Assert.Throws<DiagnosticException>(() => SynthProjectWriter.Write(directory, new SynthSettings(100, 1), force: false));
        Assert.Equal(Codes.SynthOutputNotEmpty, refused.Diagnostics[0].Code);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName));

        SynthProjectWriter.Write(directory, new SynthSettings(100, 1), force: true);
        Directory.CreateDirectory(Path.Combine(directory, "target"));
        File.WriteAllText(Path.Combine(directory, "target", "stale.duckdb"), "old warehouse");
        SynthProjectWriter.Write(directory, new SynthSettings(100, 2), force: true);

        Assert.Equal("mine", File.ReadAllText(Path.Combine(directory, "notes.txt")));
        Assert.False(File.Exists(Path.Combine(directory, "target", "stale.duckdb")));
        Assert.True(File.Exists(Path.Combine(directory, SynthProjectWriter.TruthFile)));
    }

    [Fact]
    public void Force_keeps_the_users_files_in_synths_folders_and_removes_what_runs_on_the_old_data_wrote()
    {
        var directory = Write(rows: 100);
        string[] mine = ["models/marts/mine.sql", "data/extra.csv", "data/airbyte/other.csv", "truth/notes.md", "electionmatch/templates/staging/model.sql.liquid"];
        // .bench-key: bench's stamp vouched for the old files, and bench reported the new project's figures as the stamp's.
        string[] stale = ["target/synth.duckdb", "target/model_predictions/old.parquet", "electionmatch/manifests/old.json", "models/staging/model_predictions_source/stg_old.sql", ".bench-key"];
        foreach (var file in mine.Concat(stale))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(directory, file))!);
            File.WriteAllText(Path.Combine(directory, file), "old");
        }

        SynthProjectWriter.Write(directory, new SynthSettings(100, 2), force: true);

        // Before, --force deleted data/, models/, truth/, target/ and electionmatch/ with everything in them.
        Assert.All(mine, file => Assert.True(File.Exists(Path.Combine(directory, file)), file + " was deleted"));
        Assert.All(stale, file => Assert.False(File.Exists(Path.Combine(directory, file)), file + " was kept"));
        Assert.Equal(Hashes(Write(rows: 100, seed: 2))[SynthProjectWriter.TruthFile], Hashes(directory)[SynthProjectWriter.TruthFile]);
        Assert.True(Directory.Exists(Path.Combine(directory, "models/staging/model_predictions_source")));
        Assert.True(Directory.Exists(Path.Combine(directory, "electionmatch/manifests")));
    }
}
