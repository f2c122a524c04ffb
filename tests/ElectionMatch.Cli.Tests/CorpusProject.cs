namespace ElectionMatch.Tests;

/// <summary>The goodparty fixture after one run, so that every case starts from a warehouse with a published snapshot.</summary>
public sealed class CorpusProject : IDisposable
{
    private readonly FixtureCopy _fixture = FixtureCopy.AsCommitted("goodparty");

    public CorpusProject()
    {
        var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", _fixture.Directory);
        Assert.True(run.ExitCode == 0, run.Output);
    }

    public string WarehouseIn(string directory) => Path.Combine(directory, "target", "goodparty.duckdb");

    public string CopyTo()
    {
        var target = Path.Combine(Path.GetTempPath(), "em-corpus-" + Guid.NewGuid().ToString("N")[..12]);
        foreach (var file in Directory.EnumerateFiles(_fixture.Directory, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(_fixture.Directory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    public void Dispose() => _fixture.Dispose();
}
