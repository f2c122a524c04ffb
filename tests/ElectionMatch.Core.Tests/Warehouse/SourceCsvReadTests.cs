using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Warehouse;

/// <summary>
/// A source whose <c>external_location</c> is one CSV file is sniffed once by a command's resolver, and every read of it
/// after that is DuckDB's sniffed read written out (<c>read_csv(…, auto_detect=false, …)</c>): check reads a source
/// several times (its staging model, the source itself, each reference of a zip code model), and each read of the plain
/// path sniffed the file again. The read written out must read what DuckDB's detection reads.
/// </summary>
public sealed class SourceCsvReadTests : IDisposable
{
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData("ddhq_gdrive_election_results")]
    [InlineData("hubspot_api_candidacy")]
    public void A_csv_source_is_read_with_its_sniffed_dialect_written_out_and_reads_what_detection_reads(string table)
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var entry = context.Sources.Find("airbyte_source", table)!;
        var literal = Sql.Literal(context.Project.Resolve(entry.ExternalLocation!));

        var read = context.Resolver(warehouse).Relation(entry);

        Assert.StartsWith("read_csv(" + literal + ", auto_detect=false, ", read, StringComparison.Ordinal);
        Assert.Equal(warehouse.Describe("select * from " + literal), warehouse.Describe("select * from " + read));
        Assert.Equal(Rows(warehouse, literal), Rows(warehouse, read));
    }

    [Fact]
    public void A_resolver_sniffs_a_file_once_and_a_new_resolver_sniffs_it_again()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var entry = context.Sources.Find("airbyte_source", "l2_districts")!;
        var resolver = context.Resolver(warehouse);
        var first = resolver.Relation(entry);

        // A column more: a new sniff would name it; this resolver's read is the one it found.
        var path = context.Project.Resolve(entry.ExternalLocation!);
        File.WriteAllLines(path, File.ReadAllLines(path).Select((line, i) => line + (i == 0 ? ",added" : ",1")));

        Assert.Same(first, resolver.Relation(entry));
        Assert.Contains("'added': 'BIGINT'", context.Resolver(warehouse).Relation(entry), StringComparison.Ordinal);
        Assert.DoesNotContain("added", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_warehouse_or_for_a_file_the_sniffer_cannot_read_the_path_is_read_with_detection()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var entry = context.Sources.Find("airbyte_source", "l2_districts")!;
        var path = context.Project.Resolve(entry.ExternalLocation!);

        Assert.Equal(Sql.Literal(path), context.Resolver(null).Relation(entry));

        // Not UTF-8: the sniffer refuses it, and the read keeps DuckDB's own detection and its own error.
        File.WriteAllBytes(path, [.. "district,state\n"u8, 0xC3, 0x28, .. ",TX\n"u8]);
        Assert.Equal(Sql.Literal(path), context.Resolver(warehouse).Relation(entry));
    }

    [Fact]
    public void A_path_holding_a_quote_keeps_detection()
    {
        // sniff_csv writes the path between quotes without escaping it, so its read cannot be taken as written.
        using var warehouse = DuckDbWarehouse.InMemory();
        var quoted = _fixture.PathOf("data/airbyte/o'brien.csv");
        File.WriteAllText(quoted, "id,name\n1,O'Brien\n");
        _fixture.Write("models/staging/__sources.yaml", _fixture.Read("models/staging/__sources.yaml")
            .Replace("data/airbyte/l2_districts.csv", "data/airbyte/o'brien.csv", StringComparison.Ordinal));
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var entry = context.Sources.Find("airbyte_source", "l2_districts")!;

        var read = context.Resolver(warehouse).Relation(entry);

        Assert.Equal(Sql.Literal(quoted), read);
        Assert.Equal(["1|O'Brien"], Rows(warehouse, read));
    }

    private static List<string> Rows(DuckDbWarehouse warehouse, string relation) =>
        warehouse.Query($"select * from {relation}", r => string.Join('|', Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
}
