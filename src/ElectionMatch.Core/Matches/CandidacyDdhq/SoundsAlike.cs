using System.Collections.Concurrent;
using System.Data.Common;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Matching.Retrieval;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// The sounds-alike blocking rule, one pass in C# over a match pass's partitions: a left row and a results row of the
/// same partition pair when a word of their surnames has the same Soundex code and (A) they share a given name (first
/// name, nickname, first middle name or a formal name of the first name's or the first middle name's nickname groups:
/// H Doug Owens meets DOUGLAS OWENS), or (B) their first names differ but start with the same letter and are close
/// (Jaro-Winkler ≥ 0.88) or one is a prefix of the other, or (C) one side has no given name at all. Writes the distinct
/// pairs, with the cosine of their vectors when retrieval kept the results rows' vectors (the offline embedder), to a
/// table of (left_key, right_key, cosine).
/// </summary>
/// <remarks>
/// This was SQL over narrow tables (each results row's sounds, given names and first name: 36M rows written at a million
/// candidacies) and joins on (partition, sound, name) per chunk of partitions, then pair_cosines embedded the pairs'
/// left rows again. Here the results rows' names are read once into integer codes (on every core), each partition's
/// few left rows are indexed by (sound, name), (sound, initial) and sound, and its results rows, many more, stream past
/// the index (partitions on every core, one writer). The rule's definition is the same; <c>SoundsAlikeTests</c> compares
/// the pairs with a plain SQL statement of the rule. Memory: the results rows' codes (about 30 bytes a row), and the
/// partitions in flight (their member keys and left rows).
/// </remarks>
internal sealed class SoundsAlike
{
    /// <summary>Separates the fields of a row's <see cref="Names"/> text, and the words of a list in it (no cleaned name holds either).</summary>
    private const char FieldSeparator = '\u001e';

    private const char ListSeparator = '\u001f';

    /// <summary>Rule B's spelling threshold (the comparisons' fuzzy first-name level).</summary>
    private const double CloseFirstNames = 0.88;

    // Slots of a worker's cache of rule B's answers (a power of two).
    private const int CloseSlots = 1 << 14;

    /// <summary>Results rows a batch holds while their names are coded; a row's place is its batch's number times this plus its row in the batch.</summary>
    private const int BatchShift = 13;

    private const int QueueDepth = 8;

    private readonly DuckDbWarehouse _warehouse;
    private readonly int _degree;
    private readonly ConcurrentDictionary<string, int> _otherWords = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _otherWordLookup;
    private readonly ConcurrentDictionary<string, int> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _nameLookup;
    private readonly List<byte[]> _nameBytes = [];
    private readonly List<int> _initials = [];

    public SoundsAlike(DuckDbWarehouse warehouse, int degree)
    {
        _warehouse = warehouse;
        _degree = Math.Max(1, degree);
        _otherWordLookup = _otherWords.GetAlternateLookup<ReadOnlySpan<char>>();
        _nameLookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The pairs written and the largest partition's results rows.</summary>
    public sealed record Report(long Pairs, long LeftRows, long LargestMembers);

    /// <param name="left">Left rows with group_id, left_key, surname_words, first_name, nickname, middle1, first_groups, middle_groups and embedding_text.</param>
    /// <param name="members">(group_id, right_key): the results rows of each partition.</param>
    /// <param name="right">Results rows with right_key and the same name columns as the left rows.</param>
    /// <param name="vectors">The results rows' vectors retrieval kept, for the pairs' cosines; null leaves the cosines to pair_cosines.</param>
    public Report Run(string left, string members, string right, RunSchema run, string table, RightSlab? vectors, HashedNgramEmbedder? embedder, CancellationToken cancellationToken)
    {
        _warehouse.Execute($"create or replace table {run.Table(table)} (left_key bigint, right_key bigint, cosine float)");
        var rows = LoadResultsRows(members, right, cancellationToken);

        // The results rows' first names, fixed now: the workers read them while this thread codes new left names.
        var names = new ResultsNames([.. _nameBytes], [.. _initials]);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = failed.Token;
        using var work = new BlockingCollection<Partition>(QueueDepth);
        using var done = new BlockingCollection<PairBatch>(QueueDepth);
        var workers = Enumerable.Range(0, _degree).Select(_ => BlockingWork.Guarded(() =>
        {
            var worker = new Worker(rows, names, vectors, embedder);
            foreach (var partition in work.GetConsumingEnumerable(token))
            {
                done.Add(worker.Pairs(partition), token);
            }
        }, failed)).ToArray();
        long pairs = 0;
        var writer = BlockingWork.Guarded(() => pairs = Write(done, run, table, token), failed);

        long leftRows = 0, largest = 0;
        BlockingWork.Feed(work, failed, cancellationToken, () =>
        {
            foreach (var partition in ReadPartitions(left, members, token))
            {
                leftRows += partition.Count;
                largest = Math.Max(largest, partition.Members.Count);
                work.Add(partition, token);
            }
        });

        BlockingWork.WaitQuietly(workers);
        done.CompleteAdding();
        BlockingWork.WaitAll([.. workers, writer]);
        cancellationToken.ThrowIfCancellationRequested();
        return new Report(pairs, leftRows, largest);
    }

    /// <summary>
    /// The name columns both sides are read with, as one text: the surname's words, first name, nickname, first middle
    /// name, and the nickname groups of the first name and of the first middle name (often null) in one list.
    /// </summary>
    private static string Names =>
        "concat(array_to_string(surname_words, chr(31)), chr(30), first_name, chr(30), nickname, chr(30), middle1, chr(30), " +
        "array_to_string(first_groups, chr(31)), chr(31), array_to_string(middle_groups, chr(31)))";

    /// <summary>Each partition's left rows, coded and indexed, and its members' keys, from two streams ordered by partition.</summary>
    private IEnumerable<Partition> ReadPartitions(string left, string members, CancellationToken cancellationToken)
    {
        // Two streams at once need two connections: a query on a connection ends the one streaming there.
        using var second = _warehouse.OpenSecondConnection();
        using var leftCommand = _warehouse.Connection.CreateCommand();
        leftCommand.CommandText = $"select group_id, left_key, {Names}, embedding_text from {left} order by group_id, left_key";
        leftCommand.UseStreamingMode = true;
        using var leftReader = leftCommand.ExecuteReader();
        using var memberCommand = second.CreateCommand();
        memberCommand.CommandText = $"select group_id, right_key from {members} order by group_id, right_key";
        memberCommand.UseStreamingMode = true;
        using var memberReader = memberCommand.ExecuteReader();

        var codes = new NameCodes();
        var (moreLeft, moreMembers) = (leftReader.Read(), memberReader.Read());
        while (moreLeft)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var partition = new Partition();
            var group = leftReader.GetInt64(0);
            do
            {
                Read(leftReader.GetString(2), codes);
                partition.Add(leftReader.GetInt64(1), codes, leftReader.IsDBNull(3) ? "" : leftReader.GetString(3), codes.First < 0 ? null : _nameBytes[codes.First], codes.First < 0 ? -1 : _initials[codes.First]);
                moreLeft = leftReader.Read();
            }
            while (moreLeft && leftReader.GetInt64(0) == group);

            while (moreMembers && memberReader.GetInt64(0) < group)
            {
                moreMembers = memberReader.Read();
            }

            for (; moreMembers && memberReader.GetInt64(0) == group; moreMembers = memberReader.Read())
            {
                partition.Members.Add(memberReader.GetInt64(1));
            }

            yield return partition;
        }
    }

    private long Write(BlockingCollection<PairBatch> done, RunSchema run, string table, CancellationToken cancellationToken)
    {
        using var connection = _warehouse.OpenSecondConnection();
        using var appender = connection.CreateAppender(run.Name, table);
        long written = 0;
        foreach (var batch in done.GetConsumingEnumerable(cancellationToken))
        {
            for (var i = 0; i < batch.Left.Count; i++)
            {
                var row = appender.CreateRow().AppendValue(batch.Left[i]).AppendValue(batch.Right[i]);
                (batch.Cosines is null ? row.AppendNullValue() : row.AppendValue(batch.Cosines[i])).EndRow();
            }

            written += batch.Left.Count;
        }

        return written;
    }

    /// <summary>The results rows of the pass's partitions, their names coded on every core while this thread reads them.</summary>
    private NamedRows LoadResultsRows(string members, string right, CancellationToken cancellationToken)
    {
        var (first, last, count) = _warehouse.Query($"select min(right_key), max(right_key), count(*) from {members}",
            r => (r.IsDBNull(0) ? 0 : r.GetInt64(0), r.IsDBNull(1) ? -1 : r.GetInt64(1), r.GetInt64(2))).Single();
        var rightRows = _warehouse.Scalar<long>($"select count(*) from {right}");
        var rows = new NamedRows(first, last);

        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = failed.Token;
        using var read = new BlockingCollection<TextBatch>(QueueDepth);
        var coders = Enumerable.Range(0, _degree).Select(_ => BlockingWork.Guarded(() =>
        {
            var codes = new NameCodes();
            var data = new List<int>();
            foreach (var batch in read.GetConsumingEnumerable(token))
            {
                var starts = new int[batch.Texts.Count + 1];
                data.Clear();
                for (var i = 0; i < batch.Texts.Count; i++)
                {
                    Read(batch.Texts[i], codes);
                    ResultsBatch.Append(data, codes);
                    starts[i + 1] = data.Count;
                }

                batch.Rows.Fill(starts, [.. data]);
                batch.Texts.Clear();
            }
        }, failed)).ToArray();

        BlockingWork.Feed(read, failed, cancellationToken, () =>
        {
            using var command = _warehouse.Connection.CreateCommand();
            // Every results row is read when most are members (a scan costs less than a semi join with the memberships).
            // Fewer (the runoff pass) are picked by key with IN: written as a semi join, DuckDB computed the results
            // view's derived columns for every row before joining (at 1M, 165k of 7.2M rows: the query alone 4.5 → 1.2
            // CPU-s, the runoff pass's stage replayed 5.6-5.9 → 5.3-5.4).
            command.CommandText = count * 4 < rightRows
                ? $"select r.right_key, {Names} from {right} as r where r.right_key in (select right_key from {members})"
                : $"select right_key, {Names} from {right}";
            command.UseStreamingMode = true;
            using var reader = command.ExecuteReader();
            TextBatch? batch = null;
            while (reader.Read())
            {
                token.ThrowIfCancellationRequested();
                var key = reader.GetInt64(0);
                if (key < first || key > last)
                {
                    continue;
                }

                if (batch is null || batch.Texts.Count == 1 << BatchShift)
                {
                    if (batch is not null)
                    {
                        read.Add(batch, token);
                    }

                    batch = new TextBatch(rows.NewBatch());
                }

                rows.Place(key, batch.Texts.Count);
                batch.Texts.Add(reader.GetString(1));
            }

            if (batch is not null)
            {
                read.Add(batch, token);
            }
        });

        BlockingWork.WaitAll(coders);
        cancellationToken.ThrowIfCancellationRequested();
        return rows;
    }

    /// <summary>A row's sounds (distinct), given names (distinct, none empty), first name and whether it has any given name, from its <see cref="Names"/> text.</summary>
    private void Read(string row, NameCodes codes)
    {
        codes.Clear();
        var text = row.AsSpan();
        Span<Range> fields = stackalloc Range[6];
        if (text.Split(fields, FieldSeparator) != 5)
        {
            throw new InvalidOperationException("sounds_alike: a row's names hold the field separator U+001E");
        }

        var words = text[fields[0]];
        foreach (var word in words.Split(ListSeparator))
        {
            AddDistinct(codes.Sounds, SoundOf(words[word]));
        }

        var firstName = text[fields[1]];
        var nickname = text[fields[2]];
        var middle = text[fields[3]];
        codes.First = Name(firstName);
        codes.Nameless = firstName.IsEmpty && nickname.IsEmpty && middle.IsEmpty;
        var groups = text[fields[4]];
        foreach (var group in groups.Split(ListSeparator))
        {
            AddDistinct(codes.Names, Name(groups[group]));
        }

        AddDistinct(codes.Names, codes.First);
        AddDistinct(codes.Names, Name(nickname));
        AddDistinct(codes.Names, Name(middle));
    }

    private static void AddDistinct(List<int> list, int code)
    {
        if (code >= 0 && !list.Contains(code))
        {
            list.Add(code);
        }
    }

    /// <summary>
    /// The code of a surname word's sound (-1 for an empty word): its Soundex as a number (<see cref="Soundex.Code"/>),
    /// computed from the characters each time, which costs less than looking the word up among the 715k distinct words
    /// of a million candidacies' results. Cleaned words are a to z (em_norm); any other word is its own sound, equal
    /// only to itself, numbered after every Soundex.
    /// </summary>
    private int SoundOf(ReadOnlySpan<char> word)
    {
        if (word.IsEmpty)
        {
            return -1;
        }

        var sound = Soundex.Code(word);
        if (sound >= 0)
        {
            return sound;
        }

        if (_otherWordLookup.TryGetValue(word, out var code))
        {
            return code;
        }

        lock (_otherWords)
        {
            return _otherWords.GetOrAdd(word.ToString(), Soundex.Codes + _otherWords.Count);
        }
    }

    /// <summary>The code of a given name, -1 for an empty one.</summary>
    private int Name(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return -1;
        }

        if (_nameLookup.TryGetValue(name, out var code))
        {
            return code;
        }

        lock (_nameBytes)
        {
            if (_nameLookup.TryGetValue(name, out code))
            {
                return code;
            }

            var text = name.ToString();
            code = _nameBytes.Count;
            _nameBytes.Add(Encoding.UTF8.GetBytes(text));
            _initials.Add(Rune.GetRuneAt(text, 0).Value);
            _names[text] = code;
            return code;
        }
    }

    private static long Key(int high, int low) => ((long)high << 32) | (uint)low;

    /// <summary>The results rows' first names by code: their UTF-8 bytes and first character (SQL's <c>left(name, 1)</c>).</summary>
    private sealed record ResultsNames(byte[][] Bytes, int[] Initials);

    /// <summary>Pairs found in one partition, for the writer.</summary>
    private sealed record PairBatch(List<long> Left, List<long> Right, List<float>? Cosines);

    /// <summary>Results rows read and not yet coded.</summary>
    private sealed record TextBatch(ResultsBatch Rows)
    {
        public List<string> Texts { get; } = [];
    }

    /// <summary>
    /// A batch of results rows' codes in one array, about 28 bytes a row: a row is its first name, its sound count and
    /// whether it has no given name, then its sounds and its given names.
    /// </summary>
    private sealed class ResultsBatch
    {
        private int[] _starts = [0];
        private int[] _data = [];

        public static void Append(List<int> data, NameCodes codes)
        {
            data.Add(codes.First);
            data.Add((codes.Sounds.Count << 1) | (codes.Nameless ? 1 : 0));
            data.AddRange(codes.Sounds);
            data.AddRange(codes.Names);
        }

        public void Fill(int[] starts, int[] data) => (_starts, _data) = (starts, data);

        public int FirstName(int row) => _data[_starts[row]];

        public bool IsNameless(int row) => (_data[_starts[row] + 1] & 1) != 0;

        public ReadOnlySpan<int> SoundsOf(int row) => _data.AsSpan(_starts[row] + 2, _data[_starts[row] + 1] >> 1);

        public ReadOnlySpan<int> NamesOf(int row)
        {
            var start = _starts[row] + 2 + (_data[_starts[row] + 1] >> 1);
            return _data.AsSpan(start, _starts[row + 1] - start);
        }
    }

    /// <summary>Probes partitions: what one thread holds (its first-name cache and vectors).</summary>
    private sealed class Worker(NamedRows rows, ResultsNames names, RightSlab? vectors, HashedNgramEmbedder? embedder)
    {
        // Rule B's answers for recent pairs of first names, one slot a hash (direct-mapped): a partition asks about few
        // pairs many times, and a map of every pair ever asked grew past the caches.
        private readonly long[] _closeKeys = CreateCloseKeys();
        private readonly bool[] _closeAnswers = new bool[CloseSlots];
        private readonly List<int> _found = [];
        private readonly float[] _right = new float[embedder?.Dimensions ?? 0];
        private float[] _left = [];
        private bool[] _embedded = [];

        public PairBatch Pairs(Partition partition)
        {
            var batch = new PairBatch([], [], vectors is null ? null : []);
            if (vectors is not null)
            {
                var size = partition.Count * embedder!.Dimensions;
                _left = _left.Length < size ? new float[size] : _left;
                _embedded = _embedded.Length < partition.Count ? new bool[partition.Count] : _embedded;
                Array.Clear(_embedded, 0, partition.Count);
            }

            foreach (var rightKey in partition.Members)
            {
                if (!rows.TryLocate(rightKey, out var rowsOf, out var row))
                {
                    continue;
                }

                _found.Clear();
                Probe(rowsOf, row, partition);
                if (_found.Count == 0)
                {
                    continue;
                }

                if (vectors is not null && !vectors.TryCopy(rightKey, _right))
                {
                    throw new InvalidOperationException($"sounds_alike: results row {rightKey} is in a partition but retrieval did not embed it");
                }

                foreach (var i in _found)
                {
                    batch.Left.Add(partition.Keys[i]);
                    batch.Right.Add(rightKey);
                    batch.Cosines?.Add(TensorPrimitives.Dot(LeftVector(partition, i), _right));
                }
            }

            return batch;
        }

        /// <summary>The left rows of the partition that pair with results row <paramref name="row"/>, each once, into the found list.</summary>
        private void Probe(ResultsBatch rowsOf, int row, Partition partition)
        {
            var first = rowsOf.FirstName(row);
            var nameless = rowsOf.IsNameless(row);
            var rowNames = rowsOf.NamesOf(row);
            foreach (var sound in rowsOf.SoundsOf(row))
            {
                if (!partition.Sounds.Contains(sound))
                {
                    continue;
                }

                // A: a shared given name.
                foreach (var name in rowNames)
                {
                    foreach (var i in partition.Named(Key(sound, name)))
                    {
                        AddDistinct(_found, i);
                    }
                }

                // B: the same initial and a close or prefix spelling of a different first name.
                if (first >= 0)
                {
                    foreach (var i in partition.Initialled(Key(sound, names.Initials[first])))
                    {
                        if (partition.FirstNames[i] != first && Close(partition, i, first))
                        {
                            AddDistinct(_found, i);
                        }
                    }
                }

                // C: a side with no given name at all pairs on the sound alone.
                foreach (var i in nameless ? partition.Sounding(sound) : partition.Nameless(sound))
                {
                    AddDistinct(_found, i);
                }
            }
        }

        /// <summary>Rule B's spelling test on two different first names, answered from the worker's cache while the pair is in it.</summary>
        private bool Close(Partition partition, int leftRow, int right)
        {
            var key = Key(partition.FirstNames[leftRow], right);
            var slot = MixedKeys.Instance.GetHashCode(key) & (CloseSlots - 1);
            if (_closeKeys[slot] != key)
            {
                var (a, b) = (partition.FirstBytes[leftRow]!, names.Bytes[right]);
                _closeAnswers[slot] = JaroWinkler.Similarity(a, b) >= CloseFirstNames || a.AsSpan().StartsWith(b) || b.AsSpan().StartsWith(a);
                _closeKeys[slot] = key;
            }

            return _closeAnswers[slot];
        }

        // Two first-name codes are never both -1 in a key Close asks about, so -1 marks an empty slot.
        private static long[] CreateCloseKeys()
        {
            var keys = new long[CloseSlots];
            Array.Fill(keys, -1L);
            return keys;
        }

        private ReadOnlySpan<float> LeftVector(Partition partition, int row)
        {
            var vector = _left.AsSpan(row * embedder!.Dimensions, embedder.Dimensions);
            if (!_embedded[row])
            {
                embedder.Embed(partition.Texts[row], vector);
                _embedded[row] = true;
            }

            return vector;
        }
    }

    /// <summary>One row's codes while it is read.</summary>
    private sealed class NameCodes
    {
        public List<int> Sounds { get; } = [];

        public List<int> Names { get; } = [];

        public int First { get; set; }

        public bool Nameless { get; set; }

        public void Clear()
        {
            Sounds.Clear();
            Names.Clear();
        }
    }

    /// <summary>The results rows in batches, found by key (the input's row number, so the keys are dense).</summary>
    private sealed class NamedRows(long firstKey, long lastKey)
    {
        private readonly int[] _places = CreatePlaces(firstKey, lastKey);
        private readonly List<ResultsBatch> _batches = [];

        private static int[] CreatePlaces(long first, long last)
        {
            var places = new int[Math.Max(0, last - first + 1)];
            Array.Fill(places, -1);
            return places;
        }

        /// <summary>A batch for the next rows read; <see cref="Place"/> puts a key at a row of the newest batch.</summary>
        public ResultsBatch NewBatch()
        {
            var batch = new ResultsBatch();
            _batches.Add(batch);
            return batch;
        }

        public void Place(long key, int row) => _places[key - firstKey] = ((_batches.Count - 1) << BatchShift) | row;

        public bool TryLocate(long key, out ResultsBatch batch, out int row)
        {
            var at = key - firstKey;
            var place = at >= 0 && at < _places.Length ? _places[at] : -1;
            (batch, row) = place < 0 ? (null!, -1) : (_batches[place >> BatchShift], place & ((1 << BatchShift) - 1));
            return place >= 0;
        }
    }

    /// <summary>
    /// One partition: its left rows indexed by (sound, given name), (sound, initial), sound, and sound for the rows
    /// without a given name, and its results rows' keys.
    /// </summary>
    private sealed class Partition
    {
        private readonly MultiMap _named = new();
        private readonly MultiMap _initialled = new();
        private readonly MultiMap _sounding = new();
        private readonly MultiMap _nameless = new();

        public HashSet<int> Sounds { get; } = [];

        public List<long> Members { get; } = [];

        public List<long> Keys { get; } = [];

        public List<int> FirstNames { get; } = [];

        public List<string> Texts { get; } = [];

        /// <summary>Each left row's first name in UTF-8, null for none.</summary>
        public List<byte[]?> FirstBytes { get; } = [];

        public int Count => Keys.Count;

        public void Add(long key, NameCodes codes, string text, byte[]? firstBytes, int initial)
        {
            var row = Count;
            Keys.Add(key);
            FirstNames.Add(codes.First);
            Texts.Add(text);
            FirstBytes.Add(firstBytes);
            foreach (var sound in codes.Sounds)
            {
                Sounds.Add(sound);
                foreach (var name in codes.Names)
                {
                    _named.Add(Key(sound, name), row);
                }

                if (initial >= 0)
                {
                    _initialled.Add(Key(sound, initial), row);
                }

                _sounding.Add(sound, row);
                if (codes.Nameless)
                {
                    _nameless.Add(sound, row);
                }
            }
        }

        public MultiMap.Values Named(long key) => _named.Get(key);

        public MultiMap.Values Initialled(long key) => _initialled.Get(key);

        public MultiMap.Values Sounding(int sound) => _sounding.Get(sound);

        public MultiMap.Values Nameless(int sound) => _nameless.Get(sound);
    }

    /// <summary>
    /// Hashes a key of two codes (one in the high 32 bits, one in the low) by multiplying: the default hash of a long
    /// is its halves XORed, so (a, b) and (b, a) and every pair with the same XOR collide. With the default, the
    /// first-name pairs' cache spent 2 µs a lookup at a million candidacies (30 of the stage's 53 s).
    /// </summary>
    private sealed class MixedKeys : IEqualityComparer<long>
    {
        public static readonly MixedKeys Instance = new();

        public bool Equals(long x, long y) => x == y;

        public int GetHashCode(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 32);
    }

    /// <summary>Rows by key, each key's rows chained through one array: no list per key.</summary>
    private sealed class MultiMap
    {
        private readonly Dictionary<long, int> _heads = new(MixedKeys.Instance);
        private readonly List<int> _next = [];
        private readonly List<int> _rows = [];

        public void Add(long key, int row)
        {
            ref var head = ref CollectionsMarshal.GetValueRefOrAddDefault(_heads, key, out var exists);
            _next.Add(exists ? head : -1);
            _rows.Add(row);
            head = _rows.Count - 1;
        }

        public Values Get(long key) => new(this, _heads.TryGetValue(key, out var head) ? head : -1);

        public readonly struct Values(MultiMap map, int head)
        {
            public Enumerator GetEnumerator() => new(map, head);
        }

        public struct Enumerator(MultiMap map, int head)
        {
            private int _at = -2;

            public readonly int Current => map._rows[_at];

            public bool MoveNext()
            {
                _at = _at == -2 ? head : map._next[_at];
                return _at >= 0;
            }
        }
    }
}
