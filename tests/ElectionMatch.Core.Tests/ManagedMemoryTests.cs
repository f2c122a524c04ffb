using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// What a stage leaves in the managed heap. The tests read the process's heap, so they run in the collection no other
/// test runs beside (<see cref="ProcessMemory"/>).
/// </summary>
[Collection(ProcessMemory.Name)]
public sealed class ManagedMemoryTests
{
    private const int Arrays = 40;
    private const int ArrayBytes = 8 << 20;

    [Fact]
    public void A_stage_that_leaves_hundreds_of_megabytes_of_garbage_gives_them_back_at_its_end()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var pipeline = new Pipeline(warehouse, RunSchema.For("managed_memory"), null) { CountsRows = false };
        var before = SettledHeap();

        // 320 MiB in large arrays, alive until the stage's work returns, as retrieval's packed vectors are: the
        // collections their allocation causes free none of it, and nothing allocates after it.
        pipeline.Stage("garbage", null, "garbage", () =>
        {
            var held = new List<byte[]>();
            for (var i = 0; i < Arrays; i++)
            {
                var array = GC.AllocateUninitializedArray<byte>(ArrayBytes);
                array.AsSpan().Fill(1);
                held.Add(array);
            }

            // All of it is in the heap now. Less a little: the collections the allocations cause may also free what other
            // threads left after the heap settled (one suite run of session 64 read less than the arrays' sum here).
            var inHeap = GC.GetTotalMemory(false) - before;
            Assert.True(inHeap >= (long)Arrays * ArrayBytes - (32 << 20), $"only {inHeap >> 20} MiB of the stage's {(long)Arrays * ArrayBytes >> 20} MiB in the managed heap");
        });

        var left = GC.GetTotalMemory(false) - before;
        Assert.True(left < ManagedMemory.CollectAbove, $"{left >> 20} MiB of the stage's {(long)Arrays * ArrayBytes >> 20} MiB left in the managed heap");
    }

    [Fact]
    public void A_stage_that_leaves_little_garbage_costs_no_collection()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var pipeline = new Pipeline(warehouse, RunSchema.For("managed_memory"), null) { CountsRows = false };
        SettledHeap();
        var collections = GC.CollectionCount(GC.MaxGeneration);

        pipeline.Stage("small", null, "small", () => Assert.Equal(1, warehouse.Scalar<int>("select 1")));

        Assert.Equal(collections, GC.CollectionCount(GC.MaxGeneration));
    }

    /// <summary>The heap after the garbage of the tests before is collected, so what a stage leaves is measured from it.</summary>
    private static long SettledHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var settled = GC.GetTotalMemory(false);
        Assert.True(settled < ManagedMemory.CollectAbove, $"the test process holds {settled >> 20} MiB before the stage");
        return settled;
    }
}
