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
    public void A_lock_taken_through_a_symlinked_directory_keeps_out_a_command_through_the_real_one()
    {
        var link = Path.Combine(_directory, "project-link");
        Directory.CreateSymbolicLink(link, _directory);

        using (WarehouseLock.Acquire(Path.Combine(link, "warehouse.duckdb"), TimeSpan.Zero, "run through the link"))
        {
            // Before, the lock was keyed by the path as written: the real one was another lock, taken at once.
            var refused = Assert.Throws<DiagnosticException>(() => WarehouseLock.Acquire(Warehouse, TimeSpan.Zero, "verify"));
            Assert.Contains("`electionmatch run through the link`", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_lock_directory_is_the_users_own_and_not_the_temporary_directory()
    {
        var directory = Path.GetDirectoryName(WarehouseLock.LockPath(Warehouse))!;

        Assert.Equal(WarehouseLock.LockDirectory, directory);
        if (!OperatingSystem.IsWindows())
        {
            // TMPDIR moves Path.GetTempPath(), and with it, before, the lock of a command run under another TMPDIR.
            Assert.StartsWith("/tmp/electionmatch-locks-", directory, StringComparison.Ordinal);
            using (WarehouseLock.Acquire(Warehouse, TimeSpan.Zero, "run first"))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
            }
        }
    }

    [Fact]
    public void A_cancelled_wait_stops_at_once_and_names_the_holder()
    {
        using var cancel = new CancellationTokenSource();
        using (WarehouseLock.Acquire(Warehouse, TimeSpan.Zero, "run first"))
        {
            cancel.Cancel();
            // A wait of an hour: only the cancellation ends it.
            var stopped = Assert.Throws<LockWaitCancelledException>(() => WarehouseLock.Acquire(Warehouse, TimeSpan.FromHours(1), "verify", cancel.Token));
            Assert.Contains($"waiting for the warehouse, held by another electionmatch command (process {Environment.ProcessId}, `electionmatch run first`", stopped.Message, StringComparison.Ordinal);
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
