namespace ElectionMatch.Matching;

/// <summary>
/// Whether a CSV file is UTF-16, and which way round, from its first 4 KB (decompressed): a byte order mark says so;
/// without one, UTF-16 writes a zero byte beside every ASCII character (a letter, a digit, a comma, a line break), after
/// it little-endian and before it big-endian, so the side that holds more zero bytes tells. A Greek or CJK file has no
/// zero byte in its letters, but has them in its delimiters and line breaks. DuckDB's reader reads utf-16 as
/// little-endian only: a big-endian file comes out as one garbled header line.
/// </summary>
/// <param name="IsUtf16">False for a file with no byte order mark and no zero byte among its first 4 KB (or as many on either side).</param>
/// <param name="BigEndian">The high byte of each character comes first.</param>
/// <param name="ByteOrderMark">The file starts with one (FF FE or FE FF); else the order is read from its zero bytes.</param>
internal sealed record Utf16Layout(bool IsUtf16, bool BigEndian, bool ByteOrderMark)
{
    private const int Sample = 4096;

    /// <summary>How a file without a byte order mark was told to be UTF-16 of its order, in a message's words.</summary>
    public string ZeroBytesSaid => $"its first bytes have the zero byte of each ASCII character {(BigEndian ? "before" : "after")} it";

    /// <summary>The file's layout; null when it holds fewer than two bytes, which is left to the checks of an empty file.</summary>
    public static Utf16Layout? Of(string path) => Of(Start(path));

    /// <summary>
    /// The layout of a file read without <c>encoding: utf-16</c> that is UTF-16 beyond doubt: a byte order mark, or else
    /// zero bytes on one side of at least one character in sixteen (at least four) and at most a quarter as many on the
    /// other. A UTF-8 file holds no zero byte; one that does (a crash's padding, a stray NUL) has its zero bytes in runs,
    /// on both sides alike. Null for any other file.
    /// </summary>
    public static Utf16Layout? Evident(string path) => Evident(Start(path));

    public static Utf16Layout? Evident(ReadOnlySpan<byte> start)
    {
        if (Of(start) is not { IsUtf16: true } layout)
        {
            return null;
        }

        if (layout.ByteOrderMark)
        {
            return layout;
        }

        var (even, odd) = ZeroBytes(start);
        var (side, other) = layout.BigEndian ? (even, odd) : (odd, even);
        return side >= Math.Max(4, start.Length / 2 / 16) && other * 4 <= side ? layout : null;
    }

    public static Utf16Layout? Of(ReadOnlySpan<byte> start)
    {
        if (start.Length < 2)
        {
            return null;
        }

        if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return new Utf16Layout(IsUtf16: true, BigEndian: start[0] == 0xFE, ByteOrderMark: true);
        }

        var (even, odd) = ZeroBytes(start);
        return new Utf16Layout(IsUtf16: even != odd, BigEndian: even > odd, ByteOrderMark: false);
    }

    // The file's first bytes, decompressed as DuckDB reads them.
    private static ReadOnlySpan<byte> Start(string path)
    {
        var start = new byte[Sample];
        using var file = CsvRecords.OpenBytes(path);
        return start.AsSpan(0, file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false));
    }

    // Zero bytes at even offsets are high bytes written first (big-endian), at odd offsets after (little-endian).
    private static (int Even, int Odd) ZeroBytes(ReadOnlySpan<byte> start)
    {
        var (even, odd) = (0, 0);
        for (var i = 0; i + 1 < start.Length; i += 2)
        {
            even += start[i] == 0 ? 1 : 0;
            odd += start[i + 1] == 0 ? 1 : 0;
        }

        return (even, odd);
    }
}
