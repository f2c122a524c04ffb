using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ElectionMatch.Matching.Retrieval;

internal static partial class TopKKernel
{
    /// <summary>
    /// <see cref="TopKPath.Auto"/> takes <see cref="TopKPath.Sparse"/> instead of <see cref="TopKPath.Blocked"/>
    /// when the left rows hold at most one non-zero in this many dimensions on average. The offline embedder's
    /// vectors hold 30–60 of 256; a dense row costs the sparse path more than the blocked one.
    /// </summary>
    internal const int SparseDensityDivisor = 4;

    /// <summary>Left rows summed together: with two panels, eight independent FMA chains.</summary>
    private const int SparseRows = 4;

    /// <summary>Whether the left rows are sparse enough for <see cref="TopKPath.Sparse"/> to beat <see cref="TopKPath.Blocked"/>.</summary>
    internal static bool IsSparse(ReadOnlySpan<float> left, int leftCount, int dimensions) =>
        (long)CountNonZero(left[..(leftCount * dimensions)]) * SparseDensityDivisor <= (long)leftCount * dimensions;

    private static int CountNonZero(ReadOnlySpan<float> values)
    {
        int zeros = 0;
        int i = 0;
        for (; i + Vector256<float>.Count <= values.Length; i += Vector256<float>.Count)
        {
            zeros += System.Numerics.BitOperations.PopCount(Vector256.Equals(Vector256.Create(values.Slice(i, Vector256<float>.Count)), Vector256<float>.Zero).ExtractMostSignificantBits());
        }

        for (; i < values.Length; i++)
        {
            zeros += values[i] == 0 ? 1 : 0;
        }

        return values.Length - zeros;
    }

    /// <summary>
    /// The blocked path's packed panels with each left row's non-zero dimensions only. A lane of the blocked
    /// micro-kernel adds <c>left[d] × right[d]</c> by FMA in dimension order from +0; a zero left value adds
    /// ±0, which leaves the sum as it is, so skipping those dimensions gives every score the same bits, at
    /// a cost that follows the non-zeros instead of the dimensions. One dimension of a panel is one cache
    /// line and the non-zeros fall anywhere, so two panels are searched at a time (32 KiB at 256 dimensions,
    /// in L1: a sweep of L2-sized chunks ran at a third of this speed), and four left rows go together (their non-zeros interleaved, the
    /// shorter lists padded with zeros, which add nothing either) so eight FMA chains hide each other's latency.
    /// </summary>
    private static void SearchSparse(
        ReadOnlySpan<float> left,
        int leftCount,
        ReadOnlySpan<float> right,
        int rightCount,
        int dimensions,
        int k,
        int outputK,
        Span<int> indices,
        Span<float> scores,
        int maxDegreeOfParallelism,
        bool wide,
        float[]? prepacked = null)
    {
        int groups = (leftCount + SparseRows - 1) / SparseRows;
        int rowsLength = leftCount * Stride(k);
        float[] packed = prepacked ?? Rent<float>(PackedLength(rightCount, dimensions));
        int[] rowIndices = Rent<int>(rowsLength);
        float[] rowScores = Rent<float>(rowsLength);
        int[] starts = Rent<int>(groups + 1);
        (int[] dims, float[] values) = Interleave(left, leftCount, dimensions, groups, starts);
        try
        {
            if (prepacked is null)
            {
                PackRight(right, rightCount, dimensions, packed);
            }

            ClearRows(rowIndices.AsSpan(0, rowsLength), rowScores.AsSpan(0, rowsLength));
            bool parallel = maxDegreeOfParallelism > 1 && groups > 1 && (long)leftCount * rightCount * dimensions >= ParallelMinWork;
            if (parallel)
            {
                int blocks = Math.Min(groups, maxDegreeOfParallelism * 4);
                Parallel.For(
                    0,
                    blocks,
                    new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
                    block =>
                    {
                        (int first, int end) = Part(groups, blocks, block);
                        SparseGroups(starts, dims, values, first, end, leftCount, packed, rightCount, dimensions, k, rowIndices, rowScores, wide);
                    });
            }
            else
            {
                SparseGroups(starts, dims, values, 0, groups, leftCount, packed, rightCount, dimensions, k, rowIndices, rowScores, wide);
            }

            CopyRows(rowIndices, rowScores, leftCount, k, outputK, indices, scores);
        }
        finally
        {
            if (prepacked is null)
            {
                Return(packed);
            }

            Return(rowIndices);
            Return(rowScores);
            Return(starts);
            Return(dims);
            Return(values);
        }
    }

    /// <summary>
    /// Each group of <see cref="SparseRows"/> left rows as one list of steps: step i holds the i-th non-zero of
    /// each row (its dimension times <see cref="PanelWidth"/>, the offset in a panel, and its value), a row
    /// with fewer non-zeros (or a row past the last) padded with dimension 0 and value 0.
    /// </summary>
    private static (int[] Dims, float[] Values) Interleave(ReadOnlySpan<float> left, int leftCount, int dimensions, int groups, int[] starts)
    {
        int steps = 0;
        for (int group = 0; group < groups; group++)
        {
            starts[group] = steps;
            int most = 0;
            for (int row = group * SparseRows; row < Math.Min(leftCount, (group + 1) * SparseRows); row++)
            {
                most = Math.Max(most, CountNonZero(left.Slice(row * dimensions, dimensions)));
            }

            steps += most;
        }

        starts[groups] = steps;
        int[] dims = Rent<int>(steps * SparseRows);
        float[] values = Rent<float>(steps * SparseRows);
        dims.AsSpan(0, steps * SparseRows).Clear();
        values.AsSpan(0, steps * SparseRows).Clear();
        for (int group = 0; group < groups; group++)
        {
            for (int lane = 0; lane < SparseRows; lane++)
            {
                int row = (group * SparseRows) + lane;
                if (row >= leftCount)
                {
                    break;
                }

                int at = (starts[group] * SparseRows) + lane;
                ReadOnlySpan<float> rowValues = left.Slice(row * dimensions, dimensions);
                for (int d = 0; d < dimensions; d++)
                {
                    if (rowValues[d] != 0)
                    {
                        dims[at] = d * PanelWidth;
                        values[at] = rowValues[d];
                        at += SparseRows;
                    }
                }
            }
        }

        return (dims, values);
    }

    /// <summary>Row groups [<paramref name="first"/>, <paramref name="end"/>) against every right row, two panels (L1-sized) at a time.</summary>
    private static void SparseGroups(
        int[] starts,
        int[] dims,
        float[] values,
        int first,
        int end,
        int leftCount,
        float[] packed,
        int rightCount,
        int dimensions,
        int k,
        int[] rowIndices,
        float[] rowScores,
        bool wide)
    {
        Span<float> tile = stackalloc float[SparseRows * PanelWidth];
        Span<float> pairTile = stackalloc float[SparseRows * PanelWidth];
        int panels = (rightCount + PanelWidth - 1) / PanelWidth;
        int panelLength = PanelWidth * dimensions;
        ref float packedStart = ref MemoryMarshal.GetArrayDataReference(packed);
        ref int dimsStart = ref MemoryMarshal.GetArrayDataReference(dims);
        ref float valuesStart = ref MemoryMarshal.GetArrayDataReference(values);
        for (int panel = 0; panel < panels; panel += 2)
        {
            ref float panel0 = ref Unsafe.Add(ref packedStart, (nint)panel * panelLength);
            bool two = panel + 1 < panels;
            for (int group = first; group < end; group++)
            {
                int steps = starts[group + 1] - starts[group];
                ref int groupDims = ref Unsafe.Add(ref dimsStart, starts[group] * SparseRows);
                ref float groupValues = ref Unsafe.Add(ref valuesStart, starts[group] * SparseRows);
                if (wide && two)
                {
                    MultiplySparse512(ref groupDims, ref groupValues, steps, ref panel0, panelLength, tile, pairTile);
                }
                else
                {
                    MultiplySparse256(ref groupDims, ref groupValues, steps, ref panel0, tile);
                    if (two)
                    {
                        MultiplySparse256(ref groupDims, ref groupValues, steps, ref Unsafe.Add(ref panel0, panelLength), pairTile);
                    }
                }

                int row = group * SparseRows;
                int rows = Math.Min(SparseRows, leftCount - row);
                OfferTile(tile, rows, row, panel * PanelWidth, rightCount, k, rowIndices, rowScores);
                if (two)
                {
                    OfferTile(pairTile, rows, row, (panel + 1) * PanelWidth, rightCount, k, rowIndices, rowScores);
                }
            }
        }
    }

    /// <summary>Four left rows against two panels: per step, one 16-float load per row and panel and eight FMAs.</summary>
    private static void MultiplySparse512(ref int dims, ref float values, int steps, ref float panel0, int panelLength, Span<float> tile, Span<float> pairTile)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        ref float panel1 = ref Unsafe.Add(ref panel0, panelLength);
        for (int i = 0; i < steps; i++)
        {
            ref int d = ref Unsafe.Add(ref dims, i * SparseRows);
            ref float v = ref Unsafe.Add(ref values, i * SparseRows);
            nuint d0 = (nuint)d, d1 = (nuint)Unsafe.Add(ref d, 1), d2 = (nuint)Unsafe.Add(ref d, 2), d3 = (nuint)Unsafe.Add(ref d, 3);
            Vector512<float> a = Vector512.Create(v);
            c00 = Avx512F.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref panel0, d0), c00);
            c01 = Avx512F.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref panel1, d0), c01);
            a = Vector512.Create(Unsafe.Add(ref v, 1));
            c10 = Avx512F.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref panel0, d1), c10);
            c11 = Avx512F.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref panel1, d1), c11);
            a = Vector512.Create(Unsafe.Add(ref v, 2));
            c20 = Avx512F.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref panel0, d2), c20);
            c21 = Avx512F.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref panel1, d2), c21);
            a = Vector512.Create(Unsafe.Add(ref v, 3));
            c30 = Avx512F.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref panel0, d3), c30);
            c31 = Avx512F.FusedMultiplyAdd(a, Vector512.LoadUnsafe(ref panel1, d3), c31);
        }

        ref float t = ref MemoryMarshal.GetReference(tile);
        ref float u = ref MemoryMarshal.GetReference(pairTile);
        c00.StoreUnsafe(ref t, 0);
        c10.StoreUnsafe(ref t, 16);
        c20.StoreUnsafe(ref t, 32);
        c30.StoreUnsafe(ref t, 48);
        c01.StoreUnsafe(ref u, 0);
        c11.StoreUnsafe(ref u, 16);
        c21.StoreUnsafe(ref u, 32);
        c31.StoreUnsafe(ref u, 48);
    }

    /// <summary>Four left rows against one panel without AVX-512: the same lanes' sums, two 8-float halves per row.</summary>
    private static void MultiplySparse256(ref int dims, ref float values, int steps, ref float panel, Span<float> tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int i = 0; i < steps; i++)
        {
            ref int d = ref Unsafe.Add(ref dims, i * SparseRows);
            ref float v = ref Unsafe.Add(ref values, i * SparseRows);
            nuint d0 = (nuint)d, d1 = (nuint)Unsafe.Add(ref d, 1), d2 = (nuint)Unsafe.Add(ref d, 2), d3 = (nuint)Unsafe.Add(ref d, 3);
            Vector256<float> a = Vector256.Create(v);
            c00 = Fma.MultiplyAdd(a, Vector256.LoadUnsafe(ref panel, d0), c00);
            c01 = Fma.MultiplyAdd(a, Vector256.LoadUnsafe(ref panel, d0 + 8), c01);
            a = Vector256.Create(Unsafe.Add(ref v, 1));
            c10 = Fma.MultiplyAdd(a, Vector256.LoadUnsafe(ref panel, d1), c10);
            c11 = Fma.MultiplyAdd(a, Vector256.LoadUnsafe(ref panel, d1 + 8), c11);
            a = Vector256.Create(Unsafe.Add(ref v, 2));
            c20 = Fma.MultiplyAdd(a, Vector256.LoadUnsafe(ref panel, d2), c20);
            c21 = Fma.MultiplyAdd(a, Vector256.LoadUnsafe(ref panel, d2 + 8), c21);
            a = Vector256.Create(Unsafe.Add(ref v, 3));
            c30 = Fma.MultiplyAdd(a, Vector256.LoadUnsafe(ref panel, d3), c30);
            c31 = Fma.MultiplyAdd(a, Vector256.LoadUnsafe(ref panel, d3 + 8), c31);
        }

        ref float t = ref MemoryMarshal.GetReference(tile);
        c00.StoreUnsafe(ref t, 0);
        c01.StoreUnsafe(ref t, 8);
        c10.StoreUnsafe(ref t, 16);
        c11.StoreUnsafe(ref t, 24);
        c20.StoreUnsafe(ref t, 32);
        c21.StoreUnsafe(ref t, 40);
        c30.StoreUnsafe(ref t, 48);
        c31.StoreUnsafe(ref t, 56);
    }
}
