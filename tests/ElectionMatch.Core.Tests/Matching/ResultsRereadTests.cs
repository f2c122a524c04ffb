using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A results parquet file is numbered by its reader, so right_input keeps only what quarantine reads and right_clean
/// reads the file again. The same rows from a CSV file are kept whole in right_input, as before; both ways must
/// quarantine, clean and publish the same rows.
/// </summary>
public sealed class ResultsRereadTests
{
    // A repeated id (1402004 is the file's first row), a control character, a name without a letter, an impossible
    // date and an unknown state: each check quarantine makes of a results row, on rows that are otherwise good.
    private const string BadRows = """
        281028,AL Huntsville Board of Education - District 4 - Primary,1402004,ANN LEE,Nonpartisan,false,12,2024-03-05,AL,primary,School Board,4,false
        281028,AL Huntsville Board of Education - District 4 - Primary,9900001,ANN LEE,Nonpartisan,false,12,2024-03-05,AL,primary,School Board,4,false
        281028,AL Huntsville Board of Education - District 4 - Primary,9900002,1234,Nonpartisan,false,12,2024-03-05,AL,primary,School Board,4,false
        281028,AL Huntsville Board of Education - District 4 - Primary,9900003,ANN LEE,Nonpartisan,false,12,2024-02-30,AL,primary,School Board,4,false
        281028,AL Huntsville Board of Education - District 4 - Primary,9900004,ANN LEE,Nonpartisan,false,12,2024-03-05,ZZ,primary,School Board,4,false

        """;

    [Fact]
    public void A_results_file_read_again_quarantines_cleans_and_publishes_the_rows_kept_whole()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var csv = fixture.PathOf("data/airbyte/ddhq_election_results.csv");
        File.AppendAllText(csv, BadRows.Replace("9900001,ANN LEE", "9900001,ANN\u0001 LEE", StringComparison.Ordinal));
        var parquet = Path.ChangeExtension(csv, ".parquet");
        using (var duckdb = DuckDbWarehouse.InMemory())
        {
            duckdb.Execute($"copy (select * from read_csv({Sql.Literal(csv)})) to {Sql.Literal(parquet)} (format parquet)");
        }

        using var run = MatcherRun.Of(fixture);
        var kept = Tables(run);
        Assert.Contains(run.Warehouse.Describe($"select * from {run.Table("right_input")}"), c => c.Name == "candidate");

        var sources = fixture.PathOf("models/staging/__sources.yaml");
        File.WriteAllText(sources, File.ReadAllText(sources).Replace("data/airbyte/ddhq_election_results.csv", "data/airbyte/ddhq_election_results.parquet", StringComparison.Ordinal));
        MatcherRun.RunAgain(fixture, run.Warehouse);
        var reread = Tables(run);

        // The parquet run took the narrow way: right_input has no mapped columns but the id of a row kept whole.
        var columns = run.Warehouse.Describe($"select * from {run.Table("right_input")}").Select(c => c.Name).ToList();
        Assert.DoesNotContain("candidate", columns);
        Assert.Equal(kept.Read, reread.Read);
        Assert.Equal(["EMQ002", "EMQ003", "EMQ004", "EMQ005", "EMQ007"], reread.Quarantine.Select(q => q.Split('|')[2]).Order());
        Assert.Equal(kept.Quarantine, reread.Quarantine);
        Assert.Equal(kept.Cleaned.Count, reread.Cleaned.Count);
        Assert.Equal(kept.Cleaned, reread.Cleaned);
        Assert.Equal(kept.Output, reread.Output);
    }

    private static (long Read, List<string> Quarantine, List<string> Cleaned, List<string> Output) Tables(MatcherRun run) => (
        run.Warehouse.Scalar<long>($"select count(*) from {run.Table("right_input")}"),
        // The original row's values as text: a CSV's columns the match does not read are read as text (so a word in one
        // cannot quarantine a row), the parquet copy's are typed, so `"votes":"12"` there is `"votes":12` here.
        Rows(run, $"select input, row_number, error_code, message, (select string_agg(k || '=' || coalesce(json_extract_string(original, '$.\"' || k || '\"'), 'null'), ',') from unnest(json_keys(original)) as u(k)) from {run.Table("quarantine")} order by input, row_number"),
        Rows(run, $"select * from {run.Table("right_keyed")} order by right_key"),
        Rows(run, $"select * from {run.Table("output")} order by all"));

    // Every row as the text of its struct, so rows compare whole whatever their columns.
    private static List<string> Rows(MatcherRun run, string query) =>
        run.Warehouse.Query($"select concat_ws('|', *columns(*)) from ({query}) as t", r => r.IsDBNull(0) ? "" : r.GetString(0));
}
