using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Warehouse;

/// <summary>
/// Serialises electionmatch commands on one warehouse: a second run (or generate, check, verify, prune, explain, evaluate)
/// waits, bounded, for the first to finish instead of failing on DuckDB's own file lock, at once or halfway through. The lock file lives in
/// a per-user directory under /tmp (<see cref="LockDirectory"/>), keyed by the warehouse's real path, so the project gains no file; the OS releases it
/// when the holder dies, even by SIGKILL. A sibling <c>.owner</c> file names the holder for the message. synth and bench
/// take the same lock on the folder of a synthetic project (<see cref="AcquireFolder"/>).
/// </summary>
/// <remarks>
/// On Linux the holder deletes the lock file before it lets go, so the directory does not keep one file per warehouse
/// ever locked (a test suite locks thousands). That is safe because a process that wins the lock checks that its file
/// is still the one at the path (<see cref="StillLinked"/>): one that opened the file just before the holder deleted it
/// has locked a file nobody else will open, so it lets go and opens the path again. Elsewhere the file stays.
/// </remarks>
public sealed class WarehouseLock : IDisposable
{
    private readonly FileStream? _stream;
    private readonly string? _ownerPath;
    private readonly string? _lockPath;

    private WarehouseLock(LockWait wait, FileStream? stream, string? ownerPath, string? lockPath = null)
    {
        Wait = wait;
        _stream = stream;
        _ownerPath = ownerPath;
        _lockPath = lockPath;
    }

    /// <summary>The wait this lock was taken with, its clock still running: what is left of it is for DuckDB's own lock on the file (<see cref="DuckDbWarehouse.Open"/>).</summary>
    public LockWait Wait { get; }

    /// <param name="purpose">What the holder does, written for a waiting process to show (for example "run candidacy_ddhq_matches").</param>
    /// <param name="cancellationToken">Stops the wait (a cancelled build does not wait out the timeout).</param>
    public static WarehouseLock Acquire(string warehousePath, TimeSpan timeout, string purpose, CancellationToken cancellationToken = default) =>
        Acquire(warehousePath, new LockWait(timeout, cancellationToken), purpose);

    /// <param name="wait">How long to wait, and what stops the wait (<see cref="LockWaitCancelledException"/>).</param>
    public static WarehouseLock Acquire(string warehousePath, LockWait wait, string purpose) =>
        Acquire(warehousePath, wait, purpose, holder => DiagnosticException.At(Codes.WarehouseLocked, SourceSpan.PathOnly(Dbt.DisplayPath.For(warehousePath)),
            $"the warehouse is in use by another electionmatch command ({holder}); {wait.Waited}; let it finish, or pass --lock-timeout <seconds> to wait longer"));

    /// <summary>
    /// The same lock on a folder a command writes as a whole (synth's <c>--out</c>, a bench set): two such commands on one
    /// folder would delete and replace each other's files. Not waited for: the holder is reported at once.
    /// </summary>
    /// <param name="code">The error when another command holds the folder.</param>
    /// <param name="advice">What to do then, after the holder is named.</param>
    public static WarehouseLock AcquireFolder(string folder, string purpose, string code, string advice) =>
        Acquire(folder, LockWait.None, purpose, holder => DiagnosticException.At(code, SourceSpan.PathOnly(Dbt.DisplayPath.For(folder)),
            $"the folder is in use by another electionmatch command ({holder}); {advice}"));

    /// <param name="held">The error once the wait has run out, given the holder as its owner file describes it.</param>
    private static WarehouseLock Acquire(string path, LockWait wait, string purpose, Func<string, DiagnosticException> held)
    {
        var lockPath = LockPath(path);
        CreateDirectory(Path.GetDirectoryName(lockPath)!);
        var ownerPath = Path.ChangeExtension(lockPath, ".owner");
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
                return new WarehouseLock(wait, stream, ownerPath, lockPath);
            }
            catch (UnauthorizedAccessException)
            {
                // A lock directory another user created first: no turn-taking here, but DuckDB's own lock still keeps
                // the file whole, and DuckDbWarehouse.Open waits for it as for this lock.
                return new WarehouseLock(wait, null, null);
            }
            catch (IOException)
            {
                // Not in a filter: an exception thrown there (the cancelled wait's) would be swallowed.
                if (wait.Pause(() => $"another electionmatch command ({Holder(ownerPath)})"))
                {
                    continue;
                }

                throw held(Holder(ownerPath));
            }
        }
    }

    /// <summary>
    /// The lock file of a warehouse (or folder): in <see cref="LockDirectory"/>, named by a hash of the warehouse's real path (every
    /// symlink resolved), so a command that reaches the warehouse through a symlinked project directory meets the lock
    /// of one that reaches it through the real one.
    /// </summary>
    internal static string LockPath(string warehousePath)
    {
        var real = RealPath.Of(warehousePath);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(real)))[..24];
        return Path.Combine(LockDirectory, key + ".lock");
    }

    /// <summary>
    /// Where the lock files live: one directory per user that no environment variable moves, so every command of that
    /// user on a warehouse meets the same lock. Not <see cref="Path.GetTempPath"/> on Unix: it follows TMPDIR, which
    /// one shell, CI step or IDE sets and another does not, and two commands took no turns. Not $XDG_RUNTIME_DIR either:
    /// only a login session sets it (cron, ssh commands, containers and sudo do not). Per user, since a directory one
    /// user creates in /tmp the others cannot write into; commands of two users on one warehouse meet DuckDB's lock
    /// instead, which <see cref="DuckDbWarehouse.Open"/> waits for too. On Windows the temporary directory is the
    /// user's own profile's.
    /// </summary>
    internal static string LockDirectory =>
        OperatingSystem.IsWindows()
            ? Path.Combine(Path.GetTempPath(), "electionmatch-locks")
            : string.Create(CultureInfo.InvariantCulture, $"/tmp/electionmatch-locks-{geteuid()}");

    private static void CreateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            // Only its user may add or read the files: the owner files name the commands run.
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

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
