namespace ElectionMatch.Tests;

/// <summary>
/// The set <c>bench --rows 200</c> generates (seed 1), after that bench ran it: made once for <see cref="BenchCommandTests"/>,
/// whose tests of what a second bench does with such a set copy it (<see cref="CopyTo"/>) instead of paying a bench first.
/// </summary>
public sealed class BenchedSet : IDisposable
{
    public const string Folder = "rows-200-seed-1";

    private readonly string _data = Path.Combine(Path.GetTempPath(), "em-bench-set-" + Guid.NewGuid().ToString("N")[..12]);

    public BenchedSet()
    {
        Bench = CliProcess.Run("bench", "--rows", "200", "--dir", _data);
        Assert.True(Bench.ExitCode == 0, Bench.Output);
    }

    /// <summary>What the bench that made the set printed (its precision and recall among it).</summary>
    internal CliProcess.Result Bench { get; }

    /// <summary>Copies the set, its warehouse and the bench's stamp included, into <paramref name="data"/> (a --dir); returns its folder there.</summary>
    public string CopyTo(string data)
    {
        var source = Path.Combine(_data, Folder);
        var target = Path.Combine(data, Folder);
        FixtureCopy.CopyFiles(source, target);
        return target;
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
