using System.IO.Compression;

namespace ElectionMatch.Matching;

/// <summary>
/// Whether a gzip file ends where its last member ends: a gzip member closes with the CRC-32 and length (mod 2^32) of
/// what it holds, and a file cut short (a download or copy that stopped) ends in the middle of its compressed data
/// instead. DuckDB's CSV reader and .NET's <see cref="GZipStream"/> both read such a file up to where it stops without a
/// word, so the rows after the cut were lost uncounted; the run refuses it instead (EM0024). A file of several members
/// (<c>cat a.gz b.gz</c>), which DuckDB reads whole, ends with its last member's, which the end of what it holds must match.
/// </summary>
internal static class GzipEnd
{
    private const long Wrap = 1L << 32;

    /// <summary>
    /// True when <paramref name="path"/> ends in <c>.gz</c> and is not a whole gzip file: shorter than a member, damaged,
    /// or its last 8 bytes are not the CRC-32 and length of the end of what it holds. False for any other file.
    /// </summary>
    public static bool IsCut(string path)
    {
        if (!path.EndsWith(".gz", StringComparison.Ordinal) || !File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return false;
        }

        try
        {
            // The smallest member: a 10-byte header, an empty deflate block (2 bytes) and the 8-byte end.
            var trailer = new byte[8];
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                if (file.Length < 20)
                {
                    return true;
                }

                file.Seek(-8, SeekOrigin.End);
                file.ReadExactly(trailer);
            }

            var (crc, length) = (BitConverter.ToUInt32(trailer, 0), BitConverter.ToUInt32(trailer, 4));

            // A file of one member, nearly every file, ends with the CRC and length of all it holds: one pass tells it.
            var (total, whole) = Decompressed(path, [0]);
            if ((uint)total == length && whole[0] == crc)
            {
                return false;
            }

            // The last member holds the last `length` bytes (plus a multiple of 4 GiB); its CRC is of those bytes.
            var starts = new List<long>();
            for (var held = (long)length; held <= total; held += Wrap)
            {
                starts.Add(total - held);
            }

            return !Decompressed(path, starts).Crcs.Contains(crc);
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }

    // The length of what the file holds, and the CRC-32 of what follows each of `starts` (offsets into it), by
    // System.IO.Hashing's vectorised CRC-32, gzip's own (ISO-HDLC).
    private static (long Total, uint[] Crcs) Decompressed(string path, IReadOnlyList<long> starts)
    {
        var crcs = starts.Select(_ => new System.IO.Hashing.Crc32()).ToArray();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        using var stream = new GZipStream(file, CompressionMode.Decompress);
        var buffer = new byte[1 << 16];
        var total = 0L;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var s = 0; s < starts.Count; s++)
            {
                var from = (int)Math.Clamp(starts[s] - total, 0, read);
                crcs[s].Append(buffer.AsSpan(from, read - from));
            }

            total += read;
        }

        return (total, [.. crcs.Select(c => c.GetCurrentHashAsUInt32())]);
    }
}
