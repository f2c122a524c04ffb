using System.Text;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Evaluation;

/// <summary>
/// Checks a truth file's lines before DuckDB reads it: a line with more or fewer fields than the header, an
/// unterminated quote, or a blank left or right id is EM0024 at that line. DuckDB's reader reports none of these by
/// line: a short line made its sniffer see one column, a long one made it read no pairs, and a blank id reached the
/// scoring as a null. The file is read as DuckDB is then told to read it (RFC 4180 quoting, the delimiter its header
/// uses); bytes that are not UTF-8 are left for DuckDB, which names their line.
/// </summary>
/// <remarks>
/// Written here rather than with the framework's <c>TextFieldParser</c>, which skips blank lines without counting them
/// toward a record's line and so cannot say on which line a bad record starts.
/// </remarks>
internal static class TruthFileLines
{
    private static readonly char[] Delimiters = [',', ';', '\t', '|'];

    /// <param name="leftIdColumn">The snapshot's left id column: the header's column of that name holds the left id, when it also names <paramref name="rightIdColumn"/>.</param>
    /// <returns>
    /// The delimiter the file's header uses (the one it holds most often outside quotes; a comma by default) and the ids'
    /// places: the columns named as the snapshot's id columns wherever they are, else the first and the last.
    /// </returns>
    public static TruthLayout Check(string truthPath, string? leftIdColumn = null, string? rightIdColumn = null)
    {
        var display = DisplayPath.For(truthPath);
        char delimiter;
        using (var first = Open(truthPath))
        {
            delimiter = Delimiter(first.ReadLine() ?? "");
        }

        using var reader = Open(truthPath);

        IReadOnlyList<string>? header = null;
        var (left, right, byName) = (0, 0, false);
        foreach (var (line, fields) in Records(reader, display, delimiter))
        {
            if (header is null)
            {
                header = fields;
                if (header.Count < 2)
                {
                    throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(display, line, 1), TwoColumns(leftIdColumn, rightIdColumn));
                }

                (left, right, byName) = TruthLayout.Locate(header, leftIdColumn, rightIdColumn);
                continue;
            }

            var at = new SourceSpan(display, line, 1);
            if (fields.Count != header.Count)
            {
                throw DiagnosticException.At(Codes.InputUnreadable, at,
                    $"line {line} of the truth file has {fields.Count} {(fields.Count == 1 ? "field" : "fields")} where the header has {header.Count} ({string.Join(", ", header)}); every line is one true pair with a value for each column");
            }

            foreach (var (index, role) in new[] { (left, "left id"), (right, "right id") })
            {
                if (string.IsNullOrWhiteSpace(fields[index]))
                {
                    throw DiagnosticException.At(Codes.InputUnreadable, at,
                        $"line {line} of the truth file has a blank {role} (column '{header[index]}', field {index + 1}); every line is one true pair and needs both ids");
                }
            }
        }

        // Before, an empty file passed here and DuckDB read it as one column: "needs at least two columns".
        return header is null
            ? throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(display, 1, 1), $"the truth file is empty: it needs a header of at least two columns ({IdColumns(leftIdColumn, rightIdColumn)}) and one line per true pair")
            : new TruthLayout(delimiter, header, left, right, byName);
    }

    /// <summary>What a truth file's header needs, in the match's column names when they are known.</summary>
    internal static string TwoColumns(string? leftIdColumn, string? rightIdColumn) =>
        $"a truth file needs at least two columns: {IdColumns(leftIdColumn, rightIdColumn)}";

    private static string IdColumns(string? leftIdColumn, string? rightIdColumn) =>
        leftIdColumn is null || rightIdColumn is null
            ? "the left id first and the right id last"
            : $"{leftIdColumn} and {rightIdColumn} in any place, other columns being ignored, or else the left id first and the right id last";

    private static StreamReader Open(string truthPath)
    {
        var file = File.OpenRead(truthPath);
        Stream stream = truthPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : file;
        return new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true);
    }

    private static char Delimiter(string header)
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
    private static IEnumerable<(int Line, List<string> Fields)> Records(StreamReader reader, string display, char delimiter)
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
            throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(display, start, 1), $"line {start} of the truth file opens a quote it never closes");
        }

        if (fields.Count > 0 || field.Length > 0 || wasQuoted)
        {
            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }
}
