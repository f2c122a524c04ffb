using System.IO.Compression;

namespace ElectionMatch.Matching;

/// <summary>
/// Whether a gzip file ends where its last member ends: a gzip member closes with the CRC-32 and length (mod 2^32) of
/// what it holds, and a file cut short (a download or copy that stopped) ends in the middle of its compressed data
/// instead. DuckDB's CSV reader and .NET's <see cref="GZipStream"/> both read such a file up to where it stops without a
/// word, so the rows after the cut were lost uncounted; the run refuses it instead (EM0024). A file of several members
/// (<c>cat a.gz b.gz</c>), which DuckDB reads whole, is walked member by member, which also finds bytes after the last
/// member that are none (junk or padding a copy appended), said as such (<see cref="TrailingFrom"/>).
/// </summary>
internal static class GzipEnd
{
    /// <summary>
    /// True when <paramref name="path"/> ends in <c>.gz</c> and is not a whole gzip file: shorter than a member, damaged,
    /// its last member cut short, or followed by bytes that are no member (<see cref="TrailingFrom"/>). False for any other file.
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
            long length;
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                length = file.Length;
                if (length < 20)
                {
                    return true;
                }

                file.Seek(-8, SeekOrigin.End);
                file.ReadExactly(trailer);
            }

            // A file of one member, nearly every file, ends with the CRC and length of all it holds: one pass tells it.
            var (total, crc) = Decompressed(path);
            if ((uint)total == BitConverter.ToUInt32(trailer, 4) && crc == BitConverter.ToUInt32(trailer, 0))
            {
                return false;
            }

            // Else each member is found and checked in turn. Before, the last 8 bytes were taken as the end of a last
            // member holding the last bytes of all: 8 zero bytes after a member passed as an empty one, and DuckDB's
            // reader then said only "Input is not a GZIP stream".
            return Walk(path).End != length;
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }

    /// <summary>
    /// Where the bytes after <paramref name="path"/>'s last whole gzip member start, when they do not start another
    /// member (junk or padding appended, not a cut member); null for a whole file, a cut or damaged one and one not named
    /// <c>.gz</c>. It inflates every member, so call it on a file <see cref="IsCut"/> found not whole.
    /// </summary>
    public static long? TrailingFrom(string path)
    {
        if (!path.EndsWith(".gz", StringComparison.Ordinal) || !File.Exists(path))
        {
            return null;
        }

        var (end, noMember) = Walk(path);
        return noMember && end > 0 ? end : null;
    }

    // The end of the last whole member from the file's start, and whether the walk stopped there at bytes that do not
    // start a member (rather than at a member cut short or damaged). Each member is inflated on its own to find its end:
    // .NET's inflater does not say where its deflate data ended, so the member's CRC-32 and length are looked for in the
    // last bytes it was given.
    private static (long End, bool NoMember) Walk(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var end = 0L;
        try
        {
            while (end < file.Length)
            {
                file.Position = end;
                if (!SkipHeader(file))
                {
                    return (end, !StartsMember(file, end));
                }

                if (MemberEnd(file) is not { } next)
                {
                    return (end, false);
                }

                end = next;
            }
        }
        catch (InvalidDataException)
        {
            return (end, false);
        }

        return (end, false);
    }

    // Whether the bytes at `at` start as a member does (1F 8B, deflate): such bytes are a member cut short, not junk.
    private static bool StartsMember(FileStream file, long at)
    {
        Span<byte> magic = stackalloc byte[3];
        file.Position = at;
        var read = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        return read > 0 && magic[0] == 0x1F && (read < 2 || magic[1] == 0x8B) && (read < 3 || magic[2] == 8);
    }

    // Moves past a member's header (RFC 1952, 2.3): false when the bytes there are not one, or it runs past the end.
    private static bool SkipHeader(FileStream file)
    {
        Span<byte> header = stackalloc byte[10];
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) != header.Length || header[0] != 0x1F || header[1] != 0x8B || header[2] != 8)
        {
            return false;
        }

        var flags = header[3];
        if ((flags & 0x04) != 0)
        {
            Span<byte> extra = stackalloc byte[2];
            if (file.ReadAtLeast(extra, 2, throwOnEndOfStream: false) != 2)
            {
                return false;
            }

            file.Seek(BitConverter.ToUInt16(extra), SeekOrigin.Current);
        }

        // The file's name, then a comment, each ended by a zero byte; then a CRC-16 of the header.
        foreach (var flag in new[] { 0x08, 0x10 })
        {
            if ((flags & flag) != 0)
            {
                int b;
                while ((b = file.ReadByte()) > 0)
                {
                }

                if (b < 0)
                {
                    return false;
                }
            }
        }

        if ((flags & 0x02) != 0)
        {
            file.Seek(2, SeekOrigin.Current);
        }

        return file.Position < file.Length;
    }

    // Inflates the member whose deflate data starts at the file's position; the offset after its 8-byte end, or null
    // when it is cut or that end is not its CRC-32 and length.
    private static long? MemberEnd(FileStream file)
    {
        const int Given = 1 << 12;
        var start = file.Position;
        var crc = new System.IO.Hashing.Crc32();
        var length = 0L;
        var fed = new FedInPieces(file, Given);
        using (var inflater = new DeflateStream(fed, CompressionMode.Decompress, leaveOpen: true))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = inflater.Read(buffer, 0, buffer.Length)) > 0)
            {
                crc.Append(buffer.AsSpan(0, read));
                length += read;
            }
        }

        // The deflate data ended within the last piece the inflater took; its end is the 8 bytes that follow it.
        var trailer = new byte[8];
        BitConverter.TryWriteBytes(trailer.AsSpan(0, 4), crc.GetCurrentHashAsUInt32());
        BitConverter.TryWriteBytes(trailer.AsSpan(4, 4), (uint)length);
        var from = Math.Max(start, fed.Position - Given - 8);
        var window = new byte[(int)(Math.Min(file.Length, fed.Position + 8) - from)];
        file.Position = from;
        file.ReadExactly(window);
        var at = window.AsSpan().IndexOf(trailer);
        return at < 0 ? null : from + at + 8;
    }

    // A read-only view of a file that gives at most `piece` bytes a read, so the inflater takes no more than that past
    // the end of its deflate data.
    private sealed class FedInPieces(FileStream file, int piece) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => file.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => file.Read(buffer, offset, Math.Min(count, piece));

        public override int Read(Span<byte> buffer) => file.Read(buffer[..Math.Min(buffer.Length, piece)]);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    // The length of what the file holds and its CRC-32, by System.IO.Hashing's vectorised CRC-32, gzip's own (ISO-HDLC).
    private static (long Total, uint Crc) Decompressed(string path)
    {
        var crc = new System.IO.Hashing.Crc32();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        using var stream = new GZipStream(file, CompressionMode.Decompress);
        var buffer = new byte[1 << 16];
        var total = 0L;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            crc.Append(buffer.AsSpan(0, read));
            total += read;
        }

        return (total, crc.GetCurrentHashAsUInt32());
    }
}
