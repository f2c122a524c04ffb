using ElectionMatch.Matching;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Matching.Retrieval;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Retrieval;

public sealed class EmbeddingRetrievalTests
{
    private static readonly RunSchema Run = RunSchema.For("retrieval_test");

    [Fact]
    public void Streaming_in_chunks_slices_and_a_small_read_ahead_gives_the_table_of_one_pass()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        CreateInputs(warehouse);

        // Defaults: one ordered query, every partition searched whole (it is far below a slice).
        var whole = Retrieve(warehouse, "retrieved_whole", new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled));

        // Chunks of a few groups, right rows 7 at a time, and a read-ahead smaller than one partition.
        var sliced = Retrieve(warehouse, "retrieved_sliced", new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled)
        {
            StreamChunkMembers = 150,
            SliceRows = 7,
            RowsInFlight = 40,
        });

        // Every left row of the four partitions gets k results (each partition has at least k right rows).
        Assert.Equal(5 * warehouse.Scalar<long>($"select count(*) from {Run.Table("left_rows")}"), whole.Count);
        Assert.Equal(whole, sliced);

        // The duplicated texts tie: the lower right key is ranked first.
        var tie = warehouse.Query(
            $"select right_key from {Run.Table("retrieved_sliced")} where left_key = 0 order by rank limit 2",
            r => r.GetInt64(0));
        Assert.Equal([1000, 1004], tie);
    }

    [Fact]
    public void Packed_panels_of_fewer_than_256_dimensions_give_the_stored_vectors_results_to_the_last_row_of_a_slice()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        CreateInputs(warehouse);

        // 64 dimensions: a slice's last row has less than 256 dimensions' room left in its panel.
        var settings = EmbeddingSettings.Offline with { Dimensions = 64 };
        var embedder = new HashedNgramEmbedder(settings.Dimensions, settings.Model, HashedNgramStyle.Labelled);
        var dense = Retrieve(warehouse, "retrieved_stored_64", new EmbeddingRetrieval(warehouse, settings, embedder, HashedNgramStyle.Labelled) { StoreVectors = true, StreamChunkMembers = 100, SliceRows = 7 });
        var packed = Retrieve(warehouse, "retrieved_packed_64", new EmbeddingRetrieval(warehouse, settings, embedder, HashedNgramStyle.Labelled) { StreamChunkMembers = 100, SliceRows = 7 });

        Assert.Equal(5 * warehouse.Scalar<long>($"select count(*) from {Run.Table("left_rows")}"), packed.Count);
        Assert.Equal(dense, packed);
    }

    [Fact]
    public void A_right_row_in_several_partitions_is_searched_with_the_vector_of_its_own_text_in_each()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        CreateInputs(warehouse);

        // Chunks of a partition or two, so a row's memberships fall in one chunk or in two.
        var retrieval = new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled) { StoreVectors = true, StreamChunkMembers = 100, SliceRows = 7 };
        var dense = Retrieve(warehouse, "retrieved_stored", retrieval);

        // Without stored vectors the kernel's panels are packed from the non-zeros: the same table.
        var packed = Retrieve(warehouse, "retrieved_packed", new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled) { StreamChunkMembers = 100, SliceRows = 7 });
        Assert.Equal(dense, packed);

        var embedder = new HashedNgramEmbedder(EmbeddingSettings.Offline.Dimensions, EmbeddingSettings.Offline.Model, HashedNgramStyle.Labelled);
        var stored = warehouse.Query(
            $"""
            select v.group_id, v.key, r.embedding_text, v.vector
            from {Run.Table("retrieved_stored_vectors")} as v
            join {Run.Table("right_rows")} as r on r.right_key = v.key
            where v.side = 1
            order by v.group_id, v.key
            """,
            r => (Group: r.GetInt64(0), Key: r.GetInt64(1), Text: r.GetString(2), Vector: ((IEnumerable<float>)r.GetValue(3)).ToArray()));

        // Every membership of the four partitions, and 45 rows are members of two.
        Assert.Equal(warehouse.Scalar<long>($"select count(*) from {Run.Table("members")}"), stored.Count);
        Assert.Equal(45, stored.GroupBy(s => s.Key).Count(g => g.Count() == 2));
        var expected = new float[EmbeddingSettings.Offline.Dimensions];
        foreach (var (group, key, text, vector) in stored)
        {
            embedder.Embed(text, expected);
            Assert.True(
                expected.Select(BitConverter.SingleToInt32Bits).SequenceEqual(vector.Select(BitConverter.SingleToInt32Bits)),
                $"right row {key} in group {group}: the vector differs from its text's");
        }
    }

    [Fact]
    public void Chunks_are_cut_between_families_unless_one_is_too_large_and_give_the_same_table()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        CreateInputs(warehouse);

        // Groups hold 75, 75, 75 and 60 right rows; groups 1 and 2 are one family (as a date's partitions share rows).
        const string families = "select * from (values (0, 10), (1, 11), (2, 11), (3, 13)) as f(group_id, family)";
        var inputs = Inputs(families);
        var byGroup = new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled) { StreamChunkMembers = 160 };
        Assert.Equal([(0, 1), (2, 3)], byGroup.GroupChunks(Inputs(null)));
        Assert.Equal([(0, 0), (1, 2), (3, 3)], byGroup.GroupChunks(inputs));

        // A family larger than a chunk is cut between its groups; a group without a family is its own.
        var small = new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled) { StreamChunkMembers = 140 };
        Assert.Equal([(0, 0), (1, 1), (2, 3)], small.GroupChunks(inputs));
        Assert.Equal([(0, 1), (2, 3)], new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled) { StreamChunkMembers = 150 }
            .GroupChunks(Inputs("select * from (values (0, 10), (1, 10), (3, 13)) as f(group_id, family)")));

        var whole = Retrieve(warehouse, "retrieved_whole", new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled));
        Assert.Equal(whole, Retrieve(warehouse, "retrieved_families", byGroup, inputs));
        Assert.Equal(whole, Retrieve(warehouse, "retrieved_families_small", small, inputs));
    }

    [Fact]
    public void Right_rows_are_embedded_once_for_the_run_whether_read_by_a_scan_or_a_semi_join()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        CreateInputs(warehouse);
        var whole = Retrieve(warehouse, "retrieved_whole", new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled));

        // 2,000 results rows no partition searches: the members are under a quarter of the right rows, so the slab
        // reads them by a semi join instead of scanning every right row; the table is the same.
        warehouse.Execute($"""
            create table {Run.Table("right_many")} as
            select * from {Run.Table("right_rows")}
            union all
            select 5000 + i, 'name: zed ' || i from range(2000) as t(i)
            """);
        var retrieval = new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled);
        Assert.Equal(whole, Retrieve(warehouse, "retrieved_many", retrieval, Inputs(null) with { Right = Run.Table("right_many") }));
        var slab = retrieval.RightVectors!;
        Assert.Equal(warehouse.Scalar<long>($"select count(distinct right_key) from {Run.Table("members")}"), slab.Rows);

        // Rows a later stage asks for (Embedded) are kept though no partition searches them; others are not.
        warehouse.Execute($"create table {Run.Table("embedded")} as select right_key from {Run.Table("right_many")} where right_key < 5010");
        var kept = new EmbeddingRetrieval(warehouse, EmbeddingSettings.Offline, null, HashedNgramStyle.Labelled);
        Assert.Equal(whole, Retrieve(warehouse, "retrieved_kept", kept, Inputs(null) with { Right = Run.Table("right_many"), Embedded = Run.Table("embedded") }));
        var embedder = new HashedNgramEmbedder(EmbeddingSettings.Offline.Dimensions, EmbeddingSettings.Offline.Model, HashedNgramStyle.Labelled);
        var (expected, copied) = (new float[embedder.Dimensions], new float[embedder.Dimensions]);
        foreach (var (key, text) in warehouse.Query($"select right_key, embedding_text from {Run.Table("right_many")} where right_key < 5010 order by right_key", r => (r.GetInt64(0), r.GetString(1))))
        {
            embedder.Embed(text, expected);
            Assert.True(kept.RightVectors!.TryCopy(key, copied), $"right row {key} kept");
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), copied.Select(BitConverter.SingleToInt32Bits));
        }

        Assert.False(kept.RightVectors!.TryCopy(5010, copied));
    }

    [Fact]
    public void Right_rows_keep_their_vectors_bits_compact_and_with_too_many_distinct_sums_for_a_byte()
    {
        var embedder = new HashedNgramEmbedder(EmbeddingSettings.Offline.Dimensions, EmbeddingSettings.Offline.Model, HashedNgramStyle.Labelled);
        var named = Enumerable.Range(0, 400).Select(i => $"name: {(char)('a' + i % 26)}nn smith{i} | race: district {i % 9} council").ToList();

        // A word repeated n times sums to n in its dimension: 300 rows of distinct counts overflow the byte codes.
        var repeated = Enumerable.Range(1, 300).Select(n => "name: " + string.Join(' ', Enumerable.Repeat("bo", n))).ToList();
        foreach (var (texts, compact) in new[] { (named, true), (repeated, false), (["", "name: ann", "name: ANN", "race: x"], true) })
        {
            var rows = new RightRows();
            texts.ForEach(t => rows.Add(t));
            rows.Embed(embedder, new RightRows.Scratch(embedder.Dimensions));
            Assert.Equal(compact, rows.IsCompact);
            var (expected, copied) = (new float[embedder.Dimensions], new float[embedder.Dimensions]);
            var panel = new float[TopKKernel.PanelRows * embedder.Dimensions];
            for (var i = 0; i < texts.Count; i++)
            {
                embedder.Embed(texts[i], expected);
                rows.CopyTo(i, copied);
                Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), copied.Select(BitConverter.SingleToInt32Bits));
                Array.Clear(panel);
                rows.PackTo(i, panel.AsSpan(i % TopKKernel.PanelRows));
                Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), Enumerable.Range(0, embedder.Dimensions).Select(d => BitConverter.SingleToInt32Bits(panel[(d * TopKKernel.PanelRows) + (i % TopKKernel.PanelRows)])));
            }
        }
    }

    private static RetrievalInputs Inputs(string? families) =>
        new(Run.Table("left_rows"), "embedding_text", Run.Table("members"), Run.Table("right_rows"), "embedding_text", families);

    private static List<(long Left, long Right, int Rank, float Score)> Retrieve(DuckDbWarehouse warehouse, string table, EmbeddingRetrieval retrieval, RetrievalInputs? inputs = null)
    {
        inputs ??= Inputs(null);
        var report = retrieval.Run(inputs, Run, table, 5, new Dictionary<string, long>(), "", CancellationToken.None);
        Assert.Equal(4, report.Partitions);
        return warehouse.Query(
            $"select left_key, right_key, rank, score from {Run.Table(table)} order by left_key, rank",
            r => (r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetFloat(3)));
    }

    /// <summary>
    /// Four partitions of 3-25 left rows and 60-200 right rows of name-like texts; a right row may be a member of
    /// two partitions (as results rows are of their state's and the stateless one). Right rows 1000 and 1004 (both in partition 0)
    /// carry left row 0's text.
    /// </summary>
    private static void CreateInputs(DuckDbWarehouse warehouse)
    {
        warehouse.Execute($"""
            create schema {Sql.Identifier(Run.Name)};
            create table {Run.Table("right_rows")} as
            select 1000 + i as right_key,
                   case when i in (0, 4) then 'name: ann smith | office: mayor'
                        else 'name: ' || ['ann', 'bob', 'cy', 'dee', 'ed', 'flo', 'gus'][1 + i % 7] || ' '
                             || ['smith', 'jones', 'lee', 'garcia', 'nguyen', 'brown'][1 + (i // 7) % 6] || ' | office: '
                             || ['mayor', 'council', 'sheriff', 'clerk'][1 + i % 4]
                   end as embedding_text
            from range(300) as t(i);
            create table {Run.Table("members")} as
            select (i % 4) as group_id, 1000 + i as right_key from range(300) as t(i) where i % 4 <> 3 or i < 60
            union all
            select 3, 1000 + i from range(0, 300, 5) as t(i) where i % 4 <> 3;
            create table {Run.Table("left_rows")} as
            select g as group_id, g * 100 + j as left_key,
                   case when g = 0 and j = 0 then 'name: ann smith | office: mayor'
                        else 'name: ' || ['ann', 'bob', 'cy', 'dee', 'ed'][1 + j % 5] || ' ' || ['smith', 'jones', 'lee'][1 + (j + g) % 3] || ' | office: clerk'
                   end as embedding_text
            from range(4) as s(g), range(3 + g * 7) as t(j);
            """);
    }
}
