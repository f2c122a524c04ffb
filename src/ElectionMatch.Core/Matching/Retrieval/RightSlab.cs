using System.Collections.Concurrent;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching.Retrieval;

/// <summary>
/// The offline embedder's vector of every right row some partition searches, embedded once per stage run and kept as
/// non-zeros in batches of <see cref="BatchRows"/> rows, found by key. A results row is a member of its state's partition
/// and the stateless one of its date: the ordered stream then carries keys only, where it joined every chunk's
/// memberships with all results rows' texts and sorted the texts (at a million candidacies 8 scans of 7.2M texts, a
/// third of the stage). About 150 bytes a row (21 non-zeros of 256 on average).
/// </summary>
internal sealed class RightSlab
{
    /// <summary>Rows a batch holds; a row's place is its batch's number times this plus its row in the batch.</summary>
    private const int BatchShift = 13;

    private const int BatchRows = 1 << BatchShift;

    /// <summary>Batches read ahead of the embedding workers (their texts are managed memory).</summary>
    private const int BatchesInFlight = 8;

    private readonly List<RightRows> _batches = [];

    /// <summary>Place by key minus <see cref="_firstKey"/> (-1: not a member), when the keys are dense enough for an array.</summary>
    private readonly int[]? _places;

    private readonly Dictionary<long, int>? _sparse;

    private readonly long _firstKey;

    private RightSlab(int[]? places, Dictionary<long, int>? sparse, long firstKey) => (_places, _sparse, _firstKey) = (places, sparse, firstKey);

    public long Rows { get; private set; }

    /// <summary>
    /// Embeds every right row of <paramref name="inputs"/> that some partition is searched against, on
    /// <paramref name="degree"/> threads while this one reads the texts.
    /// </summary>
    public static RightSlab Build(DuckDbWarehouse warehouse, RetrievalInputs inputs, HashedNgramEmbedder embedder, int degree, CancellationToken cancellationToken)
    {
        var members = inputs.Embedded ?? inputs.Members;
        var memberships = warehouse.Scalar<long>($"select count(*) from {members}");
        var rightRows = warehouse.Scalar<long>($"select count(*) from {inputs.Right}");
        var slab = Index(warehouse, members, memberships);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = failed.Token;
        using var work = new BlockingCollection<RightRows>(BatchesInFlight);
        var workers = Enumerable.Range(0, Math.Max(1, degree)).Select(_ => BlockingWork.Guarded(() =>
        {
            var scratch = new RightRows.Scratch(embedder.Dimensions);
            foreach (var batch in work.GetConsumingEnumerable(token))
            {
                batch.Embed(embedder, scratch);
            }
        }, failed)).ToArray();

        BlockingWork.Feed(work, failed, cancellationToken, () =>
        {
            // Filtered here, by the index: a scan of every results row costs less than DuckDB's semi join with 14M
            // memberships (1.0 against 2.3-2.9 CPU-s at a million candidacies); a few members are joined in SQL.
            using var command = warehouse.Connection.CreateCommand();
            command.CommandText = memberships * 4 < rightRows
                ? $"select r.right_key, r.{inputs.RightText} from {inputs.Right} as r semi join {members} as m using (right_key)"
                : $"select right_key, {inputs.RightText} from {inputs.Right}";
            command.UseStreamingMode = true;
            using var reader = command.ExecuteReader();
            RightRows? batch = null;
            while (reader.Read())
            {
                token.ThrowIfCancellationRequested();
                var key = reader.GetInt64(0);
                if (!slab.Claim(key))
                {
                    continue;
                }

                if (batch is null || batch.Count == BatchRows)
                {
                    if (batch is not null)
                    {
                        work.Add(batch, token);
                    }

                    batch = new RightRows();
                    slab._batches.Add(batch);
                }

                slab.Place(key, ((slab._batches.Count - 1) << BatchShift) | batch.Add(reader.IsDBNull(1) ? "" : reader.GetString(1)));
                slab.Rows++;
            }

            if (batch is not null)
            {
                work.Add(batch, token);
            }
        });

        BlockingWork.WaitAll(workers);

        cancellationToken.ThrowIfCancellationRequested();
        return slab;
    }

    /// <summary>Where the row of <paramref name="key"/> is, or false when it is not a right row (an inner join drops it).</summary>
    public bool TryLocate(long key, out (RightRows Rows, int Index) row)
    {
        var place = -1;
        if (_places is not null)
        {
            var at = key - _firstKey;
            place = at >= 0 && at < _places.Length ? _places[at] : -1;
        }
        else if (_sparse!.TryGetValue(key, out var found))
        {
            place = found;
        }

        row = place < 0 ? default : (_batches[place >> BatchShift], place & (BatchRows - 1));
        return place >= 0;
    }

    /// <summary>Writes the vector of the row of <paramref name="key"/> into <paramref name="row"/>, whole; false when the slab does not hold it.</summary>
    public bool TryCopy(long key, Span<float> row)
    {
        if (!TryLocate(key, out var found))
        {
            return false;
        }

        found.Rows.CopyTo(found.Index, row);
        return true;
    }

    /// <summary>Reads the members' keys: an array by key when they span at most a few times their number, else a map.</summary>
    private static RightSlab Index(DuckDbWarehouse warehouse, string members, long count)
    {
        var (first, last) = warehouse.Query($"select min(right_key), max(right_key) from {members}",
            r => (r.IsDBNull(0) ? 0 : r.GetInt64(0), r.IsDBNull(1) ? -1 : r.GetInt64(1))).Single();
        var span = last - first + 1;
        var slab = span <= Math.Max(count * 4, 1 << 20) && span < Array.MaxLength
            ? new RightSlab(new int[span], null, first)
            : new RightSlab(null, new Dictionary<long, int>(checked((int)count)), first);
        if (slab._places is not null)
        {
            Array.Fill(slab._places, Unclaimed);
        }

        using var command = warehouse.Connection.CreateCommand();
        command.CommandText = $"select right_key from {members}";
        command.UseStreamingMode = true;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            slab.Place(reader.GetInt64(0), Member);
        }

        return slab;
    }

    private const int Unclaimed = -1;

    private const int Member = -2;

    /// <summary>True (once) when <paramref name="key"/> is a member not yet read: the first reading of a key is its text.</summary>
    private bool Claim(long key)
    {
        if (_places is not null)
        {
            var at = key - _firstKey;
            return at >= 0 && at < _places.Length && _places[at] == Member;
        }

        return _sparse!.TryGetValue(key, out var place) && place == Member;
    }

    private void Place(long key, int place)
    {
        if (_places is not null)
        {
            _places[key - _firstKey] = place;
        }
        else
        {
            _sparse![key] = place;
        }
    }
}
