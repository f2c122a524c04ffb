using ElectionMatch.Matching;
using ElectionMatch.Matching.Retrieval;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Retrieval;

/// <summary>The district match's rank merge: two rankings interleaved, offline first, deduplicated, cut to k.</summary>
public sealed class RetrievalUnionTests
{
    [Fact]
    public void Interleave_alternates_offline_and_provider_keeps_each_pair_at_its_first_place_and_fills_the_provider_cosine()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var run = RunSchema.For("union_test");
        warehouse.Execute($"""
            create schema {Sql.Identifier(run.Name)};
            create table {run.Table("left_keyed")} as select 1::bigint as left_key, 'a' as query;
            create table {run.Table("right_keyed")} as select i::bigint as right_key, 'r' || i as text from range(10, 17) as t(i);
            create table {run.Table("retrieved_offline")} as
                select 1::bigint as left_key, unnest([10, 11, 12, 13])::bigint as right_key, unnest([1, 2, 3, 4]) as rank, unnest([0.9, 0.8, 0.7, 0.6])::float as score;
            create table {run.Table("retrieved")} as
                select 1::bigint as left_key, unnest([14, 10, 15, 16])::bigint as right_key, unnest([1, 2, 3, 4]) as rank, unnest([0.95, 0.85, 0.75, 0.65])::float as score;
            create schema electionmatch_cache;
            create table electionmatch_cache.embeddings (model varchar, text_sha256 varchar, vector float[]);
            insert into electionmatch_cache.embeddings values
                ('fake/m/2', sha256('a'), [1, 0]), ('fake/m/2', sha256('r11'), [0.5, 0.5]), ('fake/m/2', sha256('r12'), [0.25, 0]);
            """);
        var inputs = new RetrievalInputs(run.Table("left_keyed"), "query", "unused", run.Table("right_keyed"), "text");

        var overlap = new RetrievalUnion(warehouse, run).Interleave("retrieved", 5, inputs, "fake/m/2");

        var kept = warehouse.Query(
            $"select right_key, rank, score, array_to_string(retrievers, '+') from {run.Table("retrieved")} order by rank",
            r => (r.GetInt64(0), r.GetInt32(1), Math.Round(r.GetFloat(2), 2), r.GetString(3)));
        Assert.Equal(
        [
            (10L, 1, 0.85, "offline+provider"),
            (14L, 2, 0.95, "provider"),
            (11L, 3, 0.5, "offline"),
            (12L, 4, 0.25, "offline"),
            (15L, 5, 0.75, "provider"),
        ], kept);
        Assert.Equal(new RetrievalOverlap(2, 2, 1), overlap);
        Assert.Equal(4L, warehouse.Scalar<long>($"select count(*) from {run.Table("retrieved_provider")}"));
    }
}
