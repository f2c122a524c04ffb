using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ElectionMatch.Matching.Retrieval;

/// <summary>
/// Exact top-k by inner product: for each left vector, the k right vectors with the highest dot
/// product, best first, ties broken by the lower right index. Vectors are rows of row-major spans.
/// </summary>
/// <remarks>
/// Four paths, chosen by shape, sparsity and hardware only (never by thread count, so a result does not
/// depend on parallelism): <see cref="TopKPath.Blocked"/> packs the right side into 16-row panels and runs a
/// 6×16 outer-product FMA micro-kernel (DESIGN.md decision 1), 6×32 over two panels with AVX-512, to
/// the same bits; <see cref="TopKPath.Sparse"/> sums the same panels over each left row's non-zero
/// dimensions only, again to the same bits; <see cref="TopKPath.Direct"/> serves a few left rows without packing;
/// <see cref="TopKPath.Portable"/> runs where AVX2 and FMA are absent. Each left row is kept best
/// first in a small sorted buffer and a candidate is offered only when it beats the row's k-th score.
/// Inputs are expected to be finite (embeddings are): a pair whose inner product is NaN or -∞ is never returned.
/// </remarks>
internal static partial class TopKKernel
{
    /// <summary>Below this many left rows packing the right side costs more than it saves.</summary>
    internal const int DirectMaxLeftRows = 8;

    /// <summary>Multiply-adds (left × right × dimensions) from which a call is split across cores.</summary>
    internal const long ParallelMinWork = 1L << 22;

    /// <summary>
    /// For each left row <c>i</c>, writes the <paramref name="k"/> best right rows to
    /// <c>indices[i*k .. i*k+k)</c> and their inner products to <c>scores[i*k .. i*k+k)</c>, best first,
    /// ties broken by the lower right index. When <paramref name="rightCount"/> &lt; <paramref name="k"/>
    /// the remaining slots get index -1 and score <see cref="float.NegativeInfinity"/>.
    /// </summary>
    /// <param name="left"><paramref name="leftCount"/> × <paramref name="dimensions"/> floats, row-major.</param>
    /// <param name="right"><paramref name="rightCount"/> × <paramref name="dimensions"/> floats, row-major.</param>
    /// <param name="maxDegreeOfParallelism">Cores a large call may use; -1 for all. Results are identical for any value.</param>
    public static void Search(
        ReadOnlySpan<float> left,
        int leftCount,
        ReadOnlySpan<float> right,
        int rightCount,
        int dimensions,
        int k,
        Span<int> indices,
        Span<float> scores,
        int maxDegreeOfParallelism = 1) =>
        Search(left, leftCount, right, rightCount, dimensions, k, indices, scores, maxDegreeOfParallelism, TopKPath.Auto);

    /// <summary>The path <see cref="Search(ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, int, int, Span{int}, Span{float}, int)"/> takes for a shape on this machine.</summary>
    internal static TopKPath ChoosePath(int leftCount)
    {
        if (!Vector256.IsHardwareAccelerated || !Fma.IsSupported || !Avx2.IsSupported)
        {
            return TopKPath.Portable;
        }

        return leftCount <= DirectMaxLeftRows ? TopKPath.Direct : TopKPath.Blocked;
    }

    /// <summary>As the public overload, on a given path (tests compare the paths with each other).</summary>
    internal static void Search(
        ReadOnlySpan<float> left,
        int leftCount,
        ReadOnlySpan<float> right,
        int rightCount,
        int dimensions,
        int k,
        Span<int> indices,
        Span<float> scores,
        int maxDegreeOfParallelism,
        TopKPath path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leftCount);
        ArgumentOutOfRangeException.ThrowIfNegative(rightCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (maxDegreeOfParallelism == -1)
        {
            maxDegreeOfParallelism = Environment.ProcessorCount;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDegreeOfParallelism);
        RequireLength(left.Length, (long)leftCount * dimensions, nameof(left));
        RequireLength(right.Length, (long)rightCount * dimensions, nameof(right));
        RequireLength(indices.Length, (long)leftCount * k, nameof(indices));
        RequireLength(scores.Length, (long)leftCount * k, nameof(scores));

        int outputs = leftCount * k;
        indices[..outputs].Fill(-1);
        scores[..outputs].Fill(float.NegativeInfinity);
        if (leftCount == 0 || rightCount == 0)
        {
            return;
        }

        if (path == TopKPath.Auto)
        {
            path = ChoosePath(leftCount);
            if (path == TopKPath.Blocked && IsSparse(left, leftCount, dimensions))
            {
                path = TopKPath.Sparse;
            }
        }
        else if (path != TopKPath.Portable && ChoosePath(leftCount) == TopKPath.Portable)
        {
            throw new PlatformNotSupportedException($"The {path} top-k path needs AVX2 and FMA.");
        }

        // Slots past the right count stay empty: work with at most rightCount per row.
        int kept = Math.Min(k, rightCount);
        if (path != TopKPath.Portable && (long)leftCount * Stride(kept) > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(k), $"{leftCount} rows of {kept} results are too many for one call.");
        }

        left = left[..(leftCount * dimensions)];
        right = right[..(rightCount * dimensions)];
        indices = indices[..outputs];
        scores = scores[..outputs];
        switch (path)
        {
            case TopKPath.Blocked:
            case TopKPath.BlockedVector256:
                bool wide = path == TopKPath.Blocked && Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
                SearchBlocked(left, leftCount, right, rightCount, dimensions, kept, k, indices, scores, maxDegreeOfParallelism, wide);
                break;
            case TopKPath.Sparse:
            case TopKPath.SparseVector256:
                bool wideSparse = path == TopKPath.Sparse && Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
                SearchSparse(left, leftCount, right, rightCount, dimensions, kept, k, indices, scores, maxDegreeOfParallelism, wideSparse);
                break;
            case TopKPath.Direct:
                SearchDirect(left, leftCount, right, rightCount, dimensions, kept, k, indices, scores);
                break;
            default:
                SearchPortable(left, leftCount, right, rightCount, dimensions, kept, k, indices, scores);
                break;
        }
    }

    /// <summary>
    /// Whether a call with this many left rows searches the right rows packed in panels on this machine, so that a
    /// caller holding them in another form can pack them itself for <see cref="SearchPacked"/>.
    /// </summary>
    internal static bool SearchesPanels(int leftCount) => ChoosePath(leftCount) == TopKPath.Blocked;

    /// <summary>Rows in a panel: right row <c>r</c>'s dimension <c>d</c> is at <c>(r / PanelRows) × PanelRows × dimensions + d × PanelRows + r % PanelRows</c>.</summary>
    internal const int PanelRows = PanelWidth;

    /// <summary>Floats that <paramref name="rightCount"/> rows take packed in panels, the last one padded with zeros.</summary>
    internal static int PackedLength(int rightCount, int dimensions)
    {
        long length = (long)((rightCount + PanelWidth - 1) / PanelWidth) * PanelWidth * dimensions;
        return length <= Array.MaxLength
            ? (int)length
            : throw new ArgumentOutOfRangeException(nameof(rightCount), $"{rightCount} right rows of {dimensions} dimensions are too many for one call.");
    }

    /// <summary>
    /// <see cref="Search(ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, int, int, Span{int}, Span{float}, int)"/>
    /// on right rows the caller packed (<see cref="PanelRows"/>; zeros in the last panel's padding), for a shape
    /// <see cref="SearchesPanels"/> allows: the same path, the same bits. Retrieval packs its sparse right vectors
    /// straight into panels instead of writing dense rows for the kernel to transpose.
    /// </summary>
    internal static void SearchPacked(
        ReadOnlySpan<float> left,
        int leftCount,
        float[] packed,
        int rightCount,
        int dimensions,
        int k,
        Span<int> indices,
        Span<float> scores,
        int maxDegreeOfParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leftCount);
        ArgumentOutOfRangeException.ThrowIfNegative(rightCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDegreeOfParallelism);
        RequireLength(left.Length, (long)leftCount * dimensions, nameof(left));
        RequireLength(packed.Length, PackedLength(rightCount, dimensions), nameof(packed));
        RequireLength(indices.Length, (long)leftCount * k, nameof(indices));
        RequireLength(scores.Length, (long)leftCount * k, nameof(scores));
        if (leftCount > 0 && !SearchesPanels(leftCount))
        {
            throw new ArgumentOutOfRangeException(nameof(leftCount), $"{leftCount} left rows are not searched in panels on this machine.");
        }

        int outputs = leftCount * k;
        indices[..outputs].Fill(-1);
        scores[..outputs].Fill(float.NegativeInfinity);
        if (leftCount == 0 || rightCount == 0)
        {
            return;
        }

        int kept = Math.Min(k, rightCount);
        if ((long)leftCount * Stride(kept) > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(k), $"{leftCount} rows of {kept} results are too many for one call.");
        }

        left = left[..(leftCount * dimensions)];
        bool wide = Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
        if (IsSparse(left, leftCount, dimensions))
        {
            SearchSparse(left, leftCount, [], rightCount, dimensions, kept, k, indices[..outputs], scores[..outputs], maxDegreeOfParallelism, wide, packed);
        }
        else
        {
            SearchBlocked(left, leftCount, [], rightCount, dimensions, kept, k, indices[..outputs], scores[..outputs], maxDegreeOfParallelism, wide, packed);
        }
    }

    private static void RequireLength(int actual, long needed, string name)
    {
        if (needed > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, $"{needed} elements do not fit in one span.");
        }

        if (actual < needed)
        {
            throw new ArgumentException($"Needs at least {needed} elements, has {actual}.", name);
        }
    }

    /// <summary>
    /// Offers one candidate to a row's best-first buffer (empty slots hold -∞ and sit last). Candidates of a
    /// row arrive in increasing right index, so a kept equal score stays ahead: the lower-index tie-break.
    /// A NaN or -∞ score never enters.
    /// </summary>
    private static void OfferScalar(Span<int> rowIndices, Span<float> rowScores, int index, float score)
    {
        int slot = rowScores.Length - 1;
        if (!(score > rowScores[slot]))
        {
            return;
        }

        for (; slot > 0 && rowScores[slot - 1] < score; slot--)
        {
            rowScores[slot] = rowScores[slot - 1];
            rowIndices[slot] = rowIndices[slot - 1];
        }

        rowScores[slot] = score;
        rowIndices[slot] = index;
    }

    /// <summary>Splits <paramref name="count"/> items into <paramref name="parts"/> nearly equal ranges.</summary>
    private static (int Start, int End) Part(int count, int parts, int part) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    private static T[] Rent<T>(int length) => ArrayPool<T>.Shared.Rent(Math.Max(length, 1));

    private static void Return<T>(T[] array) => ArrayPool<T>.Shared.Return(array);
}
