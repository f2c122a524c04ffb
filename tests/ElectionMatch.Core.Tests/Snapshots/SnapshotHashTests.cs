using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Snapshots;

/// <summary>
/// The hashes a manifest records keep their values when computed the cheaper way: input hashes streamed sorted (or
/// beside the match) equal the aggregate earlier manifests recorded, and a snapshot's content hash read in its
/// written order equals the sorted one verify computes.
/// </summary>
public sealed class SnapshotHashTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    public SnapshotHashTests()
    {
        // Text with a comma, a quote, a line feed, non-ASCII letters and nulls: row text that renders differently per type.
        _warehouse.Execute("""
            create table people as
            select i as id, 'Name ' || i || case when i % 7 = 0 then ', "Jr."' when i % 11 = 0 then e'\nline' else '' end as name,
                case when i % 5 = 0 then null else date '2024-11-05' + cast(i as integer) end as election_date, i * 0.25 as score,
                case when i % 3 = 0 then 'José Ñúñez' end as accented
            from range(5000) as r(i);
            create table nobody as select * from people where false;
            """);
    }

    public void Dispose() => _warehouse.Dispose();

    [Theory]
    [InlineData("people")]
    [InlineData("nobody")]
    [InlineData("(select * from people where id % 2 = 0)")]
    public void The_streamed_input_hash_equals_the_sorted_aggregate_earlier_manifests_recorded(string relation)
    {
        var aggregate = _warehouse.Scalar<string>($"select sha256(coalesce(string_agg(h, '' order by h), '')) from (select md5(cast(t as varchar)) as h from {relation} as t)");

        Assert.Equal(aggregate, InputHash.Of(_warehouse, relation));
    }

    [Fact]
    public void The_input_hash_from_row_hashes_equals_the_one_read_from_the_rows()
    {
        _warehouse.Execute("create table row_hashes as select row_number() over () as rn, md5(cast(s as varchar)) as h from people as s");

        Assert.Equal(InputHash.Of(_warehouse, "people"), InputHash.OfRowHashes(_warehouse, "row_hashes"));
        Assert.NotEqual(InputHash.Of(_warehouse, "people"), InputHash.Of(_warehouse, "(select * from people where id > 0)"));
    }

    [Fact]
    public void A_table_written_in_canonical_order_hashes_in_table_order_as_verify_hashes_it_sorted()
    {
        _warehouse.Execute("set preserve_insertion_order = true; create table snapshot as select * from people order by name, id");

        var sorted = ContentHash.Of(_warehouse, "snapshot", "name, id");

        Assert.Equal(sorted, ContentHash.InTableOrder(_warehouse, "snapshot"));
        Assert.NotEqual(sorted, ContentHash.Of(_warehouse, "snapshot", "id"));

        // The bytes hashed: every row's text joined by line feeds, as the manifest says.
        var text = string.Join("\n", _warehouse.Query("select cast(t as varchar) from snapshot as t order by name, id", r => r.GetString(0)));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))), sorted);
    }
}
