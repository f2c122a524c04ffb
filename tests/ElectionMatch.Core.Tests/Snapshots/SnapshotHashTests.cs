using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Snapshots;

/// <summary>
/// The hashes a manifest records keep their values when computed the cheaper way: input hashes streamed sorted (or
/// beside the match) equal the aggregate earlier manifests recorded, and each version of the content hash is what its
/// definition says, so verify recomputes an earlier snapshot's hash as it was made.
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

        Assert.Equal(aggregate, InputHash.Of(_warehouse, relation, InputHash.RowText));
    }

    [Theory]
    [InlineData("people")]
    [InlineData("nobody")]
    [InlineData("(select * from people where id % 2 = 0)")]
    public void The_column_text_input_hash_is_the_sorted_aggregate_of_each_row_s_columns_joined(string relation)
    {
        // The definition written out by hand: each column as text, a null as U+001E, joined by U+001F.
        var aggregate = _warehouse.Scalar<string>($"""
            select sha256(coalesce(string_agg(h, '' order by h), ''))
            from (
                select md5(concat_ws(chr(31), coalesce(cast(id as varchar), chr(30)), coalesce(name, chr(30)),
                    coalesce(cast(election_date as varchar), chr(30)), coalesce(cast(score as varchar), chr(30)), coalesce(accented, chr(30)))) as h
                from {relation} as t
            )
            """);

        Assert.Equal(aggregate, InputHash.Of(_warehouse, relation, InputHash.ColumnText));
    }

    [Theory]
    [InlineData("people")]
    [InlineData("(select * from people where id % 2 = 0)")]
    public void An_input_without_the_separators_in_its_values_hashes_in_version_3_as_in_version_2(string relation)
    {
        // Commas, quotes, line feeds, accents and nulls, but no U+001E or U+001F: a snapshot made before version 3
        // compares equal with today's hash of the same rows.
        Assert.Equal(0, _warehouse.Scalar<long>($"select count(*) from {relation} as t where contains(cast(t as varchar), chr(30)) or contains(cast(t as varchar), chr(31))"));

        Assert.Equal(InputHash.Of(_warehouse, relation, InputHash.ColumnText), InputHash.Of(_warehouse, relation, InputHash.ColumnTextAndLengths));
        Assert.Equal(InputHash.ColumnTextAndLengths, InputHash.CurrentVersion);
    }

    [Theory]
    [InlineData("(values (1, null, 'b'), (2, 'x', 'y'))", "(values (1, chr(30), 'b'), (2, 'x', 'y'))")]
    [InlineData("(values (1, 'a' || chr(31) || 'b', 'c'))", "(values (1, 'a', 'b' || chr(31) || 'c'))")]
    [InlineData("(values (1, 'a' || chr(31), null))", "(values (1, 'a', chr(31) || chr(30)))")]
    [InlineData("(values (1, chr(31), chr(31)))", "(values (1, chr(31) || chr(31), ''))")]
    public void A_null_turned_into_a_separator_or_a_separator_moved_to_the_next_value_changes_the_version_3_hash_alone(string before, string after)
    {
        // Version 2's row text writes a null as U+001E and joins values by U+001F: these pairs of rows have the same text.
        var earlier = $"(select * from {before} as v(id, c1, c2))";
        var later = $"(select * from {after} as v(id, c1, c2))";

        Assert.Equal(InputHash.Of(_warehouse, earlier, InputHash.ColumnText), InputHash.Of(_warehouse, later, InputHash.ColumnText));
        Assert.NotEqual(InputHash.Of(_warehouse, earlier), InputHash.Of(_warehouse, later));
    }

    [Fact]
    public void A_row_with_a_separator_in_a_value_hashes_its_version_2_hash_with_its_values_lengths()
    {
        // The definition written out by hand: version 2's MD5, then for a row holding U+001E or U+001F the MD5 of that,
        // U+001D and the values' byte lengths, a null as '-'. A list's text can hold one too; a date's or a number's cannot.
        _warehouse.Execute("""
            create table separated as
            select * from (values
                (1, 'a' || chr(31) || 'é', null, date '2024-11-05', 1.5, ['x']),
                (2, 'plain', 'row', null, 2.25, ['y', 'z']),
                (3, chr(30), '', date '2024-11-05', null, null),
                (4, 'plain', 'row', date '2024-11-05', 1.5, ['x' || chr(31), 'y'])
            ) as v(id, c1, c2, held_on, score, tags)
            """);
        var md5 = "md5(concat_ws(chr(31), cast(id as varchar), coalesce(c1, chr(30)), coalesce(c2, chr(30)), coalesce(cast(held_on as varchar), chr(30)), coalesce(cast(score as varchar), chr(30)), coalesce(cast(tags as varchar), chr(30))))";
        var expected = new[]
        {
            _warehouse.Scalar<string>($"select md5({md5} || chr(29) || '1,4,-,10,4,3') from separated where id = 1"),
            _warehouse.Scalar<string>($"select {md5} from separated where id = 2"),
            _warehouse.Scalar<string>($"select md5({md5} || chr(29) || '1,1,0,10,-,-') from separated where id = 3"),
            _warehouse.Scalar<string>($"select md5({md5} || chr(29) || '1,5,3,10,4,7') from separated where id = 4"),
        };

        var rowHashes = _warehouse.Query($"select {InputHash.RowHashSql(_warehouse.Connection, "separated", "t")} from separated as t order by id", r => r.GetString(0));

        Assert.Equal(["INTEGER", "VARCHAR", "VARCHAR", "DATE", "DECIMAL(3,2)", "VARCHAR[]"], _warehouse.Describe("select * from separated").Select(c => c.DataType));
        Assert.Equal(expected, rowHashes);
    }

    [Fact]
    public void The_two_versions_differ_and_a_null_is_not_an_empty_text()
    {
        _warehouse.Execute("create table blanks as select * from (values (1, null), (2, '')) as v(id, name)");
        _warehouse.Execute("create table blanks_swapped as select * from (values (1, ''), (2, null)) as v(id, name)");

        Assert.NotEqual(InputHash.Of(_warehouse, "people", InputHash.RowText), InputHash.Of(_warehouse, "people", InputHash.ColumnText));
        Assert.NotEqual(InputHash.Of(_warehouse, "blanks"), InputHash.Of(_warehouse, "blanks_swapped"));
        Assert.Throws<ArgumentOutOfRangeException>(() => InputHash.Of(_warehouse, "people", 4));
        Assert.False(InputHash.IsKnown(4));
    }

    [Theory]
    [InlineData(InputHash.RowText)]
    [InlineData(InputHash.ColumnText)]
    [InlineData(InputHash.ColumnTextAndLengths)]
    public void The_input_hash_from_row_hashes_equals_the_one_read_from_the_rows(int version)
    {
        _warehouse.Execute($"create table row_hashes as select row_number() over () as rn, {InputHash.RowHashSql(_warehouse.Connection, "people", "s", version)} as h from people as s");

        Assert.Equal(InputHash.Of(_warehouse, "people", version), InputHash.OfRowHashes(_warehouse, "row_hashes"));
        Assert.NotEqual(InputHash.Of(_warehouse, "people", version), InputHash.Of(_warehouse, "(select * from people where id > 0)", version));
    }

    [Fact]
    public void The_quarantine_hash_is_its_rows_column_text_md5s_in_their_own_order_whatever_order_the_rows_are_stored_in()
    {
        // The definition written out by hand: version 2's row MD5s, concatenated in the order of the MD5s.
        var aggregate = _warehouse.Scalar<string>("""
            select sha256(coalesce(string_agg(h, '' order by h), ''))
            from (
                select md5(concat_ws(chr(31), coalesce(cast(id as varchar), chr(30)), coalesce(name, chr(30)),
                    coalesce(cast(election_date as varchar), chr(30)), coalesce(cast(score as varchar), chr(30)), coalesce(accented, chr(30)))) as h
                from people
            )
            """);
        _warehouse.Execute("create table people_reversed as select * from people order by id desc");
        _warehouse.Execute("create table people_edited as select * replace (case when id = 4321 then 'Name 4321 edited' else name end as name) from people");

        Assert.Equal((5000L, aggregate!), ContentHash.InRowHashOrder(_warehouse, "people", ContentHash.ColumnText));
        Assert.Equal(ContentHash.InRowHashOrder(_warehouse, "people", ContentHash.ColumnText), ContentHash.InRowHashOrder(_warehouse, "people_reversed", ContentHash.ColumnText));
        Assert.NotEqual(ContentHash.InRowHashOrder(_warehouse, "people", ContentHash.ColumnText).Sha256, ContentHash.InRowHashOrder(_warehouse, "people_edited", ContentHash.ColumnText).Sha256);
        Assert.Equal((0L, _warehouse.Scalar<string>("select sha256('')")!), ContentHash.InRowHashOrder(_warehouse, "nobody", ContentHash.ColumnText));
    }

    [Theory]
    [InlineData("people", ContentHash.ColumnText)]
    [InlineData("nobody", ContentHash.ColumnText)]
    [InlineData("people", ContentHash.ColumnTextAndLengths)]
    public void The_quarantine_hash_as_a_sql_aggregate_equals_the_streamed_one(string table, int version)
    {
        var rowMd5 = ContentHash.RowHashSql(_warehouse.Connection, table, "t", version);

        var aggregate = _warehouse.Scalar<string>($"select {ContentHash.InRowHashOrderSql("h")} from (select {rowMd5} as h from {table} as t)");

        Assert.Equal(ContentHash.InRowHashOrder(_warehouse, table, version).Sha256, aggregate);
    }

    [Fact]
    public void A_manifest_input_without_a_version_reads_as_one_made_before_versions()
    {
        // The manifests' own naming (snake case); a manifest written by a run records its version (VerifyTamperTests).
        var options = new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };
        var earlier = System.Text.Json.JsonSerializer.Deserialize<ManifestInput>("""{"role": "left", "relation": "people", "rows": 5000, "sha256": "ab"}""", options);
        var current = System.Text.Json.JsonSerializer.Deserialize<ManifestInput>("""{"role": "left", "relation": "people", "rows": 5000, "sha256": "ab", "sha256_version": 2}""", options);

        Assert.Null(earlier!.Sha256Version);
        Assert.Equal(InputHash.ColumnText, current!.Sha256Version);
    }

    [Fact]
    public void The_earlier_content_hash_is_every_row_s_struct_text_joined_by_line_feeds_in_canonical_order()
    {
        _warehouse.Execute("create table snapshot as select * from people order by id desc");

        var sorted = ContentHash.Of(_warehouse, "snapshot", "name, id", ContentHash.RowText);

        Assert.NotEqual(sorted, ContentHash.Of(_warehouse, "snapshot", "id", ContentHash.RowText));

        // The bytes hashed: every row's text joined by line feeds, as manifests without a content hash version say.
        var text = string.Join("\n", _warehouse.Query("select cast(t as varchar) from snapshot as t order by name, id", r => r.GetString(0)));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))), sorted);
    }

    [Theory]
    [InlineData("people", "name, id")]
    [InlineData("people", "id")]
    [InlineData("nobody", "id")]
    public void The_column_text_content_hash_is_the_row_hashes_in_canonical_order_written_out_by_hand(string table, string orderBy)
    {
        // The definition written out by hand: each row's MD5 over its columns as text (a null U+001E, joined by U+001F),
        // in canonical order, concatenated; the SHA-256 of that.
        var aggregate = _warehouse.Scalar<string>($"""
            select sha256(coalesce(string_agg(h, '' order by {orderBy}, h), ''))
            from (
                select *, md5(concat_ws(chr(31), coalesce(cast(id as varchar), chr(30)), coalesce(name, chr(30)),
                    coalesce(cast(election_date as varchar), chr(30)), coalesce(cast(score as varchar), chr(30)), coalesce(accented, chr(30)))) as h
                from {table} as t
            )
            """);

        Assert.Equal(aggregate, ContentHash.Of(_warehouse, table, orderBy, ContentHash.ColumnText));
    }

    [Theory]
    [InlineData("people", "name, id")]
    [InlineData("people", "id")]
    [InlineData("nobody", "id")]
    public void A_snapshot_without_the_separators_in_its_values_hashes_in_content_version_3_as_in_version_2(string table, string orderBy)
    {
        // Commas, quotes, line feeds, accents and nulls, but no U+001E or U+001F: the same content hash, row hashes and
        // quarantine hash, so a snapshot of ordinary rows records the hash it recorded in version 2.
        Assert.Equal(0, _warehouse.Scalar<long>($"select count(*) from {table} as t where contains(cast(t as varchar), chr(30)) or contains(cast(t as varchar), chr(31))"));
        var rowHashes = $"""
            select count(*) from {table} as t
            where {ContentHash.RowHashSql(_warehouse.Connection, table, "t", ContentHash.ColumnText)} <> {ContentHash.RowHashSql(_warehouse.Connection, table, "t", ContentHash.ColumnTextAndLengths)}
            """;

        Assert.Equal(ContentHash.Of(_warehouse, table, orderBy, ContentHash.ColumnText), ContentHash.Of(_warehouse, table, orderBy, ContentHash.ColumnTextAndLengths));
        Assert.Equal(0, _warehouse.Scalar<long>(rowHashes));
        Assert.Equal(ContentHash.InRowHashOrder(_warehouse, table, ContentHash.ColumnText), ContentHash.InRowHashOrder(_warehouse, table, ContentHash.ColumnTextAndLengths));
        Assert.Equal(ContentHash.ColumnTextAndLengths, ContentHash.CurrentVersion);
    }

    [Theory]
    [InlineData("(values (1, null, 'b'), (2, 'x', 'y'))", "(values (1, chr(30), 'b'), (2, 'x', 'y'))")]
    [InlineData("(values (1, 'a' || chr(31) || 'b', 'c'))", "(values (1, 'a', 'b' || chr(31) || 'c'))")]
    [InlineData("(values (1, 'a' || chr(31), null))", "(values (1, 'a', chr(31) || chr(30)))")]
    public void A_null_turned_into_a_separator_or_a_separator_moved_to_the_next_value_changes_the_version_3_content_hash_alone(string before, string after)
    {
        // Version 2's row text writes a null as U+001E and joins values by U+001F: these pairs of rows have the same
        // text, so a published row edited so kept its row hash, the content hash and the quarantine's.
        var published = $"(select * from {before} as v(id, c1, c2))";
        var edited = $"(select * from {after} as v(id, c1, c2))";
        string RowHash(string relation, int version) =>
            _warehouse.Scalar<string>($"select {ContentHash.RowHashSql(_warehouse.Connection, relation, "t", version)} from {relation} as t where id = 1")!;

        Assert.Equal(ContentHash.Of(_warehouse, published, "id", ContentHash.ColumnText), ContentHash.Of(_warehouse, edited, "id", ContentHash.ColumnText));
        Assert.Equal(ContentHash.InRowHashOrder(_warehouse, published, ContentHash.ColumnText), ContentHash.InRowHashOrder(_warehouse, edited, ContentHash.ColumnText));
        Assert.NotEqual(ContentHash.Of(_warehouse, published, "id", ContentHash.ColumnTextAndLengths), ContentHash.Of(_warehouse, edited, "id", ContentHash.ColumnTextAndLengths));
        Assert.NotEqual(ContentHash.InRowHashOrder(_warehouse, published, ContentHash.ColumnTextAndLengths), ContentHash.InRowHashOrder(_warehouse, edited, ContentHash.ColumnTextAndLengths));
        Assert.NotEqual(RowHash(published, ContentHash.ColumnTextAndLengths), RowHash(edited, ContentHash.ColumnTextAndLengths));
    }

    [Fact]
    public void The_content_hash_versions_differ_and_each_row_hash_follows_its_version()
    {
        Assert.NotEqual(ContentHash.Of(_warehouse, "people", "id", ContentHash.RowText), ContentHash.Of(_warehouse, "people", "id", ContentHash.ColumnText));
        Assert.Equal(0, _warehouse.Scalar<long>($"select count(*) from people as t where {ContentHash.RowHashSql(_warehouse.Connection, "people", "t", ContentHash.RowText)} <> md5(cast(t as varchar))"));
        Assert.Equal(0, _warehouse.Scalar<long>($"select count(*) from people as t where {ContentHash.RowHashSql(_warehouse.Connection, "people", "t", ContentHash.ColumnText)} <> {InputHash.RowHashSql(_warehouse.Connection, "people", "t", InputHash.ColumnText)}"));
        // Version 3's row hash is input hash version 3's, the same SQL; a row with a separator hashes otherwise than in version 2.
        _warehouse.Execute("create table separated as select * from (values (1, 'a' || chr(31), null), (2, 'plain', 'row')) as v(id, c1, c2)");
        Assert.Equal(0, _warehouse.Scalar<long>($"select count(*) from separated as t where {ContentHash.RowHashSql(_warehouse.Connection, "separated", "t", ContentHash.ColumnTextAndLengths)} <> {InputHash.RowHashSql(_warehouse.Connection, "separated", "t", InputHash.ColumnTextAndLengths)}"));
        Assert.NotEqual(ContentHash.Of(_warehouse, "separated", "id", ContentHash.ColumnText), ContentHash.Of(_warehouse, "separated", "id", ContentHash.ColumnTextAndLengths));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContentHash.Of(_warehouse, "people", "id", 4));
        Assert.False(ContentHash.IsKnown(4));
    }

    [Fact]
    public void Rows_tied_on_the_canonical_key_hash_the_same_whatever_order_they_are_stored_in()
    {
        _warehouse.Execute("""
            create table tied_one as select 1 as id, name from (values ('b'), ('a'), ('c')) as v(name);
            create table tied_other as select 1 as id, name from (values ('c'), ('b'), ('a')) as v(name);
            """);

        Assert.Equal(ContentHash.Of(_warehouse, "tied_one", "id", ContentHash.ColumnText), ContentHash.Of(_warehouse, "tied_other", "id", ContentHash.ColumnText));
    }
}
