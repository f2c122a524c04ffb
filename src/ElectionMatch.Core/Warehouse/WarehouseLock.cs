using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Warehouse;

/// <summary>
/// Serialises electionmatch commands on one warehouse: a second run (or generate, check, verify, prune, explain, evaluate)
/// waits, bounded, for the first to finish instead of failing on DuckDB's own file lock, at once or halfway through. The lock file lives in
/// the temporary directory, keyed by the warehouse's full path, so the project gains no file; the OS releases it
/// when the holder dies, even by SIGKILL. A sibling <c>.owner</c> file names the holder for the message.
/// </summary>
/// <remarks>
/// On Linux the holder deletes the lock file before it lets go, so the directory does not keep one file per warehouse
/// ever locked (a test suite locks thousands). That is safe because a process that wins the lock checks that its file
/// is still the one at the path (<see cref="StillLinked"/>): one that opened the file just before the holder deleted it
/// has locked a file nobody else will open, so it lets go and opens the path again. Elsewhere the file stays.
/// </remarks>
public sealed class WarehouseLock : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly FileStream? _stream;
    private readonly string? _ownerPath;
    private readonly string? _lockPath;

    private WarehouseLock(FileStream? stream, string? ownerPath, string? lockPath = null)
    {
        _stream = stream;
        _ownerPath = ownerPath;
        _lockPath = lockPath;
    }

    /// <param name="purpose">What the holder does, written for a waiting process to show (for example "run candidacy_ddhq_matches").</param>
    /// <param name="cancellationToken">Stops the wait (a cancelled build does not wait out the timeout).</param>
    public static WarehouseLock Acquire(string warehousePath, TimeSpan timeout, string purpose, CancellationToken cancellationToken = default)
    {
        var lockPath = LockPath(warehousePath);
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        var ownerPath = Path.ChangeExtension(lockPath, ".owner");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Unix (a share-mode lock on Windows).
                var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                if (!StillLinked(stream))
                {
                    // The holder deleted it between our open and our lock: the next open creates the file others lock.
                    stream.Dispose();
                    continue;
                }

                DescribeOwner(ownerPath, purpose);
                return new WarehouseLock(stream, ownerPath, lockPath);
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's lock file: no turn-taking with that user's commands, but DuckDB's own lock still
                // keeps the file whole, and its message (EM0600) names the holder.
                return new WarehouseLock(null, null);
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                cancellationToken.WaitHandle.WaitOne(Poll);
                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (IOException)
            {
                throw DiagnosticException.At(Codes.WarehouseLocked, SourceSpan.PathOnly(Dbt.DisplayPath.For(warehousePath)),
                    $"the warehouse is in use by another electionmatch command ({Holder(ownerPath)}); waited {timeout.TotalSeconds:0.#} s for it; let it finish, or pass --lock-timeout <seconds> to wait longer");
            }
        }
    }

    /// <summary>The lock file of a warehouse: in the temporary directory, named by a hash of the warehouse's full path.</summary>
    internal static string LockPath(string warehousePath)
    {
        var full = Dbt.WorkingDirectory.Full(warehousePath);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..24];
        return Path.Combine(Path.GetTempPath(), "electionmatch-locks", key + ".lock");
    }

    /// <summary>
    /// Whether the open file is still linked at its path. Linux names a file deleted while open "<c>path (deleted)</c>"
    /// in <c>/proc/self/fd</c>; where there is no such view, lock files are never deleted (<see cref="Dispose"/>), so
    /// every open file is the linked one.
    /// </summary>
    internal static bool StillLinked(FileStream stream) =>
        !DeletesLockFiles || new FileInfo(FileDescriptorPath(stream)).LinkTarget is not { } target
        || !target.EndsWith(" (deleted)", StringComparison.Ordinal);

    private static bool DeletesLockFiles => OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd");

    private static string FileDescriptorPath(FileStream stream) =>
        string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}");

    private static void DescribeOwner(string ownerPath, string purpose)
    {
        try
        {
            File.WriteAllText(ownerPath, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}\n{purpose}\n{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a description for a waiting process's message; the lock itself is held.
        }
    }

    /// <summary>The holder as its owner file describes it, when that process is still alive.</summary>
    private static string Holder(string ownerPath)
    {
        try
        {
            var lines = File.ReadAllLines(ownerPath);
            if (lines.Length >= 3 && int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Safety.LiveProcess.IsAlive(pid))
            {
                return $"process {pid}, `electionmatch {lines[1]}` since {lines[2]}";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The holder is rewriting it, or it is another user's: the message goes without the name.
        }

        return "process unknown";
    }

    public void Dispose()
    {
        if (_stream is null)
        {
            return;
        }

        try
        {
            File.Delete(_ownerPath!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a description; a stale one is ignored because its process is gone.
        }

        if (DeletesLockFiles)
        {
            try
            {
                // Still holding the lock: a process waiting on this file finds it deleted once it wins, and opens the path again.
                File.Delete(_lockPath!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next holder to delete; it still locks correctly.
            }
        }

        _stream.Dispose();
    }
}
