using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ElectionMatch.Matching.Retrieval;

/// <remarks>
/// The SIMD paths keep each left row's best so far in a working buffer of <see cref="Stride"/> slots
/// (k rounded up to whole <see cref="Vector256{T}"/>), sorted best first, empty slots -∞ and last.
/// An insertion is then a handful of vector operations with no data-dependent branch: on mid-sized
/// partitions a branchy heap or shift loop cost more than the inner products.
/// </remarks>
internal static partial class TopKKernel
{
    private static int Stride(int k) => (k + 7) & ~7;

    /// <summary>Empty rows: every slot index -1, score -∞.</summary>
    private static void ClearRows(Span<int> rowIndices, Span<float> rowScores)
    {
        rowIndices.Fill(-1);
        rowScores.Fill(float.NegativeInfinity);
    }

    /// <summary>The first k slots of each working row into the caller's output of <paramref name="outputK"/> per row.</summary>
    private static void CopyRows(ReadOnlySpan<int> rowIndices, ReadOnlySpan<float> rowScores, int rows, int k, int outputK, Span<int> indices, Span<float> scores)
    {
        int stride = Stride(k);
        for (int row = 0; row < rows; row++)
        {
            rowIndices.Slice(row * stride, k).CopyTo(indices.Slice(row * outputK, k));
            rowScores.Slice(row * stride, k).CopyTo(scores.Slice(row * outputK, k));
        }
    }

    /// <summary>
    /// Offers a candidate to a working row of <paramref name="stride"/> slots whose k-th slot is the
    /// threshold. Kept scores ≥ the candidate's stay ahead of it (they have lower indices). AVX2 only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offer(ref int rowIndices, ref float rowScores, int stride, int k, int index, float score)
    {
        if (!(score > Unsafe.Add(ref rowScores, k - 1)))
        {
            return;
        }

        Vector256<float> candidate = Vector256.Create(score);
        Vector256<int> candidateIndex = Vector256.Create(index);
        Vector256<int> previousLane = Vector256.Create(0, 0, 1, 2, 3, 4, 5, 6);
        Vector256<int> lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        if (stride == 8)
        {
            // k ≤ 8, the common case: one vector each, no loop.
            Vector256<float> row = Vector256.LoadUnsafe(ref rowScores);
            Vector256<int> rowIndex = Vector256.LoadUnsafe(ref rowIndices);
            Vector256<int> at = Vector256.Create(BitOperations.PopCount(Vector256.GreaterThanOrEqual(row, candidate).ExtractMostSignificantBits()));
            Vector256<int> keep = Vector256.LessThan(lanes, at);
            Vector256<int> place = Vector256.Equals(lanes, at);
            Vector256.ConditionalSelect(keep.AsSingle(), row, Vector256.ConditionalSelect(place.AsSingle(), candidate, Avx2.PermuteVar8x32(row, previousLane)))
                .StoreUnsafe(ref rowScores);
            Vector256.ConditionalSelect(keep, rowIndex, Vector256.ConditionalSelect(place, candidateIndex, Avx2.PermuteVar8x32(rowIndex, previousLane)))
                .StoreUnsafe(ref rowIndices);
            return;
        }

        int rank = 0;
        for (int block = 0; block < stride; block += 8)
        {
            rank += BitOperations.PopCount(Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref rowScores, (nuint)block), candidate).ExtractMostSignificantBits());
        }

        // Blocks from the last down to the candidate's: slots before the rank keep their value, the rank's
        // slot takes the candidate, later slots take their predecessor's (read before it is overwritten).
        Vector256<int> rankAt = Vector256.Create(rank);
        for (int block = stride - 8; block >= (rank & ~7); block -= 8)
        {
            Vector256<float> kept = Vector256.LoadUnsafe(ref rowScores, (nuint)block);
            Vector256<int> keptIndex = Vector256.LoadUnsafe(ref rowIndices, (nuint)block);
            Vector256<float> shifted;
            Vector256<int> shiftedIndex;
            if (block == 0)
            {
                shifted = Avx2.PermuteVar8x32(kept, previousLane);
                shiftedIndex = Avx2.PermuteVar8x32(keptIndex, previousLane);
            }
            else
            {
                shifted = Vector256.LoadUnsafe(ref rowScores, (nuint)(block - 1));
                shiftedIndex = Vector256.LoadUnsafe(ref rowIndices, (nuint)(block - 1));
            }

            Vector256<int> slot = Vector256.Create(block) + lanes;
            Vector256<int> before = Vector256.LessThan(slot, rankAt);
            Vector256<int> at = Vector256.Equals(slot, rankAt);
            Vector256.ConditionalSelect(before.AsSingle(), kept, Vector256.ConditionalSelect(at.AsSingle(), candidate, shifted))
                .StoreUnsafe(ref rowScores, (nuint)block);
            Vector256.ConditionalSelect(before, keptIndex, Vector256.ConditionalSelect(at, candidateIndex, shiftedIndex))
                .StoreUnsafe(ref rowIndices, (nuint)block);
        }
    }

    /// <summary>
    /// Offers lanes of <paramref name="products"/> (lane j = right row <paramref name="firstRight"/> + j),
    /// those in <paramref name="lanes"/> that beat the row's k-th score, in lane order.
    /// </summary>
    private static void OfferLanes(ref int rowIndices, ref float rowScores, int stride, int k, int firstRight, ref float products, uint lanes)
    {
        while (lanes != 0)
        {
            int lane = BitOperations.TrailingZeroCount(lanes);
            lanes &= lanes - 1;
            Offer(ref rowIndices, ref rowScores, stride, k, firstRight + lane, Unsafe.Add(ref products, lane));
        }
    }

    private static ref int RowIndices(Span<int> rowIndices, int row, int stride) =>
        ref Unsafe.Add(ref MemoryMarshal.GetReference(rowIndices), row * stride);

    private static ref float RowScores(Span<float> rowScores, int row, int stride) =>
        ref Unsafe.Add(ref MemoryMarshal.GetReference(rowScores), row * stride);
}
