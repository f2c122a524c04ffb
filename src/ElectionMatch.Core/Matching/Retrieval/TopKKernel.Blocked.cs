using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ElectionMatch.Matching.Retrieval;

internal static partial class TopKKernel
{
    /// <summary>Left rows per tile: 6 rows × 2 vectors = 12 accumulators, leaving room for 2 loads and a broadcast in 16 registers.</summary>
    private const int TileRows = 6;

    /// <summary>Right rows per packed panel: one dimension of a panel is two <see cref="Vector256{T}"/>.</summary>
    private const int PanelWidth = 16;

    /// <summary>Right rows visited per pass over the left tiles, sized to stay in L2 (512 KiB on Zen 3, 1 MiB on Zen 4/5).</summary>
    private const int ChunkBytes = 256 * 1024;

    private static void SearchBlocked(
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
        int rowsLength = leftCount * Stride(k);
        float[] packed = prepacked ?? Rent<float>(PackedLength(rightCount, dimensions));
        int[] rowIndices = Rent<int>(rowsLength);
        float[] rowScores = Rent<float>(rowsLength);
        try
        {
            if (prepacked is null)
            {
                PackRight(right, rightCount, dimensions, packed);
            }

            ClearRows(rowIndices.AsSpan(0, rowsLength), rowScores.AsSpan(0, rowsLength));
            int tiles = (leftCount + TileRows - 1) / TileRows;
            bool parallel = maxDegreeOfParallelism > 1 && tiles > 1 && (long)leftCount * rightCount * dimensions >= ParallelMinWork;
            if (parallel)
            {
                SearchBlockedParallel(left, leftCount, packed, rightCount, dimensions, k, rowIndices, rowScores, maxDegreeOfParallelism, wide);
            }
            else
            {
                BlockedRows(left, 0, leftCount, packed, rightCount, dimensions, k, rowIndices, rowScores, wide);
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
        }
    }

    /// <summary>
    /// Splits the left rows into blocks of whole tiles, a few per core so a core slowed by other work
    /// does not hold up the call. Each left row is computed by exactly one block in the same order as
    /// serially, so the result is the serial one.
    /// </summary>
    private static void SearchBlockedParallel(
        ReadOnlySpan<float> left,
        int leftCount,
        float[] packed,
        int rightCount,
        int dimensions,
        int k,
        int[] rowIndices,
        float[] rowScores,
        int maxDegreeOfParallelism,
        bool wide)
    {
        // A span cannot enter a lambda: the left rows go through a pooled copy.
        float[] leftCopy = Rent<float>(left.Length);
        try
        {
            left.CopyTo(leftCopy);
            int tiles = (leftCount + TileRows - 1) / TileRows;
            int blocks = Math.Min(tiles, maxDegreeOfParallelism * 4);
            int leftLength = left.Length;
            Parallel.For(
                0,
                blocks,
                new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
                block =>
                {
                    (int firstTile, int endTile) = Part(tiles, blocks, block);
                    BlockedRows(
                        leftCopy.AsSpan(0, leftLength),
                        firstTile * TileRows,
                        Math.Min(endTile * TileRows, leftCount),
                        packed,
                        rightCount,
                        dimensions,
                        k,
                        rowIndices,
                        rowScores,
                        wide);
                });
        }
        finally
        {
            Return(leftCopy);
        }
    }

    /// <summary>
    /// Packs right rows into panels of <see cref="PanelWidth"/> rows stored dimension-major, so one
    /// dimension of 16 right rows is 16 consecutive floats. The last panel is padded with zeros. Eight
    /// rows × eight dimensions at a time go through an AVX transpose: a scalar copy cost as much as the
    /// products of ~30 left rows.
    /// </summary>
    private static void PackRight(ReadOnlySpan<float> right, int rightCount, int dimensions, Span<float> packed)
    {
        int panelLength = PanelWidth * dimensions;
        int panels = (rightCount + PanelWidth - 1) / PanelWidth;
        ref float source = ref MemoryMarshal.GetReference(right);
        for (int panel = 0; panel < panels; panel++)
        {
            ref float target = ref Unsafe.Add(ref MemoryMarshal.GetReference(packed), (nint)panel * panelLength);
            for (int half = 0; half < PanelWidth; half += 8)
            {
                int firstRow = (panel * PanelWidth) + half;
                int rows = Math.Clamp(rightCount - firstRow, 0, 8);
                ref float first = ref Unsafe.Add(ref source, (nint)firstRow * dimensions);
                int d = 0;
                if (rows == 8)
                {
                    for (; d + 8 <= dimensions; d += 8)
                    {
                        Transpose8x8(ref Unsafe.Add(ref first, d), dimensions, ref Unsafe.Add(ref target, (d * PanelWidth) + half));
                    }
                }

                for (; d < dimensions; d++)
                {
                    for (int j = 0; j < 8; j++)
                    {
                        Unsafe.Add(ref target, (d * PanelWidth) + half + j) = j < rows ? Unsafe.Add(ref first, ((nint)j * dimensions) + d) : 0;
                    }
                }
            }
        }
    }

    /// <summary>8 floats from each of 8 rows <paramref name="stride"/> apart, written as 8 floats per dimension, <see cref="PanelWidth"/> apart.</summary>
    private static void Transpose8x8(ref float source, int stride, ref float target)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref source);
        Vector256<float> r1 = Vector256.LoadUnsafe(ref source, (nuint)stride);
        Vector256<float> r2 = Vector256.LoadUnsafe(ref source, (nuint)(2 * stride));
        Vector256<float> r3 = Vector256.LoadUnsafe(ref source, (nuint)(3 * stride));
        Vector256<float> r4 = Vector256.LoadUnsafe(ref source, (nuint)(4 * stride));
        Vector256<float> r5 = Vector256.LoadUnsafe(ref source, (nuint)(5 * stride));
        Vector256<float> r6 = Vector256.LoadUnsafe(ref source, (nuint)(6 * stride));
        Vector256<float> r7 = Vector256.LoadUnsafe(ref source, (nuint)(7 * stride));

        // Pairs of rows interleaved, then quads: each 128-bit half holds one dimension of 4 rows.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> q0 = Avx.Shuffle(t0, t2, 0x44), q1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> q2 = Avx.Shuffle(t1, t3, 0x44), q3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> q4 = Avx.Shuffle(t4, t6, 0x44), q5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> q6 = Avx.Shuffle(t5, t7, 0x44), q7 = Avx.Shuffle(t5, t7, 0xEE);

        Avx.Permute2x128(q0, q4, 0x20).StoreUnsafe(ref target);
        Avx.Permute2x128(q1, q5, 0x20).StoreUnsafe(ref target, PanelWidth);
        Avx.Permute2x128(q2, q6, 0x20).StoreUnsafe(ref target, 2 * PanelWidth);
        Avx.Permute2x128(q3, q7, 0x20).StoreUnsafe(ref target, 3 * PanelWidth);
        Avx.Permute2x128(q0, q4, 0x31).StoreUnsafe(ref target, 4 * PanelWidth);
        Avx.Permute2x128(q1, q5, 0x31).StoreUnsafe(ref target, 5 * PanelWidth);
        Avx.Permute2x128(q2, q6, 0x31).StoreUnsafe(ref target, 6 * PanelWidth);
        Avx.Permute2x128(q3, q7, 0x31).StoreUnsafe(ref target, 7 * PanelWidth);
    }

    /// <summary>
    /// Left rows [<paramref name="rowStart"/>, <paramref name="rowEnd"/>) against every right row: for each
    /// L2-sized chunk of panels, every left tile (kept in L1) sweeps the chunk panel by panel.
    /// </summary>
    private static void BlockedRows(
        ReadOnlySpan<float> left,
        int rowStart,
        int rowEnd,
        ReadOnlySpan<float> packed,
        int rightCount,
        int dimensions,
        int k,
        Span<int> rowIndices,
        Span<float> rowScores,
        bool wide)
    {
        Span<float> tile = stackalloc float[TileRows * PanelWidth];
        ref float tileStart = ref MemoryMarshal.GetReference(tile);
        Span<float> pairTile = stackalloc float[TileRows * PanelWidth];
        ref float pairStart = ref MemoryMarshal.GetReference(pairTile);
        int panels = (rightCount + PanelWidth - 1) / PanelWidth;
        int panelLength = PanelWidth * dimensions;
        int chunkPanels = Math.Max(1, ChunkBytes / (panelLength * sizeof(float)));
        ref float leftStart = ref MemoryMarshal.GetReference(left);
        ref float packedStart = ref MemoryMarshal.GetReference(packed);
        for (int chunk = 0; chunk < panels; chunk += chunkPanels)
        {
            int chunkEnd = Math.Min(panels, chunk + chunkPanels);
            for (int row = rowStart; row < rowEnd; row += TileRows)
            {
                int rows = Math.Min(TileRows, rowEnd - row);
                int lastRow = row + rows - 1;

                // A short tile repeats its last row: those lanes are computed and never offered.
                ref float l0 = ref Unsafe.Add(ref leftStart, (nint)row * dimensions);
                ref float l1 = ref Unsafe.Add(ref leftStart, (nint)Math.Min(row + 1, lastRow) * dimensions);
                ref float l2 = ref Unsafe.Add(ref leftStart, (nint)Math.Min(row + 2, lastRow) * dimensions);
                ref float l3 = ref Unsafe.Add(ref leftStart, (nint)Math.Min(row + 3, lastRow) * dimensions);
                ref float l4 = ref Unsafe.Add(ref leftStart, (nint)Math.Min(row + 4, lastRow) * dimensions);
                ref float l5 = ref Unsafe.Add(ref leftStart, (nint)Math.Min(row + 5, lastRow) * dimensions);
                int panel = chunk;
                if (wide)
                {
                    for (; panel + 1 < chunkEnd; panel += 2)
                    {
                        MultiplyTilePair(ref l0, ref l1, ref l2, ref l3, ref l4, ref l5, ref Unsafe.Add(ref packedStart, (nint)panel * panelLength), panelLength, dimensions, ref tileStart, ref pairStart);
                        OfferTile(tile, rows, row, panel * PanelWidth, rightCount, k, rowIndices, rowScores);
                        OfferTile(pairTile, rows, row, (panel + 1) * PanelWidth, rightCount, k, rowIndices, rowScores);
                    }
                }

                for (; panel < chunkEnd; panel++)
                {
                    MultiplyTile(ref l0, ref l1, ref l2, ref l3, ref l4, ref l5, ref Unsafe.Add(ref packedStart, (nint)panel * panelLength), dimensions, ref tileStart);
                    OfferTile(tile, rows, row, panel * PanelWidth, rightCount, k, rowIndices, rowScores);
                }
            }
        }
    }

    /// <summary>
    /// The micro-kernel: 6 left rows × one 16-row panel. Per dimension, two loads give the panel's 16
    /// values, each left value is broadcast, and 12 FMAs accumulate the 6×16 inner products. Every lane
    /// sums its products in dimension order, so a pair's score does not depend on its tile.
    /// </summary>
    private static void MultiplyTile(
        ref float l0,
        ref float l1,
        ref float l2,
        ref float l3,
        ref float l4,
        ref float l5,
        ref float panel,
        int dimensions,
        ref float tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (nint d = 0; d < dimensions; d++)
        {
            Vector256<float> b0 = Vector256.LoadUnsafe(ref panel);
            Vector256<float> b1 = Vector256.LoadUnsafe(ref panel, 8);
            panel = ref Unsafe.Add(ref panel, PanelWidth);

            Vector256<float> a = Vector256.Create(Unsafe.Add(ref l0, d));
            c00 = Fma.MultiplyAdd(a, b0, c00);
            c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Vector256.Create(Unsafe.Add(ref l1, d));
            c10 = Fma.MultiplyAdd(a, b0, c10);
            c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Vector256.Create(Unsafe.Add(ref l2, d));
            c20 = Fma.MultiplyAdd(a, b0, c20);
            c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Vector256.Create(Unsafe.Add(ref l3, d));
            c30 = Fma.MultiplyAdd(a, b0, c30);
            c31 = Fma.MultiplyAdd(a, b1, c31);
            a = Vector256.Create(Unsafe.Add(ref l4, d));
            c40 = Fma.MultiplyAdd(a, b0, c40);
            c41 = Fma.MultiplyAdd(a, b1, c41);
            a = Vector256.Create(Unsafe.Add(ref l5, d));
            c50 = Fma.MultiplyAdd(a, b0, c50);
            c51 = Fma.MultiplyAdd(a, b1, c51);
        }

        c00.StoreUnsafe(ref tile, 0);
        c01.StoreUnsafe(ref tile, 8);
        c10.StoreUnsafe(ref tile, 16);
        c11.StoreUnsafe(ref tile, 24);
        c20.StoreUnsafe(ref tile, 32);
        c21.StoreUnsafe(ref tile, 40);
        c30.StoreUnsafe(ref tile, 48);
        c31.StoreUnsafe(ref tile, 56);
        c40.StoreUnsafe(ref tile, 64);
        c41.StoreUnsafe(ref tile, 72);
        c50.StoreUnsafe(ref tile, 80);
        c51.StoreUnsafe(ref tile, 88);
    }

    /// <summary>
    /// <see cref="MultiplyTile"/> for two neighbouring panels at once with <see cref="Vector512{T}"/>, where
    /// AVX-512 is there (Zen 4/5, recent Xeons): one load gives a panel's 16 values. The lanes sum in the
    /// same order as <see cref="MultiplyTile"/>'s, so the scores are the same bits.
    /// </summary>
    private static void MultiplyTilePair(
        ref float l0,
        ref float l1,
        ref float l2,
        ref float l3,
        ref float l4,
        ref float l5,
        ref float panel,
        int panelLength,
        int dimensions,
        ref float tile,
        ref float pairTile)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        ref float next = ref Unsafe.Add(ref panel, panelLength);
        for (nint d = 0; d < dimensions; d++)
        {
            Vector512<float> b0 = Vector512.LoadUnsafe(ref panel);
            Vector512<float> b1 = Vector512.LoadUnsafe(ref next);
            panel = ref Unsafe.Add(ref panel, PanelWidth);
            next = ref Unsafe.Add(ref next, PanelWidth);

            Vector512<float> a = Vector512.Create(Unsafe.Add(ref l0, d));
            c00 = Avx512F.FusedMultiplyAdd(a, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(Unsafe.Add(ref l1, d));
            c10 = Avx512F.FusedMultiplyAdd(a, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(Unsafe.Add(ref l2, d));
            c20 = Avx512F.FusedMultiplyAdd(a, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(Unsafe.Add(ref l3, d));
            c30 = Avx512F.FusedMultiplyAdd(a, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(Unsafe.Add(ref l4, d));
            c40 = Avx512F.FusedMultiplyAdd(a, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(Unsafe.Add(ref l5, d));
            c50 = Avx512F.FusedMultiplyAdd(a, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
        }

        c00.StoreUnsafe(ref tile, 0);
        c10.StoreUnsafe(ref tile, 16);
        c20.StoreUnsafe(ref tile, 32);
        c30.StoreUnsafe(ref tile, 48);
        c40.StoreUnsafe(ref tile, 64);
        c50.StoreUnsafe(ref tile, 80);
        c01.StoreUnsafe(ref pairTile, 0);
        c11.StoreUnsafe(ref pairTile, 16);
        c21.StoreUnsafe(ref pairTile, 32);
        c31.StoreUnsafe(ref pairTile, 48);
        c41.StoreUnsafe(ref pairTile, 64);
        c51.StoreUnsafe(ref pairTile, 80);
    }

    /// <summary>
    /// The tile epilogue: one vector compare per half-row against the row's current k-th score (-∞ while
    /// it has empty slots); only lanes that beat it are offered.
    /// </summary>
    private static void OfferTile(
        ReadOnlySpan<float> tile,
        int rows,
        int firstRow,
        int firstRight,
        int rightCount,
        int k,
        Span<int> rowIndices,
        Span<float> rowScores)
    {
        int valid = rightCount - firstRight;
        uint validLanes = valid >= PanelWidth ? 0xFFFFu : (1u << valid) - 1;
        int stride = Stride(k);
        ref float tileStart = ref MemoryMarshal.GetReference(tile);
        for (int r = 0; r < rows; r++)
        {
            ref float products = ref Unsafe.Add(ref tileStart, r * PanelWidth);
            ref float kept = ref RowScores(rowScores, firstRow + r, stride);
            Vector256<float> kth = Vector256.Create(Unsafe.Add(ref kept, k - 1));
            uint low = Vector256.GreaterThan(Vector256.LoadUnsafe(ref products), kth).ExtractMostSignificantBits();
            uint high = Vector256.GreaterThan(Vector256.LoadUnsafe(ref products, 8), kth).ExtractMostSignificantBits();
            uint lanes = validLanes & (low | (high << 8));
            if (lanes != 0)
            {
                OfferLanes(ref RowIndices(rowIndices, firstRow + r, stride), ref kept, stride, k, firstRight, ref products, lanes);
            }
        }
    }
}
