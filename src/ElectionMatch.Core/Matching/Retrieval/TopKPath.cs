namespace ElectionMatch.Matching.Retrieval;

/// <summary>How <see cref="TopKKernel"/> computes the inner products of a call.</summary>
internal enum TopKPath
{
    /// <summary>Chosen from the shape and the hardware.</summary>
    Auto,

    /// <summary>Right side packed into 16-row panels, 6×16 outer-product FMA tiles (AVX2 + FMA), two panels at a time with AVX-512.</summary>
    Blocked,

    /// <summary><see cref="Blocked"/> without AVX-512, as on AVX2-only machines; the same bits, for tests and benchmarks.</summary>
    BlockedVector256,

    /// <summary>
    /// <see cref="Blocked"/>'s packed panels summed over each left row's non-zero dimensions only (the same bits);
    /// chosen for more than a few left rows when they are sparse, as the offline embedder's are.
    /// </summary>
    Sparse,

    /// <summary><see cref="Sparse"/> without AVX-512; the same bits, for tests and benchmarks.</summary>
    SparseVector256,

    /// <summary>No packing: 2×4 dot-product tiles straight on the rows (AVX2 + FMA); for few left rows.</summary>
    Direct,

    /// <summary>One dot product per pair with <see cref="System.Numerics.Vector{T}"/>; any hardware.</summary>
    Portable,
}
