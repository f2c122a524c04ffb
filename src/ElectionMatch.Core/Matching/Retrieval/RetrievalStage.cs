using System.Collections.Concurrent;
using System.Data.Common;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching.Retrieval;

/// <summary>
/// Exact top-k by inner product inside each partition, in C# (DESIGN decision 1: 85–180× faster than
/// DuckDB SQL here). Partitions stream out of DuckDB one at a time, in order; both cores embed and
/// search them; one writer appends <c>(left_key, right_key, rank, score)</c> to a table.
/// Memory is bounded by the rows in flight, one slice of right vectors per worker and the right rows' non-zeros
/// (with the offline embedder every searched right row's, about 50 bytes a row in a <see cref="RightSlab"/>; with
/// stored vectors one stream chunk's), never by the partition sizes: a partition's right rows are searched a slice
/// at a time and the slices' top-k merged, which gives the bits of one search over the whole partition.
/// </summary>
internal sealed class RetrievalStage
{
    private const int QueueDepth = 32;
    private const long ParallelKernelPairs = 4_000_000;

    /// <summary>How many rows ahead a right row's non-zeros are touched before it is packed or copied (<see cref="RightRows.Touch"/>).</summary>
    private const int PackAhead = 4;

    /// <summary>Rows read ahead of the workers (left and right, all partitions in the queues): their texts are held in managed memory.</summary>
    internal const int DefaultRowsInFlight = 200_000;

    /// <summary>Floats in one slice of right vectors (16 MB): the kernel packs a copy of the slice, so a worker holds two.</summary>
    private const int SliceFloats = 4 << 20;

    private readonly DuckDbWarehouse _warehouse;
    private readonly int _dimensions;
    private readonly int _k;
    private readonly int _degree;
    private readonly bool _storeVectors;
    private readonly int _sliceRows;
    private readonly int _rowsInFlight;

    // Where the touched bytes go, so the reads are not dropped as unused.
    private int _touched;
    private long _written;

    /// <param name="sliceRows">Right rows embedded and searched at a time (tests make it small); 0 sizes a slice at 16 MB of vectors.</param>
    /// <param name="rowsInFlight">Rows read ahead of the workers; a partition larger than this is still read, alone.</param>
    public RetrievalStage(DuckDbWarehouse warehouse, int dimensions, int k, int degree, bool storeVectors = false, int sliceRows = 0, int rowsInFlight = DefaultRowsInFlight)
    {
        _storeVectors = storeVectors;
        _warehouse = warehouse;
        _dimensions = dimensions;
        _k = k;
        _degree = Math.Max(1, degree);
        _sliceRows = sliceRows > 0 ? sliceRows : Math.Max(1, SliceFloats / dimensions);
        _rowsInFlight = Math.Max(1, rowsInFlight);
    }

    /// <summary>
    /// Runs the search. Each query of <paramref name="streamQueries"/> yields <c>(group_id, side, key, text)</c>
    /// — side 0 for left rows, 1 for right rows — ordered by group_id, side, key; the queries hold disjoint
    /// groups, in increasing order. When <paramref name="embedder"/> is null the fourth column is the stored
    /// vector (<c>float[]</c>) instead of the text.
    /// </summary>
    public RetrievalReport Run(IReadOnlyList<string> streamQueries, RunSchema run, string table, HashedNgramEmbedder? embedder, CancellationToken cancellationToken = default) =>
        Run(token => streamQueries.SelectMany(sql => ReadPartitions(sql, embedder is null, token)), run, table, embedder, cancellationToken);

    /// <summary>
    /// Runs the search with the offline embedder, each right row embedded once for the whole run (<see cref="RightSlab"/>):
    /// the partitions come from two ordered streams of keys, the left rows with their texts and the memberships without.
    /// </summary>
    /// <param name="slab">Receives the right rows' vectors, for later stages that ask for them (cosines of pairs retrieval did not return).</param>
    public RetrievalReport Run(RetrievalInputs inputs, RunSchema run, string table, HashedNgramEmbedder embedder, out RightSlab slab, CancellationToken cancellationToken = default)
    {
        var vectors = RightSlab.Build(_warehouse, inputs, embedder, _degree, cancellationToken);
        slab = vectors;
        return Run(token => ReadPartitions(inputs, vectors, token), run, table, embedder, cancellationToken);
    }

    private RetrievalReport Run(Func<CancellationToken, IEnumerable<Partition>> partitionsOf, RunSchema run, string table, HashedNgramEmbedder? embedder, CancellationToken cancellationToken)
    {
        _warehouse.Execute($"create or replace table {run.Table(table)} (left_key bigint, right_key bigint, rank integer, score float)");
        if (_storeVectors)
        {
            _warehouse.Execute($"create or replace table {run.Table(table + "_vectors")} (group_id bigint, side integer, key bigint, vector float[{_dimensions}])");
        }

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = failed.Token;
        using var work = new BlockingCollection<Partition>(QueueDepth);
        using var done = new BlockingCollection<Result>(QueueDepth);
        var inFlight = new RowsInFlight(_rowsInFlight);

        // Any failing thread cancels the others, so a full queue never leaves one waiting forever.
        Task Guarded(Action action) => BlockingWork.Guarded(action, failed);

        var workers = Enumerable.Range(0, _degree).Select(_ => Guarded(() => Search(work, done, embedder, token))).ToArray();
        var writer = Guarded(() => Write(done, inFlight, run.Name, table, token));

        long partitions = 0, leftRows = 0, rightRows = 0, pairs = 0, largestLeft = 0, largestRight = 0;
        BlockingWork.Feed(work, failed, cancellationToken, () =>
        {
            foreach (var partition in partitionsOf(token))
            {
                partitions++;
                leftRows += partition.LeftKeys.Count;
                rightRows += partition.RightKeys.Count;
                pairs += (long)partition.LeftKeys.Count * partition.RightKeys.Count;
                if ((long)partition.LeftKeys.Count * partition.RightKeys.Count > largestLeft * largestRight)
                {
                    (largestLeft, largestRight) = (partition.LeftKeys.Count, partition.RightKeys.Count);
                }

                inFlight.Acquire(partition.Rows, token);
                work.Add(partition, token);
            }
        });

        BlockingWork.WaitQuietly(workers);
        done.CompleteAdding();
        BlockingWork.WaitAll([.. workers, writer]);

        cancellationToken.ThrowIfCancellationRequested();
        return new RetrievalReport(partitions, leftRows, rightRows, pairs, largestLeft, largestRight, _written);
    }

    private IEnumerable<Partition> ReadPartitions(string streamSql, bool vectors, CancellationToken cancellationToken)
    {
        using var command = _warehouse.Connection.CreateCommand();
        command.CommandText = streamSql;

        // Streamed: a materialised result would hold every partition's texts in DuckDB's memory at once.
        command.UseStreamingMode = true;
        using var reader = command.ExecuteReader();

        // Right rows met in an earlier partition of this query: a results row is a member of its state's partition and
        // the stateless one of its date, and is embedded once. The map lives as long as the query (a chunk of about
        // 2M memberships), so it holds at most one chunk's vectors.
        var seen = new Dictionary<long, (RightRows Rows, int Index)>();
        Partition? current = null;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var group = reader.GetInt64(0);
            if (current is null || current.Group != group)
            {
                if (current is not null && current.LeftKeys.Count > 0 && current.RightKeys.Count > 0)
                {
                    yield return current;
                }

                current = new Partition(group);
            }

            var isLeft = reader.GetInt32(1) == 0;
            var rowKey = reader.GetInt64(2);
            if (isLeft)
            {
                current.LeftKeys.Add(rowKey);
                current.LeftPayload!.Add(vectors ? ReadVector(reader, 3) : reader.IsDBNull(3) ? "" : reader.GetString(3));
                continue;
            }

            if (current.LeftKeys.Count == 0)
            {
                // Left rows come first: a partition without any is never searched, so its right rows are not read.
                continue;
            }

            current.RightKeys.Add(rowKey);
            if (!seen.TryGetValue(rowKey, out var vector))
            {
                // The row's first searched membership: this partition embeds it, later ones reuse the vector.
                vector = (current.NewRight!, current.NewRight!.Add(vectors ? ReadVector(reader, 3) : reader.IsDBNull(3) ? "" : reader.GetString(3)));
                seen.Add(rowKey, vector);
            }

            current.RightVectors!.Add(vector);
        }

        if (current is not null && current.LeftKeys.Count > 0 && current.RightKeys.Count > 0)
        {
            yield return current;
        }
    }

    /// <summary>
    /// Partitions from the left rows' and the memberships' streams, each ordered by group and key and merged by group;
    /// every member's vector is already in <paramref name="slab"/>. Neither stream joins or sorts texts of results rows.
    /// </summary>
    private IEnumerable<Partition> ReadPartitions(RetrievalInputs inputs, RightSlab slab, CancellationToken cancellationToken)
    {
        // Two streams at once need two connections: a query on a connection ends the one streaming there.
        using var connection = _warehouse.OpenSecondConnection();
        using var leftCommand = connection.CreateCommand();
        leftCommand.CommandText = $"select group_id, left_key, {inputs.LeftText} from {inputs.Left} order by group_id, left_key";
        leftCommand.UseStreamingMode = true;
        using var left = leftCommand.ExecuteReader();
        using var memberCommand = _warehouse.Connection.CreateCommand();
        memberCommand.CommandText = $"select group_id, right_key from {inputs.Members} order by group_id, right_key";
        memberCommand.UseStreamingMode = true;
        using var members = memberCommand.ExecuteReader();
        var (moreLeft, moreMembers) = (left.Read(), members.Read());
        while (moreLeft)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var partition = new Partition(left.GetInt64(0), embedsRight: false);
            do
            {
                partition.LeftKeys.Add(left.GetInt64(1));
                partition.LeftPayload!.Add(left.IsDBNull(2) ? "" : left.GetString(2));
                moreLeft = left.Read();
            }
            while (moreLeft && left.GetInt64(0) == partition.Group);

            while (moreMembers && members.GetInt64(0) < partition.Group)
            {
                moreMembers = members.Read();
            }

            for (; moreMembers && members.GetInt64(0) == partition.Group; moreMembers = members.Read())
            {
                var key = members.GetInt64(1);
                if (slab.TryLocate(key, out var row))
                {
                    partition.RightKeys.Add(key);
                    partition.RightVectors!.Add(row);
                }
            }

            if (partition.RightKeys.Count > 0)
            {
                yield return partition;
            }
        }
    }

    private float[] ReadVector(DbDataReader reader, int ordinal)
    {
        var value = reader.GetValue(ordinal);
        var vector = value switch
        {
            float[] array => array,
            IEnumerable<float> list => list.ToArray(),
            IEnumerable<double> list => list.Select(d => (float)d).ToArray(),
            _ => throw new InvalidOperationException($"a stored embedding is {value.GetType().Name}, not a float list"),
        };
        return vector.Length == _dimensions
            ? vector
            : throw new InvalidOperationException($"a stored embedding has {vector.Length} dimensions, the settings say {_dimensions}");
    }

    private void Search(BlockingCollection<Partition> work, BlockingCollection<Result> done, HashedNgramEmbedder? embedder, CancellationToken cancellationToken)
    {
        float[]? slice = null;
        float[]? panels = null;
        float[]? leftBuffer = null;
        var scratch = new RightRows.Scratch(_dimensions);
        foreach (var partition in work.GetConsumingEnumerable(cancellationToken))
        {
            // First the rows this partition is the first to meet, which later partitions may be waiting for.
            partition.NewRight?.Embed(embedder, scratch);
            var leftCount = partition.LeftKeys.Count;
            var rightCount = partition.RightKeys.Count;
            // The writer keeps stored vectors; otherwise one buffer a worker, grown to the largest block: a fresh array for
            // every partition's left vectors (1.5 GB in all at a million candidacies) raised the stage's peak by ~400 MiB.
            var left = _storeVectors ? new float[leftCount * _dimensions] : Grow(ref leftBuffer, leftCount * _dimensions);
            Embed(partition.LeftPayload!, 0, leftCount, embedder, left);
            var indices = new int[leftCount * _k];
            var scores = new float[leftCount * _k];

            // Stored vectors are kept whole, for the table; otherwise one slice of right vectors at a time.
            var sliceRows = _storeVectors ? rightCount : Math.Min(_sliceRows, rightCount);
            var right = _storeVectors ? new float[rightCount * _dimensions] : TopKKernel.SearchesPanels(leftCount) ? [] : slice ??= new float[_sliceRows * _dimensions];
            var sliceIndices = sliceRows < rightCount ? new int[leftCount * _k] : indices;
            var sliceScores = sliceRows < rightCount ? new float[leftCount * _k] : scores;
            for (var start = 0; start < rightCount; start += sliceRows)
            {
                var count = Math.Min(sliceRows, rightCount - start);
                var degree = (long)leftCount * count >= ParallelKernelPairs ? _degree : 1;
                if (!_storeVectors && TopKKernel.SearchesPanels(leftCount))
                {
                    // The kernel's own layout, written from the non-zeros: no dense rows to write and transpose.
                    panels ??= new float[TopKKernel.PackedLength(_sliceRows, _dimensions)];
                    PackRight(partition.RightVectors!, start, count, panels, cancellationToken);
                    TopKKernel.SearchPacked(left, leftCount, panels, count, _dimensions, _k, sliceIndices, sliceScores, degree);
                }
                else
                {
                    CopyRight(partition.RightVectors!, start, count, right, cancellationToken);
                    TopKKernel.Search(left, leftCount, right, count, _dimensions, _k, sliceIndices, sliceScores, degree);
                }
                if (start == 0 && sliceIndices != indices)
                {
                    sliceIndices.CopyTo(indices, 0);
                    sliceScores.CopyTo(scores, 0);
                }
                else if (start > 0)
                {
                    TopKKernel.Merge(indices, scores, sliceIndices, sliceScores, start, leftCount, _k);
                }
            }

            // The texts and vectors are not needed any more; the writer only needs the keys.
            partition.ReleasePayload();
            done.Add(new Result(partition, indices, scores, _storeVectors ? left : null, _storeVectors ? right : null), cancellationToken);
        }
    }

    private static float[] Grow(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[Math.Max(length, (buffer?.Length ?? 0) * 2)];
        }

        return buffer;
    }

    /// <summary>Embeds (or copies the stored vectors of) <paramref name="count"/> rows from <paramref name="start"/> into <paramref name="target"/>'s first rows.</summary>
    private void Embed(List<object> payload, int start, int count, HashedNgramEmbedder? embedder, float[] target)
    {
        for (var i = 0; i < count; i++)
        {
            var row = target.AsSpan(i * _dimensions, _dimensions);
            if (embedder is not null)
            {
                embedder.Embed((string)payload[start + i], row);
            }
            else
            {
                ((float[])payload[start + i]).CopyTo(row);
            }
        }
    }

    /// <summary>
    /// Writes right rows [<paramref name="start"/>, +<paramref name="count"/>) into <paramref name="panels"/> as
    /// <see cref="TopKKernel"/> packs dense rows: <see cref="TopKKernel.PanelRows"/> rows a panel, dimension-major,
    /// zeros everywhere but each row's non-zeros, so the same floats in the same places.
    /// </summary>
    private void PackRight(List<(RightRows Rows, int Index)> vectors, int start, int count, float[] panels, CancellationToken cancellationToken)
    {
        var panelLength = TopKKernel.PanelRows * _dimensions;
        ForEachRight(vectors, start, count, cancellationToken, (rows, index, i) =>
        {
            // Each panel cleared just before its rows are written (16 KiB at 256 dimensions, in L1): clearing the whole
            // slice first (16 MB) pushed it out of the caches, and each write then fetched its line again.
            if (i % TopKKernel.PanelRows == 0)
            {
                panels.AsSpan(i / TopKKernel.PanelRows * panelLength, panelLength).Clear();
            }

            rows.PackTo(index, panels.AsSpan(((i / TopKKernel.PanelRows) * panelLength) + (i % TopKKernel.PanelRows)));
        });
    }

    /// <summary>Writes the vectors of right rows [<paramref name="start"/>, +<paramref name="count"/>) into <paramref name="target"/>'s first rows.</summary>
    private void CopyRight(List<(RightRows Rows, int Index)> vectors, int start, int count, float[] target, CancellationToken cancellationToken) =>
        ForEachRight(vectors, start, count, cancellationToken, (rows, index, i) => rows.CopyTo(index, target.AsSpan(i * _dimensions, _dimensions)));

    /// <summary>
    /// Calls <paramref name="write"/> with each of right rows [<paramref name="start"/>, +<paramref name="count"/>): its
    /// store, its index there and its position from <paramref name="start"/>, once the store is embedded (another worker
    /// may still be embedding the partition that met the row first). A row's non-zeros are touched
    /// <see cref="PackAhead"/> rows early (<see cref="RightRows.Touch"/>): a block's rows lie anywhere in the slab.
    /// </summary>
    private void ForEachRight(List<(RightRows Rows, int Index)> vectors, int start, int count, CancellationToken cancellationToken, Action<RightRows, int, int> write)
    {
        RightRows? ready = null;
        var touched = 0;
        for (var i = 0; i < count; i++)
        {
            var (rows, index) = vectors[start + i];
            if (!ReferenceEquals(rows, ready))
            {
                rows.WaitEmbedded(cancellationToken);
                ready = rows;
            }

            if (i + PackAhead < count)
            {
                var (later, laterIndex) = vectors[start + i + PackAhead];
                touched += later.Touch(laterIndex);
            }

            write(rows, index, i);
        }

        _touched = touched;
    }

    private void Write(BlockingCollection<Result> done, RowsInFlight inFlight, string schema, string table, CancellationToken cancellationToken)
    {
        using var connection = _warehouse.OpenSecondConnection();
        long written = 0;
        using var vectors = _storeVectors ? connection.CreateAppender(schema, table + "_vectors") : null;
        using (var appender = connection.CreateAppender(schema, table))
        {
            foreach (var result in done.GetConsumingEnumerable(cancellationToken))
            {
                if (vectors is not null)
                {
                    AppendVectors(vectors, result.Partition.Group, 0, result.Partition.LeftKeys, result.LeftVectors!);
                    AppendVectors(vectors, result.Partition.Group, 1, result.Partition.RightKeys, result.RightVectors!);
                }

                var keys = result.Partition.LeftKeys;
                var rights = result.Partition.RightKeys;
                for (var i = 0; i < keys.Count; i++)
                {
                    for (var r = 0; r < _k; r++)
                    {
                        var index = result.Indices[(i * _k) + r];
                        if (index < 0)
                        {
                            break;
                        }

                        appender.CreateRow()
                            .AppendValue(keys[i])
                            .AppendValue(rights[index])
                            .AppendValue(r + 1)
                            .AppendValue(result.Scores[(i * _k) + r])
                            .EndRow();
                        written++;
                    }
                }

                inFlight.Release(result.Partition.Rows);
            }
        }

        _written = written;
    }

    private void AppendVectors(DuckDB.NET.Data.DuckDBAppender appender, long group, int side, List<long> keys, float[] packed)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            appender.CreateRow()
                .AppendValue(group)
                .AppendValue(side)
                .AppendValue(keys[i])
                .AppendValue(packed.AsSpan(i * _dimensions, _dimensions).ToArray())
                .EndRow();
        }
    }

    /// <param name="embedsRight">Whether the partition embeds the right rows it is the first to meet (<see cref="NewRight"/>); not when a slab holds every vector.</param>
    private sealed class Partition(long group, bool embedsRight = true)
    {
        public long Group { get; } = group;

        public List<long> LeftKeys { get; } = [];

        public List<long> RightKeys { get; } = [];

        public List<object>? LeftPayload { get; private set; } = [];

        /// <summary>The right rows this partition is the first to meet: it embeds them for itself and for later partitions.</summary>
        public RightRows? NewRight { get; } = embedsRight ? new() : null;

        /// <summary>Where each right row's vector is, in the order of <see cref="RightKeys"/>.</summary>
        public List<(RightRows Rows, int Index)>? RightVectors { get; private set; } = [];

        public int Rows => LeftKeys.Count + RightKeys.Count;

        public void ReleasePayload() => (LeftPayload, RightVectors) = (null, null);
    }

    private sealed record Result(Partition Partition, int[] Indices, float[] Scores, float[]? LeftVectors, float[]? RightVectors);
}
