using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ElectionMatch.Matching.Embeddings;

namespace ElectionMatch.Matching.Retrieval;

/// <summary>
/// Right rows embedded together (a batch of a <see cref="RightSlab"/>, or the rows a partition is the first to meet):
/// their texts (or stored vectors) until embedded, then the non-zeros of their vectors, in a few arrays rather than
/// objects a row, which the GC would copy (a per-row store was measured slower than embedding twice). The offline
/// embedder's vectors hold about 21 non-zeros of 256, each the row's sum of a few feature weights divided by the row's
/// norm; those sums take few distinct values, so with at most 256 dimensions a non-zero is kept as two bytes (its
/// dimension and its sum's code in the rows' table) beside a norm a row: about 50 bytes a row, a third of dimensions
/// and floats. The copy back is exact (the sum divided by the norm is what the embedder divides; the zeros left out are
/// +0 bit patterns, so a stored -0 is kept).
/// </summary>
internal sealed class RightRows
{
    private static readonly int[] LeftPack = BuildLeftPack();

    private readonly TaskCompletionSource _embedded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<object>? _payloads = [];
    private int[] _starts = [0];

    // Compact: a dimension and a code a non-zero, a norm a row, the codes' sums.
    private byte[]? _bytes;
    private byte[]? _codes;
    private float[]? _norms;
    private float[]? _sums;

    // Wide (stored vectors, more than 256 dimensions or more than 256 distinct sums): dimension and value a non-zero.
    private ushort[]? _dimensions;
    private float[]? _values;

    /// <summary>Whether the non-zeros are kept as byte codes (false before embedding, and in the wide form).</summary>
    internal bool IsCompact => _bytes is not null;

    /// <summary>Rows added, embedded or not.</summary>
    public int Count => _payloads?.Count ?? _starts.Length - 1;

    public int Add(object payload)
    {
        _payloads!.Add(payload);
        return _payloads.Count - 1;
    }

    /// <summary>Embeds the rows once, keeps their non-zeros and lets waiting partitions go on.</summary>
    /// <param name="scratch">A worker's own buffers: one dense vector, and non-zeros grown as needed, copied out at the exact size.</param>
    public void Embed(HashedNgramEmbedder? embedder, Scratch scratch)
    {
        var payloads = _payloads!;
        var starts = new int[payloads.Count + 1];
        var vector = scratch.Vector;
        var norms = embedder is not null && vector.Length <= 256 ? new float[payloads.Count] : null;
        var used = 0;
        for (var i = 0; i < payloads.Count; i++)
        {
            if (embedder is null)
            {
                ((float[])payloads[i]).CopyTo(vector, 0);
            }
            else if (norms is not null)
            {
                norms[i] = embedder.EmbedUnscaled((string)payloads[i], vector);
            }
            else
            {
                embedder.Embed((string)payloads[i], vector);
            }

            scratch.Reserve(used + vector.Length + Vector256<float>.Count);
            used = NonZeros(vector, scratch.Dimensions, scratch.Values, used);
            starts[i + 1] = used;
        }

        _starts = starts;
        if (norms is not null && scratch.Encode(used) is { } sums)
        {
            (_bytes, _codes, _norms, _sums) = (new byte[used], scratch.Codes[..used], norms, sums);
            for (var j = 0; j < used; j++)
            {
                _bytes[j] = (byte)scratch.Dimensions[j];
            }
        }
        else
        {
            if (norms is not null)
            {
                // Too many distinct sums for a byte: divided now, as the embedder divides.
                for (var i = 0; i < norms.Length; i++)
                {
                    for (var j = starts[i]; j < starts[i + 1]; j++)
                    {
                        scratch.Values[j] /= norms[i];
                    }
                }
            }

            (_dimensions, _values) = (scratch.Dimensions[..used], scratch.Values[..used]);
        }

        _payloads = null;
        _embedded.SetResult();
    }

    /// <summary>
    /// Appends the non-zero entries of <paramref name="vector"/> (by bit pattern) at <paramref name="used"/>. With AVX2
    /// eight dimensions at a time, packed by a permutation looked up from their mask: no branch per non-zero, which
    /// mispredicted about once per eight dimensions (a third of the time embedding a row took). Writes up to eight
    /// entries past the returned length.
    /// </summary>
    private static int NonZeros(float[] vector, ushort[] dimensions, float[] values, int used)
    {
        var d = 0;
        if (Avx2.IsSupported)
        {
            ref var lanes = ref MemoryMarshal.GetArrayDataReference(LeftPack);
            for (; d + Vector256<float>.Count <= vector.Length; d += Vector256<float>.Count)
            {
                var chunk = Vector256.LoadUnsafe(ref vector[0], (nuint)d);
                var mask = ~Vector256.Equals(chunk.AsInt32(), Vector256<int>.Zero).ExtractMostSignificantBits() & 0xFFu;
                var permutation = Vector256.LoadUnsafe(ref lanes, mask * 8);
                Avx2.PermuteVar8x32(chunk, permutation).StoreUnsafe(ref values[used]);
                var at = (permutation + Vector256.Create(d)).AsUInt32();
                Vector128.Narrow(at.GetLower(), at.GetUpper()).StoreUnsafe(ref dimensions[used]);
                used += BitOperations.PopCount(mask);
            }
        }

        for (; d < vector.Length; d++)
        {
            if (BitConverter.SingleToInt32Bits(vector[d]) != 0)
            {
                dimensions[used] = (ushort)d;
                values[used++] = vector[d];
            }
        }

        return used;
    }

    /// <summary>For each 8-bit mask, the lanes whose bit is set, in order, then zeros: eight ints a mask.</summary>
    private static int[] BuildLeftPack()
    {
        var lanes = new int[256 * 8];
        for (var mask = 0; mask < 256; mask++)
        {
            var at = mask * 8;
            for (var lane = 0; lane < 8; lane++)
            {
                if ((mask & (1 << lane)) != 0)
                {
                    lanes[at++] = lane;
                }
            }
        }

        return lanes;
    }

    public void WaitEmbedded(CancellationToken cancellationToken)
    {
        if (!_embedded.Task.IsCompleted)
        {
            _embedded.Task.Wait(cancellationToken);
        }
    }

    /// <summary>Row <paramref name="index"/>'s non-zeros into a panel's column of zeros: dimension d at d × <see cref="TopKKernel.PanelRows"/>.</summary>
    public void PackTo(int index, Span<float> column)
    {
        if (_bytes is not null)
        {
            var norm = _norms![index];
            var (first, end) = (_starts[index], _starts[index + 1]);
            var dimensions = _bytes.AsSpan(first, end - first);
            var codes = _codes.AsSpan(first, end - first);
            var sums = _sums.AsSpan();
            for (var j = 0; j < dimensions.Length; j++)
            {
                column[dimensions[j] * TopKKernel.PanelRows] = sums[codes[j]] / norm;
            }

            return;
        }

        for (var j = _starts[index]; j < _starts[index + 1]; j++)
        {
            column[_dimensions![j] * TopKKernel.PanelRows] = _values![j];
        }
    }

    /// <summary>
    /// Reads the first bytes of row <paramref name="index"/>'s non-zeros, so that the cache lines are on their way when
    /// the row is packed a few rows later (a block's rows lie anywhere in the slab); 0 when the row is not embedded yet.
    /// </summary>
    public int Touch(int index)
    {
        var (bytes, codes, starts) = (_bytes, _codes, _starts);
        if (bytes is null || codes is null || index + 1 >= starts.Length)
        {
            return 0;
        }

        var first = starts[index];
        return first < bytes.Length ? bytes[first] + codes[first] : 0;
    }

    /// <summary>Row <paramref name="index"/>'s vector into <paramref name="row"/>, whole.</summary>
    public void CopyTo(int index, Span<float> row)
    {
        row.Clear();
        if (_bytes is not null)
        {
            var norm = _norms![index];
            for (var j = _starts[index]; j < _starts[index + 1]; j++)
            {
                row[_bytes[j]] = _sums![_codes![j]] / norm;
            }

            return;
        }

        for (var j = _starts[index]; j < _starts[index + 1]; j++)
        {
            row[_dimensions![j]] = _values![j];
        }
    }

    /// <summary>A worker's buffers for embedding right rows: one dense vector and the non-zeros of the rows being embedded.</summary>
    internal sealed class Scratch(int dimensions)
    {
        /// <summary>Slots of the open-addressed map from a sum's bits to its code (a power of two, four times the codes).</summary>
        private const int Slots = 1024;

        private readonly int[] _slotBits = new int[Slots];
        private readonly short[] _slotCodes = new short[Slots];

        public float[] Vector { get; } = new float[dimensions];

        public ushort[] Dimensions { get; private set; } = new ushort[1 << 16];

        public float[] Values { get; private set; } = new float[1 << 16];

        public byte[] Codes { get; private set; } = new byte[1 << 16];

        public void Reserve(int length)
        {
            if (length > Dimensions.Length)
            {
                var grown = Math.Max(Dimensions.Length * 2, length);
                var (dimensions, values, codes) = (Dimensions, Values, Codes);
                Array.Resize(ref dimensions, grown);
                Array.Resize(ref values, grown);
                Array.Resize(ref codes, grown);
                (Dimensions, Values, Codes) = (dimensions, values, codes);
            }
        }

        /// <summary>
        /// Codes the first <paramref name="used"/> values into <see cref="Codes"/> by their bits, in order of first
        /// appearance, and returns the sums by code; null when they take more than 256 distinct values.
        /// </summary>
        public float[]? Encode(int used)
        {
            Array.Fill(_slotCodes, (short)-1);
            var sums = new List<float>();
            for (var j = 0; j < used; j++)
            {
                var bits = BitConverter.SingleToInt32Bits(Values[j]);
                var slot = (int)((uint)(bits * -1640531535) >> 22);
                while (_slotCodes[slot] >= 0 && _slotBits[slot] != bits)
                {
                    slot = (slot + 1) & (Slots - 1);
                }

                if (_slotCodes[slot] < 0)
                {
                    if (sums.Count == 256)
                    {
                        return null;
                    }

                    (_slotBits[slot], _slotCodes[slot]) = (bits, (short)sums.Count);
                    sums.Add(Values[j]);
                }

                Codes[j] = (byte)_slotCodes[slot];
            }

            return [.. sums];
        }
    }
}
