using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Warehouse;

/// <summary>
/// The lock that makes commands on one warehouse take turns (<see cref="WarehouseLock"/>): it excludes while held, and
/// on Linux it leaves no file behind once let go, without a process that opened the old file winning a lock nobody
/// else sees.
/// </summary>
public sealed class WarehouseLockTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("em-lock-").FullName;

    private string Warehouse => Path.Combine(_directory, "warehouse.duckdb");

    [Fact]
    public void A_held_lock_keeps_a_second_command_out_and_the_next_turn_gets_it_after_release()
    {
        using (WarehouseLock.Acquire(Warehouse, TimeSpan.Zero, "run first"))
        {
            var refused = Assert.Throws<DiagnosticException>(() => WarehouseLock.Acquire(Warehouse, TimeSpan.Zero, "run second"));
            Assert.Equal(Codes.WarehouseLocked, refused.Diagnostics[0].Code);
            Assert.Contains($"process {Environment.ProcessId}, `electionmatch run first`", refused.Message, StringComparison.Ordinal);
        }

        using (WarehouseLock.Acquire(Warehouse, TimeSpan.Zero, "run second"))
        {
            Assert.Throws<DiagnosticException>(() => WarehouseLock.Acquire(Warehouse, TimeSpan.Zero, "run third"));
        }
    }

    [Fact]
    public void A_released_lock_leaves_no_file_in_the_lock_directory()
    {
        var lockPath = WarehouseLock.LockPath(Warehouse);
        using (WarehouseLock.Acquire(Warehouse, TimeSpan.Zero, "run first"))
        {
            Assert.True(File.Exists(lockPath));
            Assert.True(File.Exists(Path.ChangeExtension(lockPath, ".owner")));
        }

        Assert.False(File.Exists(lockPath));
        Assert.False(File.Exists(Path.ChangeExtension(lockPath, ".owner")));
    }

    [Fact]
    public async Task Commands_taking_turns_while_each_deletes_the_file_it_held_are_never_inside_together()
    {
        // Each release deletes the file while others wait on it or open it. The narrow race (a waiter that opened the
        // file just before it was deleted and locks it just after) is rarely hit here; StillLinked's own test below
        // covers what closes it. This checks that deleting and creating the file under contention keeps turns whole.
        var inside = 0;
        var turns = 0;
        var overlaps = 0;
        var workers = Enumerable.Range(0, 4).Select(n => Task.Run(() =>
        {
            for (var i = 0; i < 150; i++)
            {
                using (WarehouseLock.Acquire(Warehouse, TimeSpan.FromSeconds(60), $"run {n}"))
                {
                    if (Interlocked.Increment(ref inside) != 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }

                    Thread.SpinWait(200);
                    Interlocked.Increment(ref turns);
                    Interlocked.Decrement(ref inside);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Equal(0, overlaps);
        Assert.Equal(600, turns);
        Assert.False(File.Exists(WarehouseLock.LockPath(Warehouse)));
    }

    [Fact]
    public void A_file_deleted_while_open_is_not_still_linked()
    {
        var path = Path.Combine(_directory, "some.lock");
        using var kept = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        Assert.True(WarehouseLock.StillLinked(kept));

        File.Delete(path);
        Assert.False(WarehouseLock.StillLinked(kept));

        // A new file at the same path is another file: the old handle still reads as deleted.
        File.WriteAllText(path, "");
        Assert.False(WarehouseLock.StillLinked(kept));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
