namespace ElectionMatch.Tests;

/// <summary>
/// The goodparty fixture after one run, so that every case starts from a warehouse with a published snapshot. The run
/// is made once (<see cref="HeldOnce{T}"/>) for both corpus classes, which only copy it; the last to let go deletes it.
/// It also keeps the table hashes of each warehouse it has seen (<see cref="TablesOf"/>): every case compares its
/// warehouse's tables before and after its command, and most of them start from, and many end with, the same bytes.
/// </summary>
public sealed class CorpusProject : IDisposable
{
    private static readonly HeldOnce<PreparedProject> Instance = new(() => new PreparedProject(), p => p.Fixture.Dispose());

    private readonly PreparedProject _prepared = Instance.Hold();

    public string WarehouseIn(string directory) => Path.Combine(directory, "target", "goodparty.duckdb");

    /// <summary>
    /// The tables of the warehouse at <paramref name="path"/> with a hash of their rows, as <paramref name="hash"/>
    /// computes them, reused when an earlier case's warehouse had the same bytes: the database file and its write-ahead
    /// log, which are all DuckDB reads, so equal bytes hold equal tables. Most cases start from, and many end with, the
    /// prepared warehouse's bytes, which a comparison finds for a tenth of what hashing the 13 MB file costs; other bytes
    /// are hashed as they are read, not read whole first.
    /// </summary>
    public Dictionary<string, string> TablesOf(string path, Func<string, Dictionary<string, string>> hash)
    {
        var files = WarehouseFiles(path);
        if (files.Count == 0)
        {
            return hash(path);
        }

        var key = SameBytes(files, WarehouseFiles(WarehouseIn(_prepared.Fixture.Directory))) ? "prepared" : Sha256(files);
        return new Dictionary<string, string>(_prepared.Tables.GetOrAdd(key, _ => hash(path)), StringComparer.Ordinal);
    }

    private static List<string> WarehouseFiles(string path) => new[] { path, path + ".wal" }.Where(File.Exists).ToList();

    private static string Sha256(List<string> files)
    {
        using var bytes = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var file in files)
        {
            bytes.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            using var stream = File.OpenRead(file);
            for (int read; (read = stream.Read(buffer)) > 0;)
            {
                bytes.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexString(bytes.GetHashAndReset());
    }

    /// <summary>Whether the two lists name files of the same names with the same bytes, one after the other.</summary>
    private static bool SameBytes(List<string> files, List<string> others)
    {
        if (files.Count != others.Count || files.Zip(others).Any(p => Path.GetFileName(p.First) != Path.GetFileName(p.Second) || new FileInfo(p.First).Length != new FileInfo(p.Second).Length))
        {
            return false;
        }

        var (buffer, other) = (new byte[1 << 20], new byte[1 << 20]);
        foreach (var (file, against) in files.Zip(others))
        {
            using var stream = File.OpenRead(file);
            using var otherStream = File.OpenRead(against);
            for (int read; (read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0;)
            {
                if (otherStream.ReadAtLeast(other, read, throwOnEndOfStream: false) != read || !buffer.AsSpan(0, read).SequenceEqual(other.AsSpan(0, read)))
                {
                    return false;
                }
            }
        }

        return true;
    }

    public string CopyTo()
    {
        var source = _prepared.Fixture.Directory;
        var target = Path.Combine(Path.GetTempPath(), "em-corpus-" + Guid.NewGuid().ToString("N")[..12]);
        FixtureCopy.CopyFiles(source, target);
        return target;
    }

    public void Dispose() => Instance.LetGo();

    private sealed class PreparedProject
    {
        public PreparedProject()
        {
            var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", Fixture.Directory);
            Assert.True(run.ExitCode == 0, run.Output);
        }

        public FixtureCopy Fixture { get; } = FixtureCopy.Of("goodparty");

        /// <summary>Table hashes by the SHA-256 of the warehouse's files, or "prepared" for the prepared warehouse's bytes (<see cref="TablesOf"/>).</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, Dictionary<string, string>> Tables { get; } = new(StringComparer.Ordinal);
    }
}
