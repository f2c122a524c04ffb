using ElectionMatch.Diagnostics;

namespace ElectionMatch.Matching;

/// <summary>
/// The size and last write time of each input read from a local file, taken before a run reads it and compared before
/// it publishes. A run reads a file more than once (the input hash beside the match, quarantine's checks, the cleaned
/// rows by file row number), so an export or sync that replaces the file mid-run would mix two versions in one
/// snapshot and a manifest whose input hash matches neither. Such a run stops without publishing and says so.
/// </summary>
internal sealed class InputFileStamps
{
    private readonly IReadOnlyList<(InputRelation Input, FileStamp Stamp)> _files;

    private InputFileStamps(IReadOnlyList<(InputRelation, FileStamp)> files) => _files = files;

    /// <summary>Stamps the inputs that are one local file; a table, a model or a glob has no single file to stamp.</summary>
    public static InputFileStamps Take(MatchInputs inputs) =>
        new([.. new[] { inputs.Left, inputs.Right }.Where(i => i.FilePath is not null).Select(i => (i, FileStamp.Of(i.FilePath!)))]);

    /// <summary>Throws EM0741, naming each file that changed, when any input file is not as <see cref="Take"/> found it.</summary>
    public void EnsureUnchanged()
    {
        var changed = _files
            .Select(f => (f.Input, Before: f.Stamp, After: FileStamp.Of(f.Input.FilePath!)))
            .Where(f => f.Before != f.After)
            .Select(f => Diagnostic.Error(Codes.InputChangedDuringRun, f.Input.At,
                $"{f.Input.Description} changed while the run read it ({f.Before} before, {f.After} now); nothing was published, run again once the file is complete"))
            .ToList();
        if (changed.Count > 0)
        {
            throw new DiagnosticException(changed);
        }
    }

    private readonly record struct FileStamp(long Length, DateTime WrittenUtc)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new(info.Length, info.LastWriteTimeUtc) : new(-1, default);
        }

        public override string ToString() => Length < 0 ? "missing" : $"{Length:N0} bytes written {WrittenUtc:yyyy-MM-dd HH:mm:ss.fff} UTC";
    }
}
