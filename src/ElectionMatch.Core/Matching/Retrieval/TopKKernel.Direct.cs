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
        Span<int> indices,
        Span<float> scores)
    {
        Span<float> products = stackalloc float[8];
        ref float leftStart = ref MemoryMarshal.GetReference(left);
        ref float rightStart = ref MemoryMarshal.GetReference(right);
        for (int row = 0; row < leftCount; row += 2)
        {
            bool pair = row + 1 < leftCount;

            // A lone last row is paired with itself; the copy's products are dropped.
            ref float a0 = ref Unsafe.Add(ref leftStart, (nint)row * dimensions);
            ref float a1 = ref pair ? ref Unsafe.Add(ref a0, dimensions) : ref a0;
            Span<int> indices0 = indices.Slice(row * k, k);
            Span<float> scores0 = scores.Slice(row * k, k);
            Span<int> indices1 = pair ? indices.Slice((row + 1) * k, k) : default;
            Span<float> scores1 = pair ? scores.Slice((row + 1) * k, k) : default;
            int column = 0;
            for (; column + 4 <= rightCount; column += 4)
            {
                Multiply2x4(ref a0, ref a1, ref Unsafe.Add(ref rightStart, (nint)column * dimensions), dimensions, products);
                for (int j = 0; j < 4; j++)
                {
                    Offer(indices0, scores0, column + j, products[j]);
                    if (pair)
                    {
                        Offer(indices1, scores1, column + j, products[4 + j]);
                    }
                }
            }

            for (; column < rightCount; column++)
            {
                Multiply2x1(ref a0, ref a1, ref Unsafe.Add(ref rightStart, (nint)column * dimensions), dimensions, products);
                Offer(indices0, scores0, column, products[0]);
                if (pair)
                {
                    Offer(indices1, scores1, column, products[1]);
                }
            }
        }
    }

    /// <summary>
    /// Inner products of left rows a0, a1 with 4 consecutive right rows into products[0..4) and [4..8).
    /// Each pair: 8 lane sums over whole vectors, <see cref="Vector256.Sum{T}(Vector256{T})"/>, then the
    /// tail in order — the same steps as <see cref="Multiply2x1"/>, so a pair's score does not depend on its tile.
    /// </summary>
    private static void Multiply2x4(ref float a0, ref float a1, ref float b, int dimensions, Span<float> products)
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

        float p00 = Vector256.Sum(s00), p01 = Vector256.Sum(s01), p02 = Vector256.Sum(s02), p03 = Vector256.Sum(s03);
        float p10 = Vector256.Sum(s10), p11 = Vector256.Sum(s11), p12 = Vector256.Sum(s12), p13 = Vector256.Sum(s13);
        for (; d < (nuint)dimensions; d++)
        {
            float x0 = Unsafe.Add(ref a0, d);
            float x1 = Unsafe.Add(ref a1, d);
            float y = Unsafe.Add(ref b0, d);
            p00 = MathF.FusedMultiplyAdd(x0, y, p00);
            p10 = MathF.FusedMultiplyAdd(x1, y, p10);
            y = Unsafe.Add(ref b1, d);
            p01 = MathF.FusedMultiplyAdd(x0, y, p01);
            p11 = MathF.FusedMultiplyAdd(x1, y, p11);
            y = Unsafe.Add(ref b2, d);
            p02 = MathF.FusedMultiplyAdd(x0, y, p02);
            p12 = MathF.FusedMultiplyAdd(x1, y, p12);
            y = Unsafe.Add(ref b3, d);
            p03 = MathF.FusedMultiplyAdd(x0, y, p03);
            p13 = MathF.FusedMultiplyAdd(x1, y, p13);
        }

        products[0] = p00;
        products[1] = p01;
        products[2] = p02;
        products[3] = p03;
        products[4] = p10;
        products[5] = p11;
        products[6] = p12;
        products[7] = p13;
    }

    /// <summary>Inner products of left rows a0, a1 with one right row into products[0] and [1].</summary>
    private static void Multiply2x1(ref float a0, ref float a1, ref float b, int dimensions, Span<float> products)
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

        float p0 = Vector256.Sum(s0), p1 = Vector256.Sum(s1);
        for (; d < (nuint)dimensions; d++)
        {
            float y = Unsafe.Add(ref b, d);
            p0 = MathF.FusedMultiplyAdd(Unsafe.Add(ref a0, d), y, p0);
            p1 = MathF.FusedMultiplyAdd(Unsafe.Add(ref a1, d), y, p1);
        }

        products[0] = p0;
        products[1] = p1;
    }
}
