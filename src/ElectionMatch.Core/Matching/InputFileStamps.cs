using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// The size and last write time of each input read from a local file, taken before a run reads it and compared before
/// it publishes. A run reads a file more than once (the input hash beside the match, quarantine's checks, the cleaned
/// rows by file row number), so an export or sync that replaces the file mid-run would mix two versions in one
/// snapshot and a manifest whose input hash matches neither. Such a run stops without publishing and says so.
/// </summary>
internal sealed class InputFileStamps
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly IReadOnlyList<(InputRelation Input, IReadOnlyList<(string File, FileStamp Stamp)> Files)> _inputs;

    private InputFileStamps(DuckDbWarehouse warehouse, IReadOnlyList<(InputRelation, IReadOnlyList<(string, FileStamp)>)> inputs) =>
        (_warehouse, _inputs) = (warehouse, inputs);

    /// <summary>
    /// Stamps the inputs read from local files: one file, or each file a glob matches (listed by
    /// <paramref name="warehouse"/> again on <see cref="EnsureUnchanged"/>, so a file added or removed counts as a
    /// change); a table or a model has no file to stamp.
    /// </summary>
    public static InputFileStamps Take(DuckDbWarehouse warehouse, MatchInputs inputs) =>
        new(warehouse, [.. new[] { inputs.Left, inputs.Right }.Where(i => i.FilePath is not null || i.Glob is not null).Select(i => (i, Stamps(warehouse, i)))]);

    /// <summary>
    /// The bytes every input file holds together, a compressed file's once decompressed (a 6 MiB <c>.csv.gz</c> of
    /// 60 MiB of CSV is 60 MiB of work), counted up to one past <paramref name="atMost"/> (<see cref="CsvCompression.HeldLength"/>),
    /// and their bytes on disk as <see cref="Take"/> found them; null when an input is not read from local files (a
    /// table or a model).
    /// </summary>
    public (long Held, long OnDisk, bool Compressed)? HeldBytes(long atMost)
    {
        if (_inputs.Count != 2)
        {
            return null;
        }

        var files = _inputs.SelectMany(i => i.Files).Where(f => f.Stamp.Length > 0).ToList();
        var held = 0L;
        foreach (var (file, _) in files)
        {
            // The rest of the allowance: once the files hold more than atMost together, what more they hold is not read.
            held += File.Exists(file) ? CsvCompression.HeldLength(file, atMost + 1 - held) : 0;
            if (held > atMost)
            {
                break;
            }
        }

        return (held, files.Sum(f => f.Stamp.Length), files.Any(f => CsvCompression.IsCompressed(f.File)));
    }

    /// <summary>Throws EM0741, naming each file that changed, when any input file is not as <see cref="Take"/> found it.</summary>
    public void EnsureUnchanged()
    {
        var changed = _inputs
            .Select(i => (i.Input, Changes: Changes(i.Files, Stamps(_warehouse, i.Input))))
            .Where(i => i.Changes.Count > 0)
            .Select(i => Diagnostic.Error(Codes.InputChangedDuringRun, i.Input.At, i.Input.Glob is null
                ? $"{i.Input.Description} changed while the run read it ({i.Changes[0].Before} before, {i.Changes[0].After} now); nothing was published, run again once the file is complete"
                : $"{i.Input.Description} changed while the run read it: {string.Join("; ", i.Changes.Select(c => $"{DisplayPath.For(c.File)} ({c.Before} before, {c.After} now)"))}; nothing was published, run again once the files are complete"))
            .ToList();
        if (changed.Count > 0)
        {
            throw new DiagnosticException(changed);
        }
    }

    private static IReadOnlyList<(string File, FileStamp Stamp)> Stamps(DuckDbWarehouse warehouse, InputRelation input) =>
        [.. input.LocalFiles(warehouse).Select(f => (f, FileStamp.Of(f)))];

    // Each file stamped before or now whose stamp differs, a file not there being "missing".
    private static List<(string File, FileStamp Before, FileStamp After)> Changes(IReadOnlyList<(string File, FileStamp Stamp)> before, IReadOnlyList<(string File, FileStamp Stamp)> after)
    {
        var now = after.ToDictionary(f => f.File, f => f.Stamp, StringComparer.Ordinal);
        var then = before.ToDictionary(f => f.File, f => f.Stamp, StringComparer.Ordinal);
        return [.. before.Select(f => f.File).Concat(after.Select(f => f.File).Where(f => !then.ContainsKey(f)))
            .Select(f => (File: f, Before: then.GetValueOrDefault(f, FileStamp.Missing), After: now.GetValueOrDefault(f, FileStamp.Missing)))
            .Where(f => f.Before != f.After)];
    }

    private readonly record struct FileStamp(long Length, DateTime WrittenUtc)
    {
        public static FileStamp Missing => new(-1, default);

        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new(info.Length, info.LastWriteTimeUtc) : Missing;
        }

        public override string ToString() => Length < 0 ? "missing" : $"{Length:N0} bytes written {WrittenUtc:yyyy-MM-dd HH:mm:ss.fff} UTC";
    }
}
