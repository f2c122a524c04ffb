using System.IO.Compression;
using ZstdSharp;

namespace ElectionMatch.Matching;

/// <summary>
/// The compressions a CSV input's file may carry, told by its name's last ending as DuckDB's reader tells them: gzip
/// (<c>.csv.gz</c>) and zstd (<c>.csv.zst</c>, read with ZstdSharp). Every read of a CSV file's text in .NET (the
/// header and UTF-16 checks, a rejected line's text and number) goes through <see cref="Decompressed"/>, so each sees
/// what DuckDB's reader sees.
/// </summary>
internal static class CsvCompression
{
    /// <summary>The endings of a compressed file, the compression after the CSV's own (<c>.csv.gz</c>, <c>.tsv.zst</c>).</summary>
    public static readonly string[] Endings = [".gz", ".zst"];

    public static bool IsCompressed(string path) => Endings.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// <paramref name="file"/>'s bytes decompressed when <paramref name="path"/> ends in one of <see cref="Endings"/>,
    /// else the file itself; disposing the result disposes the file. A cut file reads up to its cut, as GZipStream reads
    /// a cut gzip file, rather than throwing: the run refuses it, naming it, by <see cref="GzipEnd"/> and <see cref="ZstdEnd"/>.
    /// </summary>
    public static Stream Decompressed(string path, Stream file) =>
        path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress)
        : path.EndsWith(".zst", StringComparison.OrdinalIgnoreCase) ? new DecompressionStream(file, checkEndOfStream: false)
        : file;
}
