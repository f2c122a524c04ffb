using DuckDB.NET.Data;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// The line of a file, as an editor numbers it, that holds a byte: DuckDB's reject store gives a rejected record's
/// <c>line</c> as the count of records before it, which is not the file's line once a quoted value before it spans
/// lines, and its <c>line_byte_position</c> (the record's first byte, from 1, a byte order mark included), which is.
/// Registered as <see cref="Function"/><c>(file, byte_position)</c> for the reject stage's SQL.
/// </summary>
internal static class CsvLines
{
    public const string Function = "em_csv_line";

    // The line starts of the files looked up lately, by path, size and write time: a run asks about one file, or a
    // glob's few with rejects, several times. Kept small, since an MSBuild node lives across builds.
    private static readonly Dictionary<(string Path, long Length, DateTime Written), long[]> Cache = [];
    private static readonly Lock CacheLock = new();

    /// <summary>
    /// <c>em_csv_text(file, byte_position, lines)</c>: the text of <c>lines</c> lines of the file from the record that
    /// starts at that byte, as written: UTF-8 where it is, else read as Latin-1 (ISO 8859-1). DuckDB gives a line that is
    /// not UTF-8 with each bad byte and the bytes it took for its sequence as '?', which can take a comma with them
    /// (<c>Zo\xEB,Dunn</c> became <c>Zo??Dunn</c>): the fields after it shift, and the id field may be lost.
    /// </summary>
    public const string TextFunction = "em_csv_text";

    /// <summary>Registers <see cref="Function"/> and <see cref="TextFunction"/> in the warehouse, once per connection.</summary>
    public static void Register(DuckDbWarehouse warehouse)
    {
        if (warehouse.FunctionExists(Function, arity: 2))
        {
            return;
        }

#pragma warning disable DuckDBNET001 // DuckDB.NET marks scalar functions experimental; the signature used here has not changed since 1.1.
        warehouse.Connection.RegisterScalarFunction<string, long, long, string>(TextFunction, (readers, writer, rows) =>
        {
            for (ulong row = 0; row < rows; row++)
            {
                if (readers[0].IsValid(row) && readers[1].IsValid(row) && readers[2].IsValid(row)
                    && TextAt(readers[0].GetValue<string>(row), readers[1].GetValue<long>(row), readers[2].GetValue<long>(row)) is { } text)
                {
                    writer.WriteValue(text, row);
                }
                else
                {
                    writer.WriteNull(row);
                }
            }
        }, new ScalarFunctionOptions { IsPureFunction = false });
#pragma warning restore DuckDBNET001

#pragma warning disable DuckDBNET001 // DuckDB.NET marks scalar functions experimental; the signature used here has not changed since 1.1.
        warehouse.Connection.RegisterScalarFunction<string, long, long>(Function, (readers, writer, rows) =>
        {
            for (ulong row = 0; row < rows; row++)
            {
                if (readers[0].IsValid(row) && readers[1].IsValid(row) && LineAt(readers[0].GetValue<string>(row), readers[1].GetValue<long>(row)) is { } line)
                {
                    writer.WriteValue(line, row);
                }
                else
                {
                    writer.WriteNull(row);
                }
            }
        }, new ScalarFunctionOptions { IsPureFunction = false });
#pragma warning restore DuckDBNET001
    }

    /// <summary>
    /// The line (from 1) that holds byte <paramref name="position"/> (from 1) of <paramref name="path"/>, decompressed
    /// when it ends in <c>.gz</c> or <c>.zst</c>; a line ends at LF, CR LF or a lone CR. Null when the file cannot be read now.
    /// </summary>
    public static long? LineAt(string path, long position)
    {
        long[] starts;
        try
        {
            starts = LineStarts(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The last line start at or before the byte (0-based position - 1).
        var index = Array.BinarySearch(starts, position - 1);
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    /// <summary>
    /// <paramref name="lines"/> lines of <paramref name="path"/> from byte <paramref name="position"/> (from 1), without
    /// the last line's end; UTF-8 where they are, else Latin-1. Null when the file cannot be read now.
    /// </summary>
    public static string? TextAt(string path, long position, long lines)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 12);
            using var stream = CsvCompression.Decompressed(path, file);
            if (stream.CanSeek)
            {
                stream.Seek(position - 1, SeekOrigin.Begin);
            }
            else
            {
                Skip(stream, position - 1);
            }

            var bytes = new List<byte>();
            var ends = 0L;
            int b;
            while ((b = stream.ReadByte()) >= 0 && bytes.Count < MaxTextBytes)
            {
                if (b == '\n' && ++ends == lines)
                {
                    break;
                }

                bytes.Add((byte)b);
            }

            var raw = bytes.ToArray().AsSpan().TrimEnd((byte)'\r');
            return System.Text.Unicode.Utf8.IsValid(raw) ? System.Text.Encoding.UTF8.GetString(raw) : System.Text.Encoding.Latin1.GetString(raw);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    // A rejected record's text is kept whole up to here (DuckDB's own line limit is 2 MB by default).
    private const int MaxTextBytes = 4 << 20;

    private static void Skip(Stream stream, long count)
    {
        var buffer = new byte[1 << 16];
        while (count > 0 && stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count)) is var read and > 0)
        {
            count -= read;
        }
    }

    private static long[] LineStarts(string path)
    {
        var info = new FileInfo(path);
        var key = (path, info.Length, info.LastWriteTimeUtc);
        lock (CacheLock)
        {
            if (Cache.TryGetValue(key, out var kept))
            {
                return kept;
            }
        }

        var starts = Scan(path);
        lock (CacheLock)
        {
            if (Cache.Count >= 4)
            {
                Cache.Clear();
            }

            Cache[key] = starts;
        }

        return starts;
    }

    // Every line's first byte offset (0-based): 0, then the byte after each LF, and after each CR not followed by LF.
    private static long[] Scan(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        using var stream = CsvCompression.Decompressed(path, file);
        var starts = new List<long> { 0 };
        var buffer = new byte[1 << 16];
        long offset = 0;
        var afterCr = false;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var i = 0;
            while (i < read)
            {
                if (afterCr)
                {
                    // A CR ended the line before this byte unless this byte is its LF.
                    afterCr = false;
                    if (buffer[i] != (byte)'\n')
                    {
                        starts.Add(offset + i);
                    }
                }

                var next = buffer.AsSpan(i, read - i).IndexOfAny((byte)'\n', (byte)'\r');
                if (next < 0)
                {
                    break;
                }

                i += next;
                if (buffer[i] == (byte)'\n')
                {
                    starts.Add(offset + i + 1);
                }
                else
                {
                    afterCr = true;
                }

                i++;
            }

            offset += read;
        }

        if (afterCr)
        {
            starts.Add(offset);
        }

        return [.. starts];
    }
}
