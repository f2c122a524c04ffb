using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The sounds-alike rule's shared given name (rule A) counts the formal names a first middle name stands for, on either
/// side, as it counts the first name's: H Doug Owens meets DOUGLAS OWENS, and Douglas Owens meets H DOUG OWENS. A handful
/// of rows in one partition, with the name columns cleaning gives them, through <see cref="SoundsAlike"/> itself.
/// </summary>
public sealed class SoundsAlikeMiddleNameTests : IDisposable
{
    private static readonly RunSchema Run = RunSchema.For("sounds_middle");

    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    public SoundsAlikeMiddleNameTests()
    {
        _warehouse.Execute($"create schema {Sql.Identifier(Run.Name)}");
        ReferenceData.LoadNicknames(_warehouse, Run, "nicknames");
        ReferenceData.DeriveFirstNameGroups(_warehouse, Run, "nicknames", "first_name_groups");
    }

    public void Dispose() => _warehouse.Dispose();

    // Rows (key, first name, middle name, surname) as cleaning writes their name columns: the groups looked up as it does.
    private void Rows(string table, string key, params (int Key, string First, string? Middle, string Last)[] rows)
    {
        static string Text(string? s) => s is null ? "null" : Sql.Literal(s);
        var values = string.Join(", ", rows.Select(r => $"({r.Key}, {Text(r.First)}, {Text(r.Middle)}, {Text(r.Last)})"));
        _warehouse.Execute($"""
            create table {Run.Table(table)} as
            select
                1::bigint as group_id, n.k::bigint as {key}, [n.last_name] as surname_words, n.first_name, null::varchar as nickname,
                n.middle1, coalesce(g.groups, [n.first_name]) as first_groups, gm.groups as middle_groups,
                'name: ' || n.first_name || ' ' || n.last_name as embedding_text
            from (values {values}) as n (k, first_name, middle1, last_name)
            left join {Run.Table("first_name_groups")} as g on g.name = n.first_name
            left join {Run.Table("first_name_groups")} as gm on gm.name = n.middle1
            """);
    }

    [Fact]
    public void A_middle_name_short_for_the_other_sides_first_name_pairs_either_way()
    {
        Rows("left_rows", "left_key", (1, "h", "doug", "owens"), (2, "douglas", null, "owens"));
        Rows("right_rows", "right_key", (1, "douglas", null, "owens"), (2, "h", "doug", "owens"), (3, "frank", null, "owens"));
        _warehouse.Execute($"create table {Run.Table("members")} as select group_id, right_key from {Run.Table("right_rows")}");

        new SoundsAlike(_warehouse, degree: 2).Run(Run.Table("left_rows"), Run.Table("members"), Run.Table("right_rows"), Run, "pairs", null, null, CancellationToken.None);

        var pairs = _warehouse.Query($"select left_key, right_key from {Run.Table("pairs")} order by all", r => (r.GetInt64(0), r.GetInt64(1)));
        // (1, 2) share the first name H and (2, 1) Douglas; (1, 1) and (2, 2) only through Doug's group. Frank meets no one.
        Assert.Equal(new[] { (1L, 1L), (1L, 2L), (2L, 1L), (2L, 2L) }, pairs);
    }
}
