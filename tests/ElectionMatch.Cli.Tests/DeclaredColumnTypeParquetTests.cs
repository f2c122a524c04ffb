using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// A parquet input's columns have their types, so a <c>data_type</c> the sources YAML declares for one changes nothing
/// read or published; one that differs from the column's type, for a column the match reads or keeps, is EM0029 as a
/// warning at the value, in run and check. Before, the run read and published VARCHAR while the YAML said bigint,
/// without a word.
/// </summary>
public sealed class DeclaredColumnTypeParquetTests : IDisposable
{
    private const string Csv = "data/airbyte/ddhq_election_results.csv";
    private const string Parquet = "data/airbyte/ddhq_election_results.parquet";
    private const string Location = "          external_location: \"data/airbyte/ddhq_election_results.csv\"\n";
    private const string Input = "source('airbyte_source', 'ddhq_gdrive_election_results') (data/airbyte/ddhq_election_results.parquet)";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public DeclaredColumnTypeParquetTests() => ReadFromParquet(_fixture);

    public void Dispose() => _fixture.Dispose();

    // The results as parquet, race_id written as VARCHAR (the CSV's numbers as text) and every other column as DuckDB
    // reads it from the CSV (candidate_id and votes BIGINT, is_winner BOOLEAN).
    private static void ReadFromParquet(FixtureCopy fixture)
    {
        using (var warehouse = DuckDbWarehouse.InMemory())
        {
            warehouse.Execute($"copy (select * replace (cast(race_id as varchar) as race_id) from read_csv({Sql.Literal(fixture.PathOf(Csv))})) to {Sql.Literal(fixture.PathOf(Parquet))} (format parquet)");
        }

        fixture.Replace("models/staging/__sources.yaml", Location, Location.Replace(Csv, Parquet, StringComparison.Ordinal));
    }

    // The results source's columns: block, each (column, data_type) on its own lines (the first data_type on line 27).
    private void Declare(params (string Column, string Type)[] columns)
    {
        var location = Location.Replace(Csv, Parquet, StringComparison.Ordinal);
        _fixture.Replace("models/staging/__sources.yaml", location,
            location + "        columns:\n" + string.Concat(columns.Select(c => $"          - name: {c.Column}\n            data_type: {c.Type}\n")));
    }

    private static CliProcess.Result Run(FixtureCopy fixture) => CliProcess.RunIn(fixture.Directory, "run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", ".");

    private static CliProcess.Result Check(FixtureCopy fixture) => CliProcess.RunIn(fixture.Directory, "check", "--project-dir", ".");

    // The published snapshot's type of race_id and a digest of every row, in one order.
    private static (string Type, long Rows, string Digest) Published(FixtureCopy fixture)
    {
        using var warehouse = DuckDbWarehouse.Open(fixture.WarehousePath, readOnly: true);
        const string Table = "model_predictions.candidacy_ddhq_matches_20260101";
        return (warehouse.Describe($"select ddhq_race_id from {Table}").Single().DataType,
            warehouse.Scalar<long>($"select count(*) from {Table}"),
            warehouse.Scalar<string>($"select md5(string_agg(t::varchar, '|' order by t::varchar)) from {Table} t")!);
    }

    private const string RaceIdWarning =
        "models/staging/__sources.yaml(27,24): warning EM0029: data_type BIGINT declared for column 'race_id' of " + Input +
        ", but the file's column is VARCHAR, which the run reads as it is: a parquet file's columns have their types; declare varchar, or cast it in a model and point the match at it";

    [Fact]
    public void Run_warns_at_a_data_type_that_is_not_the_parquet_columns_type_and_publishes_what_it_would_without_it()
    {
        Declare(("race_id", "bigint"));
        using var undeclared = FixtureCopy.Of("goodparty");
        ReadFromParquet(undeclared);

        var run = Run(_fixture);
        var without = Run(undeclared);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(without.ExitCode == 0, without.Output);
        Assert.Contains(RaceIdWarning, run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("EM0029", without.Output, StringComparison.Ordinal);
        Assert.Equal("VARCHAR", Published(_fixture).Type);
        Assert.Equal(Published(undeclared), Published(_fixture));
    }

    [Fact]
    public void Check_warns_at_a_data_type_that_is_not_the_parquet_columns_type_as_run_does()
    {
        Declare(("race_id", "bigint"));

        var check = Check(_fixture);

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains(RaceIdWarning, check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_spelt_otherwise_and_a_column_the_match_neither_reads_nor_keeps_say_nothing()
    {
        // text is VARCHAR and int8 BIGINT to DuckDB; votes is not mapped, so its type is nobody's concern here. is_winner,
        // which the match reads, is BOOLEAN: its declaration is the one warned for.
        Declare(("race_id", "text"), ("candidate_id", "int8"), ("votes", "varchar"), ("is_winner", "varchar"), ("race_idd", "bigint"));

        var run = Run(_fixture);
        var check = Check(_fixture);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(check.ExitCode == 0, check.Output);
        foreach (var output in new[] { run.Output, check.Output })
        {
            Assert.Equal(
                [
                    "models/staging/__sources.yaml(33,24): warning EM0029: data_type VARCHAR declared for column 'is_winner' of " + Input +
                        ", but the file's column is BOOLEAN, which the run reads as it is: a parquet file's columns have their types; declare boolean, or cast it in a model and point the match at it",
                    "models/staging/__sources.yaml(35,24): warning EM0029: data_type BIGINT is not used: column 'race_idd' is not in " + Input + "; did you mean 'race_id'?",
                ],
                output.Split('\n').Select(l => l.Trim()).Where(l => l.Contains("EM0029", StringComparison.Ordinal)).Distinct());
        }
    }

    [Fact]
    public void Run_warns_at_a_data_type_that_is_not_a_warehouse_tables_columns_type()
    {
        // The results as a table in the warehouse, where Airbyte writes them in production.
        Directory.CreateDirectory(Path.GetDirectoryName(_fixture.WarehousePath)!);
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute($"create schema raw; create table raw.ddhq_gdrive_election_results as select * from read_parquet({Sql.Literal(_fixture.PathOf(Parquet))})");
        }

        _fixture.Replace("models/staging/__sources.yaml", "        meta:\n" + Location.Replace(Csv, Parquet, StringComparison.Ordinal),
            "        schema: raw\n        columns:\n          - name: race_id\n            data_type: bigint\n");

        var run = Run(_fixture);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains(
            "models/staging/__sources.yaml(26,24): warning EM0029: data_type BIGINT declared for column 'race_id' of source('airbyte_source', 'ddhq_gdrive_election_results'), " +
            "but the table's column is VARCHAR, which the run reads as it is: a warehouse table's columns have their types; declare varchar, or cast it in a model and point the match at it",
            run.Output, StringComparison.Ordinal);
        Assert.Equal("VARCHAR", Published(_fixture).Type);
    }
}
