using ElectionMatch.Matching.Scoring;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The random pairs u is trained on are each sampled row's lowest hashes in its partition. The sample passes a hash
/// threshold before the bounded heap; it must draw exactly the pairs the heap over every partition member draws,
/// including for rows too few of whose pairs pass the threshold, which are drawn again over the whole partition.
/// </summary>
public sealed class RandomPairsTests : IDisposable
{
    private const int LeftRows = 300;
    private const int PairsPerRow = 100;

    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    public RandomPairsTests()
    {
        // Partitions of 0 (no members), 7, 100, 401, 2,000 and 30,000 members: below, at and above the threshold's reach.
        _warehouse.Execute("""
            create table sizes as select * from (values (1, 0), (2, 7), (3, 100), (4, 401), (5, 2000), (6, 30000)) as v(group_id, members);
            create table left_rows as select i as left_key, 1 + i % 6 as group_id from range(1, 3001) as r(i);
            create table members as
            select s.group_id, s.group_id * 100000 + m.i as right_key
            from sizes as s, range(1, 30001) as m(i)
            where m.i <= s.members;
            """);
    }

    public void Dispose() => _warehouse.Dispose();

    [Theory]
    [InlineData(RandomPairs.DefaultOversample)]
    [InlineData(1)]
    public void The_threshold_draws_the_pairs_the_heap_over_every_member_draws(int oversample)
    {
        _warehouse.Execute($"create or replace table drawn as {RandomPairs.Sql("left_rows", "members", LeftRows, PairsPerRow, oversample)}");

        Assert.Equal(0, _warehouse.Scalar<long>($"select count(*) from ((from drawn) except all ({Reference()}))"));
        Assert.Equal(0, _warehouse.Scalar<long>($"select count(*) from (({Reference()}) except all (from drawn))"));
        Assert.Equal(_warehouse.Scalar<long>($"select count(*) from ({Reference()})"), _warehouse.Scalar<long>("select count(*) from drawn"));
        Assert.True(_warehouse.Scalar<long>("select count(*) from drawn") > 0);
    }

    [Fact]
    public void With_no_oversampling_some_rows_are_drawn_again_over_their_whole_partition()
    {
        // The rows whose partition is above the threshold's reach but too few of whose pairs pass: the path the theory
        // above must also get right with oversample 1.
        var threshold = PairsPerRow;
        var drawnAgain = _warehouse.Scalar<long>($"""
            with sampled as (select left_key, group_id from left_rows order by hash(left_key), left_key limit {LeftRows})
            select count(*) from (
                select l.left_key
                from sampled as l join sizes as s using (group_id) join members as m using (group_id)
                where s.members > {threshold}
                group by l.left_key, s.members
                having count(*) filter (where hash(l.left_key, m.right_key) < cast({threshold}.0 / s.members * 1.8e19 as ubigint)) < {PairsPerRow}
            )
            """);
        Assert.True(drawnAgain > 0);
    }

    // The definition: each sampled row's lowest hashes among all its partition's members.
    private static string Reference() => $"""
        with
            sampled_left as (select left_key, group_id from left_rows order by hash(left_key), left_key limit {LeftRows}),
            pairs as (
                select l.left_key, min_by(m.right_key, hash(l.left_key, m.right_key), {PairsPerRow}) as right_keys
                from sampled_left as l join members as m using (group_id)
                group by l.left_key
            )
        select left_key, unnest(right_keys) as right_key, cast(null as float) as cosine from pairs
        """;
}
