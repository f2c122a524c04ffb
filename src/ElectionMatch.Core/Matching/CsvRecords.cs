using System.Text;

namespace ElectionMatch.Matching;

/// <summary>
/// A CSV file's records, each with the line it starts on, read as DuckDB is told to read one (RFC 4180 quoting, a
/// given delimiter): for the checks that name a line DuckDB's reader cannot (a truth file's short line, a ragged line
/// that made DuckDB's sniffer read one column).
/// </summary>
/// <remarks>
/// Written here rather than with the framework's <c>TextFieldParser</c>, which skips blank lines without counting them
/// toward a record's line and so cannot say on which line a bad record starts.
/// </remarks>
internal static class CsvRecords
{
    private static readonly char[] Delimiters = [',', ';', '\t', '|'];

    /// <summary>A CSV file (decompressed when its name ends in .gz or .zst) as UTF-8 text, a byte-order mark honoured; bytes that are not UTF-8 read as U+FFFD.</summary>
    public static StreamReader Open(string path) =>
        new(OpenBytes(path), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);

    /// <summary>A CSV file's bytes, decompressed when its name ends in .gz or .zst (<see cref="CsvCompression"/>).</summary>
    public static Stream OpenBytes(string path) => CsvCompression.Decompressed(path, File.OpenRead(path));

    /// <summary>The delimiter a header line uses: the one of , ; tab | it holds most often outside quotes, a comma when none.</summary>
    public static char Delimiter(string header)
    {
        var counts = new int[Delimiters.Length];
        var quoted = false;
        foreach (var c in header)
        {
            quoted ^= c == '"';
            var index = Array.IndexOf(Delimiters, c);
            if (!quoted && index >= 0)
            {
                counts[index]++;
            }
        }

        var most = counts.Max();
        return most == 0 ? ',' : Delimiters[Array.IndexOf(counts, most)];
    }

    /// <summary>Each record with the line it starts on and its fields unquoted; an empty line is no record, as for DuckDB.</summary>
    /// <param name="unclosedQuote">Called with the line of the last record when the file ends inside its quote (that record is not returned).</param>
    public static IEnumerable<(int Line, List<string> Fields)> Read(StreamReader reader, char delimiter, Action<int> unclosedQuote)
    {
        var line = 1;
        var start = 1;
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (quoted)
            {
                if (c == '"' && reader.Peek() == '"')
                {
                    field.Append('"');
                    reader.Read();
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append((char)c);
                }
            }
            else if (c == '"' && field.Length == 0 && !wasQuoted)
            {
                quoted = wasQuoted = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                wasQuoted = false;
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                if (fields.Count > 0 || field.Length > 0 || wasQuoted)
                {
                    fields.Add(field.ToString());
                    yield return (start, fields);
                }

                fields = [];
                field.Clear();
                wasQuoted = false;
                line++;
                start = line;
            }
            else
            {
                field.Append((char)c);
            }
        }

        if (quoted)
        {
            unclosedQuote(start);
            yield break;
        }

        if (fields.Count > 0 || field.Length > 0 || wasQuoted)
        {
            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }
}
