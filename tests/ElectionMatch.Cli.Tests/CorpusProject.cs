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
    /// log, which are all DuckDB reads, so equal bytes hold equal tables.
    /// </summary>
    public Dictionary<string, string> TablesOf(string path, Func<string, Dictionary<string, string>> hash)
    {
        var files = new[] { path, path + ".wal" }.Where(File.Exists).ToList();
        if (files.Count == 0)
        {
            return hash(path);
        }

        using var bytes = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            bytes.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            bytes.AppendData(File.ReadAllBytes(file));
        }

        var key = Convert.ToHexString(bytes.GetHashAndReset());
        return new Dictionary<string, string>(_prepared.Tables.GetOrAdd(key, _ => hash(path)), StringComparer.Ordinal);
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

        public FixtureCopy Fixture { get; } = FixtureCopy.AsCommitted("goodparty");

        /// <summary>Table hashes by the SHA-256 of the warehouse's files (<see cref="TablesOf"/>).</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, Dictionary<string, string>> Tables { get; } = new(StringComparer.Ordinal);
    }
}
