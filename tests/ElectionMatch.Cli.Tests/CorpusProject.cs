namespace ElectionMatch.Tests;

/// <summary>
/// The goodparty fixture after one run, so that every case starts from a warehouse with a published snapshot. The run
/// is made once (<see cref="HeldOnce{T}"/>) for both corpus classes, which only copy it; the last to let go deletes it.
/// </summary>
public sealed class CorpusProject : IDisposable
{
    private static readonly HeldOnce<PreparedProject> Instance = new(() => new PreparedProject(), p => p.Fixture.Dispose());

    private readonly PreparedProject _prepared = Instance.Hold();

    public string WarehouseIn(string directory) => Path.Combine(directory, "target", "goodparty.duckdb");

    public string CopyTo()
    {
        var source = _prepared.Fixture.Directory;
        var target = Path.Combine(Path.GetTempPath(), "em-corpus-" + Guid.NewGuid().ToString("N")[..12]);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

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
    }
}
