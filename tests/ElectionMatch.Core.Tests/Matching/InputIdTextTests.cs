using ElectionMatch.Matches.L2BallotReady;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Tests.Districts;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// Ids as a run reads them (IdText): trimmed of the spaces and tabs at their ends, so a padded copy of an id is a
/// repeated id (EMQ002), and a candidacy's floating id published as its integer's text.
/// </summary>
public sealed class InputIdTextTests
{
    // Before, both sides' padded copies were ids of their own: nothing was quarantined, the snapshot had rows for
    // '[ gpc-000133 ]' and '[gpc-000133]', and both lost gpc-000133's general link (1403738) to the tie.
    [Fact]
    public void A_padded_copy_of_a_text_id_is_a_repeated_id_on_both_sides_and_the_true_links_stand()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var candidacies = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        var row = File.ReadAllLines(candidacies).Single(l => l.StartsWith("gpc-000133,", StringComparison.Ordinal));
        File.AppendAllText(candidacies, " gpc-000133 " + row["gpc-000133".Length..] + "\n");
        // The results' ids as text (a CSV file's numbers are read as BIGINT), with a tab-padded copy of 1403738's row.
        RewriteAsParquet(fixture, "ddhq_election_results", "candidate_id",
            "select * replace (cast(candidate_id as varchar) as candidate_id) from src", "select * replace ('\t1403738 ' as candidate_id) from src where candidate_id = 1403738");
        using var run = MatcherRun.Of(fixture);

        var quarantined = run.Warehouse.Query(
            $"select input, error_code, coalesce(json_extract_string(original, '$.gp_candidacy_id'), json_extract_string(original, '$.candidate_id')) from {run.Table("quarantine")} order by input",
            r => (r.GetString(0), r.GetString(1), r.GetString(2)));
        var links = run.Links();
        var truth = CandidacyMatcherTests.Truth(run.Fixture);

        Assert.Equal([("left", "EMQ002", " gpc-000133 "), ("right", "EMQ002", "\t1403738 ")], quarantined);
        Assert.Contains(("gpc-000133", "general", "1403738"), links);
        Assert.True(truth.SetEquals(links), $"missed: {string.Join("; ", truth.Except(links))}; wrong: {string.Join("; ", links.Except(truth))}");
        Assert.Equal(0L, run.Warehouse.Scalar<long>($"select count(*) from {run.Table("output")} where gp_candidacy_id <> trim(gp_candidacy_id) or ddhq_candidate_id <> trim(ddhq_candidate_id)"));
    }

    // Before, only spaces and tabs were trimmed: a copy of gpc-000133 whose id ends in a no-break space, and one whose quoted
    // id holds its line's carriage return, were published as candidacies of their own beside gpc-000133, nothing quarantined.
    [Fact]
    public void A_copy_of_an_id_ending_in_an_unseen_character_is_a_repeated_id()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var candidacies = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        var row = File.ReadAllLines(candidacies).Single(l => l.StartsWith("gpc-000133,", StringComparison.Ordinal));
        File.AppendAllText(candidacies, "gpc-000133\u00A0" + row["gpc-000133".Length..] + "\n" + "\"\u200Bgpc-000133\r\"" + row["gpc-000133".Length..] + "\n");
        using var run = MatcherRun.Of(fixture);

        var quarantined = run.Warehouse.Query(
            $"select error_code, json_extract_string(original, '$.gp_candidacy_id') from {run.Table("quarantine")} where input = 'left' order by all",
            r => (r.GetString(0), r.GetString(1)));

        Assert.Equal([("EMQ002", "gpc-000133\u00A0"), ("EMQ002", "\u200Bgpc-000133\r")], quarantined);
        Assert.Equal(["gpc-000133"], run.Warehouse.Query($"select distinct gp_candidacy_id from {run.Table("output")} where gp_candidacy_id like '%gpc-000133%'", r => r.GetString(0)));
        Assert.Equal("gpc-000133", IdText.Trim("\uFEFF gpc-000133\u202F\r\n"));
    }

    // Before: '1000000000000133.0' and '1e+16', which explain did not take for 1000000000000133 and 10000000000000000.
    [Fact]
    public void A_floating_candidacy_id_is_published_as_its_integer_and_a_fraction_as_written()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        RewriteAsParquet(fixture, "hubspot_candidacy", "gp_candidacy_id", $"select * replace ({FloatId("gp_candidacy_id")} as gp_candidacy_id) from src");
        using var run = MatcherRun.Of(fixture);

        var published = run.Warehouse.Query($"select distinct gp_candidacy_id from {run.Table("output")}", r => r.GetString(0)).ToHashSet();
        var links = run.Links();
        var truth = CandidacyMatcherTests.Truth(run.Fixture).Select(t => (FloatIdText(t.Item1), t.Item2, t.Item3)).ToHashSet();

        Assert.Equal("VARCHAR", run.Warehouse.Scalar<string>($"select typeof(gp_candidacy_id) from {run.Table("output")} limit 1"));
        Assert.Contains("10000000000000000", published);
        Assert.Contains("1000000000000132.5", published);
        Assert.DoesNotContain(published, id => id.EndsWith(".0", StringComparison.Ordinal) || id.Contains('e', StringComparison.Ordinal));
        Assert.True(truth.SetEquals(links), $"missed: {string.Join("; ", truth.Except(links))}; wrong: {string.Join("; ", links.Except(truth))}");
    }

    // A header the sniffer's written-out read cannot carry (a quote in a name) keeps DuckDB's detecting read. Before, the
    // id's type was then unknown, and a padded text results id was published as written, spaces and all.
    [Fact]
    public void A_text_id_of_a_file_read_by_detection_is_published_trimmed()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var results = fixture.PathOf("data/airbyte/ddhq_election_results.csv");
        using (var duckdb = DuckDbWarehouse.InMemory())
        {
            var rewritten = results + ".new";
            duckdb.Execute($"copy (select * replace ('ddhq-' || candidate_id as candidate_id), 'kept' as \"editor's note\" from read_csv({Sql.Literal(results)})) to {Sql.Literal(rewritten)} (header)");
            File.Move(rewritten, results, overwrite: true);
        }

        File.WriteAllLines(results, File.ReadAllLines(results).Select(l => l.Replace(",ddhq-1403738,", ", ddhq-1403738 ,", StringComparison.Ordinal)));
        using var run = MatcherRun.Of(fixture);

        var published = run.Warehouse.Query($"select distinct ddhq_candidate_id from {run.Table("output")} where ddhq_candidate_id like '%1403738%'", r => r.GetString(0));

        Assert.Equal(["ddhq-1403738"], published);
        Assert.Equal(0L, run.Warehouse.Scalar<long>($"select count(*) from {run.Table("output")} where ddhq_candidate_id <> trim(ddhq_candidate_id)"));
    }

    // The district match publishes both ids in their input's type; a text id is published trimmed. Before, the padded
    // copy was a position of its own and both linked.
    [Fact]
    public void A_padded_copy_of_a_text_position_id_is_a_repeated_id()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        RewriteAsParquet(fixture, "ballotready_positions", "br_database_id",
            "select * replace (cast(br_database_id as varchar) as br_database_id) from src", "select * replace ('144850\t' as br_database_id) from src where br_database_id = 144850");
        using var warehouse = DuckDbWarehouse.Open(fixture.PathOf("target/district-ids.duckdb"));
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        var settings = context.Settings.Match(DistrictMatcherRun.Match);
        var inputs = new RunOperation(context).ResolveInputs(warehouse, settings);
        new L2BallotReadyMatcher(warehouse, settings, RunSchema.For(DistrictMatcherRun.Match)) { Threads = 2 }.Run(inputs);
        var table = RunSchema.For(DistrictMatcherRun.Match).Table;

        var quarantined = warehouse.Query(
            $"select input, error_code, json_extract_string(original, '$.br_database_id') from {table("quarantine")}",
            r => (r.GetString(0), r.GetString(1), r.GetString(2)));

        Assert.Equal([("left", "EMQ002", "144850\t")], quarantined);
        Assert.Equal(["144850"], warehouse.Query($"select br_database_id from {table("output")} where trim(br_database_id, ' \t') = '144850'", r => r.GetString(0)));
    }

    // gpc-000133 as 10^16 (DOUBLE's text '1e+16'), gpc-000132 with a fraction, any other gpc-N as 10^15 + N.
    private static string FloatId(string column) => $"""
        case {column}
            when 'gpc-000133' then cast(1e16 as double)
            when 'gpc-000132' then cast(1000000000000132.5 as double)
            else cast(1000000000000000 + cast(substr({column}, 5) as bigint) as double)
        end
        """;

    private static string FloatIdText(string id) => id switch
    {
        "gpc-000133" => "10000000000000000",
        "gpc-000132" => "1000000000000132.5",
        _ => (1_000_000_000_000_000L + long.Parse(id[4..], System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    // The input's CSV file as a Parquet file, written by select (over the file as src) with the rows of appended after
    // its own, and the source pointed at it.
    private static void RewriteAsParquet(FixtureCopy fixture, string input, string id, string select, string? appended = null)
    {
        var csv = fixture.PathOf($"data/airbyte/{input}.csv");
        var parquet = fixture.PathOf($"data/airbyte/{input}.parquet");
        using (var duckdb = DuckDbWarehouse.InMemory())
        {
            var rows = appended is null ? select : $"select * exclude (em_part) from (select *, 0 as em_part from ({select}) union all select *, 1 from ({appended})) order by em_part";
            duckdb.Execute($"copy (with src as (select * from read_csv({Sql.Literal(csv)})) {rows}) to {Sql.Literal(parquet)}");
            Assert.NotEqual("BIGINT", duckdb.Scalar<string>($"select typeof({Sql.Identifier(id)}) from {Sql.Literal(parquet)} limit 1"));
        }

        fixture.Replace("models/staging/__sources.yaml", $"data/airbyte/{input}.csv", $"data/airbyte/{input}.parquet");
    }
}
