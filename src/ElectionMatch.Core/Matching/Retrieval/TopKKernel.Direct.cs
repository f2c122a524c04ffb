using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ElectionMatch.Matching.Retrieval;

internal static partial class TopKKernel
{
    /// <summary>
    /// Few left rows (tiny partitions): packing would cost as much as the products, so 2 left × 4 right
    /// rows are multiplied straight from the input, 8 floats of each at a time.
    /// </summary>
    private static void SearchDirect(
        ReadOnlySpan<float> left,
        int leftCount,
        ReadOnlySpan<float> right,
        int rightCount,
        int dimensions,
        int k,
        int outputK,
        Span<int> indices,
        Span<float> scores)
    {
        int stride = Stride(k);
        int rowsLength = leftCount * stride;
        int[]? rentedIndices = rowsLength > 256 ? Rent<int>(rowsLength) : null;
        float[]? rentedScores = rowsLength > 256 ? Rent<float>(rowsLength) : null;
        Span<int> rowIndices = rentedIndices is null ? stackalloc int[rowsLength] : rentedIndices.AsSpan(0, rowsLength);
        Span<float> rowScores = rentedScores is null ? stackalloc float[rowsLength] : rentedScores.AsSpan(0, rowsLength);
        try
        {
            ClearRows(rowIndices, rowScores);
            Span<float> products = stackalloc float[8];
            ref float products0 = ref products[0];
            ref float products1 = ref products[4];
            ref float leftStart = ref MemoryMarshal.GetReference(left);
            ref float rightStart = ref MemoryMarshal.GetReference(right);
            for (int row = 0; row < leftCount; row += 2)
            {
                bool pair = row + 1 < leftCount;

                // A lone last row is paired with itself; the copy's products are dropped.
                ref float a0 = ref Unsafe.Add(ref leftStart, (nint)row * dimensions);
                ref float a1 = ref pair ? ref Unsafe.Add(ref a0, dimensions) : ref a0;
                ref int indices0 = ref RowIndices(rowIndices, row, stride);
                ref float scores0 = ref RowScores(rowScores, row, stride);
                ref int indices1 = ref pair ? ref Unsafe.Add(ref indices0, stride) : ref indices0;
                ref float scores1 = ref pair ? ref Unsafe.Add(ref scores0, stride) : ref scores0;
                int column = 0;
                for (; column + 4 <= rightCount; column += 4)
                {
                    (Vector128<float> p0, Vector128<float> p1) =
                        Multiply2x4(ref a0, ref a1, ref Unsafe.Add(ref rightStart, (nint)column * dimensions), dimensions);
                    uint lanes0 = Vector128.GreaterThan(p0, Vector128.Create(Unsafe.Add(ref scores0, k - 1))).ExtractMostSignificantBits();
                    uint lanes1 = pair ? Vector128.GreaterThan(p1, Vector128.Create(Unsafe.Add(ref scores1, k - 1))).ExtractMostSignificantBits() : 0;
                    if ((lanes0 | lanes1) != 0)
                    {
                        // Both rows' offers interleaved: they are independent, so their latencies overlap.
                        p0.StoreUnsafe(ref products0);
                        p1.StoreUnsafe(ref products1);
                        for (int lane = 0; lane < 4; lane++)
                        {
                            if ((lanes0 & (1u << lane)) != 0)
                            {
                                Offer(ref indices0, ref scores0, stride, k, column + lane, Unsafe.Add(ref products0, lane));
                            }

                            if ((lanes1 & (1u << lane)) != 0)
                            {
                                Offer(ref indices1, ref scores1, stride, k, column + lane, Unsafe.Add(ref products1, lane));
                            }
                        }
                    }
                }

                for (; column < rightCount; column++)
                {
                    Multiply2x1(ref a0, ref a1, ref Unsafe.Add(ref rightStart, (nint)column * dimensions), dimensions).StoreUnsafe(ref products0);
                    Offer(ref indices0, ref scores0, stride, k, column, products0);
                    if (pair)
                    {
                        Offer(ref indices1, ref scores1, stride, k, column, Unsafe.Add(ref products0, 1));
                    }
                }
            }
            CopyRows(rowIndices, rowScores, leftCount, k, outputK, indices, scores);
        }
        finally
        {
            if (rentedIndices is not null)
            {
                Return(rentedIndices);
            }

            if (rentedScores is not null)
            {
                Return(rentedScores);
            }
        }
    }

    /// <summary>
    /// The lane sums of four accumulators as one vector: pairwise adds within each half, then the halves
    /// added. Every inner product of this path is reduced by this one sequence.
    /// </summary>
    private static Vector128<float> Reduce(Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3)
    {
        Vector256<float> sums = Avx.HorizontalAdd(Avx.HorizontalAdd(s0, s1), Avx.HorizontalAdd(s2, s3));
        return sums.GetLower() + sums.GetUpper();
    }

    /// <summary>
    /// Inner products of left rows a0, a1 with the 4 right rows from <paramref name="b"/>: each pair sums
    /// 8 lanes over whole vectors, <see cref="Reduce"/>, then the leftover dimensions in order — the same
    /// steps as <see cref="Multiply2x1"/>, so a pair's score does not depend on its tile.
    /// </summary>
    private static (Vector128<float> Row0, Vector128<float> Row1) Multiply2x4(ref float a0, ref float a1, ref float b, int dimensions)
    {
        ref float b0 = ref b;
        ref float b1 = ref Unsafe.Add(ref b, dimensions);
        ref float b2 = ref Unsafe.Add(ref b, 2 * dimensions);
        ref float b3 = ref Unsafe.Add(ref b, 3 * dimensions);
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
        nuint d = 0;
        nuint whole = (nuint)(dimensions & ~7);
        for (; d < whole; d += 8)
        {
            Vector256<float> x0 = Vector256.LoadUnsafe(ref a0, d);
            Vector256<float> x1 = Vector256.LoadUnsafe(ref a1, d);
            Vector256<float> y = Vector256.LoadUnsafe(ref b0, d);
            s00 = Fma.MultiplyAdd(x0, y, s00);
            s10 = Fma.MultiplyAdd(x1, y, s10);
            y = Vector256.LoadUnsafe(ref b1, d);
            s01 = Fma.MultiplyAdd(x0, y, s01);
            s11 = Fma.MultiplyAdd(x1, y, s11);
            y = Vector256.LoadUnsafe(ref b2, d);
            s02 = Fma.MultiplyAdd(x0, y, s02);
            s12 = Fma.MultiplyAdd(x1, y, s12);
            y = Vector256.LoadUnsafe(ref b3, d);
            s03 = Fma.MultiplyAdd(x0, y, s03);
            s13 = Fma.MultiplyAdd(x1, y, s13);
        }

        Vector128<float> p0 = Reduce(s00, s01, s02, s03);
        Vector128<float> p1 = Reduce(s10, s11, s12, s13);
        for (; d < (nuint)dimensions; d++)
        {
            Vector128<float> y = Vector128.Create(Unsafe.Add(ref b0, d), Unsafe.Add(ref b1, d), Unsafe.Add(ref b2, d), Unsafe.Add(ref b3, d));
            p0 = Fma.MultiplyAdd(Vector128.Create(Unsafe.Add(ref a0, d)), y, p0);
            p1 = Fma.MultiplyAdd(Vector128.Create(Unsafe.Add(ref a1, d)), y, p1);
        }

        return (p0, p1);
    }

    /// <summary>Inner products of left rows a0, a1 with one right row, in lanes 0 and 1 (again in 2 and 3).</summary>
    private static Vector128<float> Multiply2x1(ref float a0, ref float a1, ref float b, int dimensions)
    {
        Vector256<float> s0 = default, s1 = default;
        nuint d = 0;
        nuint whole = (nuint)(dimensions & ~7);
        for (; d < whole; d += 8)
        {
            Vector256<float> y = Vector256.LoadUnsafe(ref b, d);
            s0 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref a0, d), y, s0);
            s1 = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref a1, d), y, s1);
        }

        Vector128<float> p = Reduce(s0, s1, s0, s1);
        for (; d < (nuint)dimensions; d++)
        {
            float x0 = Unsafe.Add(ref a0, d);
            float x1 = Unsafe.Add(ref a1, d);
            p = Fma.MultiplyAdd(Vector128.Create(x0, x1, x0, x1), Vector128.Create(Unsafe.Add(ref b, d)), p);
        }

        return p;
    }
}
