using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Snapshots;

/// <summary>
/// How a run's tables are stored once it is over. A run writes its stages with DuckDB's FSST and dictionary string
/// compression off (cheaper to write, read a few times), and the published snapshot with FSST but no dictionaries.
/// A small run's tables stay in DuckDB's write-ahead log until a checkpoint, which compresses them under the settings of
/// that moment: the run now checkpoints under its own, where the warehouse's close used to compress them with every method.
/// </summary>
public sealed class StoredCompressionTests(GenerateOperationTests.RunOf20260101 runOf20260101) : IClassFixture<GenerateOperationTests.RunOf20260101>
{
    private const string Stages = "em_run_candidacy_ddhq_matches";
    private const string Snapshot = "model_predictions.candidacy_ddhq_matches_20260101";

    [Fact]
    public void A_small_runs_stages_are_stored_without_string_compression_and_its_snapshot_with_fsst_and_no_dictionaries()
    {
        using var fixture = runOf20260101.Copy();
        using var warehouse = DuckDbWarehouse.Open(fixture.WarehousePath, readOnly: true);
        var stageTables = warehouse.Query(
            $"select table_name from duckdb_tables() where schema_name = '{Stages}' order by table_name",
            r => r.GetString(0));
        Assert.Contains("right_clean", stageTables);
        Assert.True(stageTables.Count > 20, string.Join(", ", stageTables));

        // Every stage table: no segment of any column compressed with FSST or a dictionary.
        var compressedStages = stageTables
            .SelectMany(t => Methods(warehouse, $"{Stages}.{t}").Where(m => m is "FSST" or "Dictionary" or "DICT_FSST").Select(m => $"{t}: {m}"))
            .ToList();
        Assert.Empty(compressedStages);

        // The snapshot: its strings compressed, never with dictionaries.
        var snapshot = Methods(warehouse, Snapshot);
        Assert.Contains("FSST", snapshot);
        Assert.DoesNotContain("Dictionary", snapshot);
        Assert.DoesNotContain("DICT_FSST", snapshot);
    }

    // The compression of every stored segment of the table, as DuckDB names it in its storage information.
    private static List<string> Methods(DuckDbWarehouse warehouse, string table) =>
        warehouse.Query($"select distinct compression from pragma_storage_info('{table}') where persistent", r => r.GetString(0));
}
