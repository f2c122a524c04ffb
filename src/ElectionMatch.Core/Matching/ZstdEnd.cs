using ZstdSharp;

namespace ElectionMatch.Matching;

/// <summary>
/// Whether a zstd file ends where its last frame ends (RFC 8878, 3.1): a frame is a header, blocks up to the one marked
/// last, and an optional 4-byte checksum, so its end is found by walking the 3-byte block headers, without
/// decompressing. DuckDB's CSV reader reads a file cut short (a download or copy that stopped) up to where it stops
/// without a word, or reads no row of it at all (the input "has no rows"); the run refuses it instead (EM0024). A file of
/// several frames (<c>cat a.zst b.zst</c>) and skippable frames, which DuckDB reads, are walked frame by frame; a file
/// whose walk is whole is then decompressed once, as <see cref="GzipEnd"/> does, to tell a damaged block or checksum.
/// </summary>
internal static class ZstdEnd
{
    private const uint FrameMagic = 0xFD2FB528;

    // Skippable frames use the 16 magic numbers 0x184D2A50 to 0x184D2A5F, then a 4-byte length of what they hold.
    private const uint SkippableMagic = 0x184D2A50;
    private const uint SkippableMask = 0xFFFFFFF0;

    private const int MostBlockBytes = 128 * 1024;

    /// <summary>
    /// True when <paramref name="path"/> ends in <c>.zst</c> and is not a whole zstd file: a frame or block header, a
    /// block or a checksum runs past its end, a frame does not start with a zstd magic number, or a header or block is
    /// of a kind the format reserves. False for any other file, and for an empty one (said as empty elsewhere).
    /// </summary>
    public static bool IsCut(string path)
    {
        if (!path.EndsWith(".zst", StringComparison.Ordinal) || !File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return false;
        }

        return Walk(path).End != new FileInfo(path).Length;
    }

    /// <summary>
    /// Where the bytes after <paramref name="path"/>'s last whole frame start, when what follows that frame does not
    /// start with a zstd magic number (appended junk or padding, not a cut frame); null for a whole file, a cut one,
    /// one not named <c>.zst</c>, and one whose first bytes are no frame (said as misnamed elsewhere).
    /// </summary>
    public static long? TrailingFrom(string path)
    {
        if (!path.EndsWith(".zst", StringComparison.Ordinal) || !File.Exists(path))
        {
            return null;
        }

        var (end, unknownMagic) = Walk(path);
        return unknownMagic && end > 0 ? end : null;
    }

    // The end of the last whole frame from the file's start, and whether the walk stopped there at bytes that are no
    // frame's magic number (rather than at a frame that runs past the file's end or is malformed).
    private static (long End, bool UnknownMagic) Walk(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 12);
        var end = 0L;
        while (end < file.Length)
        {
            var magic = ReadUInt32(file);
            var whole = magic switch
            {
                FrameMagic => SkipFrame(file),
                _ when (magic & SkippableMask) == SkippableMagic => ReadUInt32(file) is { } size && Skip(file, size),
                _ => (bool?)null,
            };
            if (whole is not true)
            {
                return (end, whole is null);
            }

            end = file.Position;
        }

        return (end, false);
    }

    /// <summary>True when <see cref="Undecodable"/> says why the file does not decompress.</summary>
    public static bool IsDamaged(string path) => Undecodable(path) is not null;

    /// <summary>
    /// Why <paramref name="path"/>, ending in <c>.zst</c>, does not decompress, in ZstdSharp's words: a block's data or a
    /// frame's checksum damaged ("Restored data doesn't match checksum"), or a window larger than the 128 MiB that
    /// ZstdSharp and DuckDB's reader decode by default (<c>zstd --long</c> on a large file: "Frame requires too much memory
    /// for decoding"). Null when it decompresses, and for any other file. Call it on a file <see cref="IsCut"/> found whole.
    /// </summary>
    public static string? Undecodable(string path)
    {
        if (!path.EndsWith(".zst", StringComparison.Ordinal) || !File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return null;
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            using var stream = new DecompressionStream(file);
            stream.CopyTo(Stream.Null);
            return null;
        }
        catch (ZstdException e)
        {
            return e.Message;
        }
    }

    // A frame after its magic number: its header, its blocks to the last one, its checksum when the header says so.
    private static bool SkipFrame(FileStream file)
    {
        // Bit 3 of the descriptor is reserved and must be 0.
        var descriptor = file.ReadByte();
        if (descriptor < 0 || (descriptor & 0x08) != 0)
        {
            return false;
        }

        var contentSizeFlag = descriptor >> 6;
        var singleSegment = (descriptor & 0x20) != 0;
        var checksum = (descriptor & 0x04) != 0;
        var header = (singleSegment ? 0 : 1)
            + (descriptor & 0x03) switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 }
            + contentSizeFlag switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
        if (!Skip(file, header))
        {
            return false;
        }

        Span<byte> block = stackalloc byte[3];
        while (true)
        {
            if (file.ReadAtLeast(block, block.Length, throwOnEndOfStream: false) != block.Length)
            {
                return false;
            }

            var value = block[0] | (block[1] << 8) | (block[2] << 16);
            var (last, type, size) = ((value & 1) != 0, (value >> 1) & 3, value >> 3);

            // Raw and compressed blocks hold Block_Size bytes, an RLE block one byte repeated; type 3 is reserved, and no
            // block holds or stands for more than 128 KiB.
            var held = type switch { _ when size > MostBlockBytes => -1, 0 or 2 => size, 1 => 1, _ => -1 };
            if (held < 0 || !Skip(file, held))
            {
                return false;
            }

            if (last)
            {
                return !checksum || Skip(file, 4);
            }
        }
    }

    // Moves past `count` bytes; false when the file ends before them.
    private static bool Skip(FileStream file, long count)
    {
        if (file.Length - file.Position < count)
        {
            return false;
        }

        file.Seek(count, SeekOrigin.Current);
        return true;
    }

    private static uint? ReadUInt32(FileStream file)
    {
        Span<byte> bytes = stackalloc byte[4];
        return file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) == bytes.Length ? BitConverter.ToUInt32(bytes) : null;
    }
}
