using System.Globalization;
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

    // DuckDB's file system tells the compression by a lower-case ending only: it reads x.csv.GZ's bytes as text.
    public static bool IsCompressed(string path) => Endings.Any(e => path.EndsWith(e, StringComparison.Ordinal));

    /// <summary>
    /// What is wrong with <paramref name="path"/>'s name when its first bytes are not the compression its name's ending
    /// says (a plain CSV file or a gzip file named <c>.csv.zst</c>), as a clause after the file: DuckDB's reader, and
    /// ours, decompress by the name alone and fail with no file named (before, EM0504). Null when they agree, when the
    /// name carries no compression, and for a file too short to tell (said as empty or cut elsewhere).
    /// </summary>
    public static string? Misnamed(string path)
    {
        // An ending in another case (.GZ) too: DuckDB reads such a file as it is, so it must not be compressed.
        if (Endings.FirstOrDefault(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)) is not { } named || !File.Exists(path))
        {
            return null;
        }

        var head = new byte[4];
        int read;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (read < head.Length)
        {
            return null;
        }

        // gzip starts 1F 8B; a zstd file with a frame (28 B5 2F FD) or a skippable frame (50-5F 2A 4D 18).
        var magic = BitConverter.ToUInt32(head);
        var actual = head[0] == 0x1F && head[1] == 0x8B ? ".gz" : magic == 0xFD2FB528 || (magic & 0xFFFFFFF0) == 0x184D2A50 ? ".zst" : "";
        var lowerCase = path.EndsWith(named, StringComparison.Ordinal);
        if (actual == (lowerCase ? named : ""))
        {
            return null;
        }

        var plain = Path.GetFileName(path)[..^named.Length];
        if (!lowerCase)
        {
            return $"is a {(actual == ".gz" ? "gzip" : "zstd")} file, and DuckDB's reader decompresses a file only by a lower-case ending (one ending in {path[^named.Length..]} it reads as text); name it {plain}{actual}";
        }

        var kind = named == ".gz" ? "gzip" : "zstd";
        return actual == ""
            ? $"is not a {kind} file though its name ends in {named} (its first bytes are {string.Join(' ', head.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)))}, not {(named == ".gz" ? "gzip's 1F 8B" : "a zstd frame's 28 B5 2F FD")}), and DuckDB's reader decompresses a file by its name's ending; if it is a plain CSV file, name it {plain}"
            : $"is a {(actual == ".gz" ? "gzip" : "zstd")} file though its name ends in {named}, and DuckDB's reader decompresses a file by its name's ending; name it {plain}{actual}";
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a whole gzip or zstd file that decompresses to no bytes; a cut or damaged one is
    /// not, as the run says it is cut or damaged (<see cref="GzipEnd"/>, <see cref="ZstdEnd"/>).
    /// </summary>
    public static bool HoldsNothing(string path)
    {
        if (!IsCompressed(path) || Misnamed(path) is not null)
        {
            return false;
        }

        // Its first byte first: the whole-file checks read all of it, which only a file of nothing should pay here.
        try
        {
            using var text = Decompressed(path, File.OpenRead(path));
            if (text.ReadByte() >= 0)
            {
                return false;
            }
        }
        catch (Exception e) when (e is InvalidDataException or ZstdException)
        {
            return false;
        }

        return IsWhole(path);
    }

    /// <summary>
    /// What is wrong with a gzip or zstd file an input reads, said after its name, or null: compressed otherwise than its
    /// name says (<see cref="Misnamed"/>), cut short (<see cref="GzipEnd"/>, <see cref="ZstdEnd"/>), with bytes after its
    /// last member or frame (<see cref="TrailingBytes"/>), or zstd frames that walk whole but do not decompress
    /// (<see cref="ZstdEnd.Undecodable"/>; before, EM0504 naming no file). It reads the whole file: ask it before a run
    /// reads every row anyway, or once reading the file went wrong.
    /// </summary>
    public static string? Fault(string file)
    {
        const string Lost = "and DuckDB's reader would read it up to where it stops, or not at all, losing the rows after that uncounted; download or compress it again";
        return Misnamed(file) is { } misnamed ? misnamed
            : GzipEnd.IsCut(file) ? TrailingBytes(file) ?? "is not a whole gzip file (it stops before the end that records the length and CRC-32 of what it holds: a download or copy that stopped?), " + Lost
            : ZstdEnd.IsCut(file) ? TrailingBytes(file) ?? "is not a whole zstd file (it stops before the end of its last frame, the block marked last and the checksum it may carry: a download or copy that stopped?), " + Lost
            : ZstdEnd.Undecodable(file) is { } why ? $"does not decompress ({why.TrimEnd('.')}): a block's data or its checksum is damaged, or, when the frame requires too much memory, "
                + "it was compressed with zstd --long and a window over 128 MiB, which DuckDB's reader does not decode; download it again, or compress it again without --long"
            : null;
    }

    /// <summary>
    /// False when <paramref name="path"/> is a gzip or zstd file cut short (<see cref="GzipEnd"/>, <see cref="ZstdEnd"/>)
    /// or whose zstd frames do not decompress (<see cref="ZstdEnd.Undecodable"/>); true for a whole one and any other file.
    /// </summary>
    public static bool IsWhole(string path) => !GzipEnd.IsCut(path) && !ZstdEnd.IsCut(path) && ZstdEnd.Undecodable(path) is null;

    /// <summary>
    /// The bytes <paramref name="path"/> holds, decompressed when it is compressed, counted up to
    /// <paramref name="atMost"/>: a larger file is said to hold <paramref name="atMost"/>, so no more than that is ever
    /// decompressed. Counted rather than read from the file's end: gzip's last 4 bytes are the length of its last
    /// member only, mod 4 GiB (a file of several members, or one over 4 GiB, holds more), and a zstd frame need not
    /// record its size, nor a file have one frame. A file that does not decompress is said to hold
    /// <paramref name="atMost"/> (the run refuses it before it reads it, <see cref="IsWhole"/>).
    /// </summary>
    public static long HeldLength(string path, long atMost)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        if (!IsCompressed(path))
        {
            return Math.Min(file.Length, atMost);
        }

        try
        {
            using var text = Decompressed(path, file);
            var buffer = new byte[1 << 16];
            var held = 0L;
            int read;
            while (held < atMost && (read = text.Read(buffer, 0, (int)Math.Min(buffer.Length, atMost - held))) > 0)
            {
                held += read;
            }

            return held;
        }
        catch (Exception e) when (e is InvalidDataException or ZstdException)
        {
            return atMost;
        }
    }

    /// <summary>
    /// What follows the end of <paramref name="path"/>'s last gzip member or zstd frame, said after the file with what to
    /// do, when those bytes do not start another member or frame (junk or padding appended by a download or copy, not a
    /// file cut short): where they start, how many there are, and their first bytes. Null when there are none. It reads
    /// the whole file (<see cref="GzipEnd.TrailingFrom"/>), so call it on a file found not whole (<see cref="IsWhole"/>).
    /// </summary>
    public static string? TrailingBytes(string path)
    {
        if ((GzipEnd.TrailingFrom(path) ?? ZstdEnd.TrailingFrom(path)) is not { } from)
        {
            return null;
        }

        var (kind, part) = path.EndsWith(".gz", StringComparison.Ordinal) ? ("gzip", "member") : ("zstd", "frame");
        var head = new byte[8];
        long length;
        int read;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            length = file.Length;
            file.Position = from;
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        var count = length - from;
        var shown = string.Join(' ', head.Take(read).Select(b => b.ToString("X2", CultureInfo.InvariantCulture))) + (count > read ? " …" : "");
        return $"is not a whole {kind} file: its last {kind} {part} ends at byte offset {from.ToString("N0", CultureInfo.InvariantCulture)}, "
            + $"and the {count.ToString("N0", CultureInfo.InvariantCulture)} byte{(count == 1 ? "" : "s")} after it ({shown}) are not {kind} data, so nothing in them would be read; "
            + $"if they are junk or padding a download or copy appended, keep the file's first {from.ToString("N0", CultureInfo.InvariantCulture)} bytes (truncate -s {from.ToString(CultureInfo.InvariantCulture)} {Path.GetFileName(path)}), else download or compress it again";
    }

    /// <summary>
    /// <paramref name="file"/>'s bytes decompressed when <paramref name="path"/> ends in one of <see cref="Endings"/>,
    /// else the file itself; disposing the result disposes the file. A cut file reads up to its cut, as GZipStream reads
    /// a cut gzip file, rather than throwing: the run refuses it, naming it, by <see cref="GzipEnd"/> and <see cref="ZstdEnd"/>.
    /// </summary>
    public static Stream Decompressed(string path, Stream file) =>
        path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress)
        : path.EndsWith(".zst", StringComparison.Ordinal) ? new DecompressionStream(file, checkEndOfStream: false)
        : file;
}
