namespace ElectionMatch.Matching;

/// <summary>
/// Gives the garbage of a stage back to the system at the stage's end, when there is much of it. The stages written in
/// C# (retrieval's kernel and embedder, the sounds-alike stream, the judge) leave hundreds of megabytes of dead arrays
/// at a million candidacies, and the stages after them run in DuckDB and allocate next to nothing in the managed heap,
/// so the garbage collector, which runs when managed allocations ask for it and cannot see DuckDB's memory, kept that
/// heap at about 1 GiB to the end of the run (docs/design.md, "The managed heap at a stage's end").
/// </summary>
internal static class ManagedMemory
{
    /// <summary>The managed heap, live or not, above which a stage's end collects: a small run never reaches it.</summary>
    public const long CollectAbove = 128L << 20;

    /// <summary>
    /// Collects every generation, compacts and returns the freed memory to the system when the managed heap holds more than
    /// <see cref="CollectAbove"/>: at a million candidacies six or seven stages, 0.02-0.47 s each on a loaded two-core
    /// host. Returns whether it collected.
    /// </summary>
    public static bool ReleaseAfterStage()
    {
        if (GC.GetTotalMemory(forceFullCollection: false) <= CollectAbove)
        {
            return false;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return true;
    }
}
