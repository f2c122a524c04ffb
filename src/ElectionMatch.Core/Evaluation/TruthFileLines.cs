using System.Text;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;

namespace ElectionMatch.Evaluation;

/// <summary>
/// Checks a truth file's lines before DuckDB reads it: a header naming one of the snapshot's id columns and not the other,
/// a line with more or fewer fields than the header, an unterminated quote, or a blank left or right id is EM0024 at that line. DuckDB's reader reports none of these by
/// line: a short line made its sniffer see one column, a long one made it read no pairs, and a blank id reached the
/// scoring as a null. The file is read as DuckDB is then told to read it (RFC 4180 quoting, the delimiter its header
/// uses). A file that is not UTF-8 is EM0024 at its first line that is not, saying so: DuckDB said only "CSV Error on
/// Line: N" of a Latin-1 byte, and "Error when sniffing file" of a UTF-16 file (Excel's "Unicode Text").
/// </summary>
internal static class TruthFileLines
{
    /// <param name="leftIdColumn">The snapshot's left id column: the header's column of that name holds the left id, when it also names <paramref name="rightIdColumn"/>.</param>
    /// <returns>
    /// The delimiter the file's header uses (the one it holds most often outside quotes; a comma by default) and the ids'
    /// places: the columns named as the snapshot's id columns wherever they are, else (a header naming neither) the first and the last.
    /// </returns>
    public static TruthLayout Check(string truthPath, string? leftIdColumn = null, string? rightIdColumn = null)
    {
        var display = DisplayPath.For(truthPath);
        CheckCompression(truthPath, display);
        CheckUtf8(truthPath, display);
        char delimiter;
        using (var first = CsvRecords.Open(truthPath))
        {
            delimiter = CsvRecords.Delimiter(first.ReadLine() ?? "");
        }

        using var reader = CsvRecords.Open(truthPath);

        IReadOnlyList<string>? header = null;
        var (left, right, byName) = (0, 0, false);
        foreach (var (line, fields) in CsvRecords.Read(reader, delimiter, start =>
            throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(display, start, 1), $"line {start} of the truth file opens a quote it never closes")))
        {
            if (header is null)
            {
                header = fields;
                if (header.Count < 2)
                {
                    throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(display, line, 1), TwoColumns(leftIdColumn, rightIdColumn));
                }

                if (TruthLayout.MissingIdColumn(header, leftIdColumn, rightIdColumn) is { } half)
                {
                    // Before, the first and last columns were taken as the ids, and a district file ending with the
                    // district's name scored 0: precision and recall alike, as if the matcher were broken.
                    var place = string.Equals(half.Missing, rightIdColumn, StringComparison.Ordinal) ? $"last column, '{header[^1].Trim()}'" : $"first column, '{header[0].Trim()}'";
                    throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(display, line, 1),
                        $"the truth file's header names {half.Named} but no {half.Missing} column (its columns: {string.Join(", ", header.Select(h => h.Trim()))}): "
                        + $"each true pair is read from its {leftIdColumn} and {rightIdColumn} columns, other columns being ignored; add a {half.Missing} column holding each pair's {half.Missing}: its {place}, is not read as one, since every pair would then be missed");
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

    // A .gz or .zst truth file is read as the inputs are: one cut short was scored on the pairs before the cut (a lower
    // recall, without a word) or said to be empty, and one compressed otherwise than its name says stopped with EM0504.
    private static void CheckCompression(string truthPath, string display)
    {
        var at = new SourceSpan(display, 1, 1);
        if (CsvCompression.Misnamed(truthPath) is { } misnamed)
        {
            throw DiagnosticException.At(Codes.InputUnreadable, at, $"the truth file {misnamed}");
        }

        if (!CsvCompression.IsWhole(truthPath))
        {
            throw DiagnosticException.At(Codes.InputUnreadable, at, CsvCompression.TrailingBytes(truthPath) is { } trailing ? $"the truth file {trailing}" :
                $"the truth file is not a whole {(truthPath.EndsWith(".gz", StringComparison.Ordinal) ? "gzip" : "zstd")} file (it stops before its end, or is damaged: a download or copy that stopped?), "
                + "and the pairs after the cut would go unscored; download or compress it again");
        }
    }

    /// <summary>
    /// The first line holding one of <paramref name="leftIds"/> as its left id, and the first holding one of
    /// <paramref name="rightIds"/> as its right id (ids as written, trimmed as IdText trims them); null when none does (an
    /// id written otherwise, <c>1402844.0</c>). The file has passed <see cref="Check"/>.
    /// </summary>
    public static ((string Id, int Line)? Left, (string Id, int Line)? Right) FirstLines(string truthPath, TruthLayout layout, IReadOnlySet<string> leftIds, IReadOnlySet<string> rightIds)
    {
        using var reader = CsvRecords.Open(truthPath);
        (string, int)? left = null, right = null;
        foreach (var (line, fields) in CsvRecords.Read(reader, layout.Delimiter, _ => { }).Skip(1).Where(f => f.Fields.Count > Math.Max(layout.Left, layout.Right)))
        {
            var (l, r) = (Matching.IdText.Trim(fields[layout.Left]), Matching.IdText.Trim(fields[layout.Right]));
            left ??= leftIds.Contains(l) ? (l, line) : null;
            right ??= rightIds.Contains(r) ? (r, line) : null;
            if (left is not null && right is not null)
            {
                break;
            }
        }

        return (left, right);
    }

    /// <summary>EM0024 at the first line whose bytes are not UTF-8, or at line 1 of a file with a UTF-16 byte order mark.</summary>
    private static void CheckUtf8(string truthPath, string display)
    {
        const string Save = "save it as UTF-8 (in Excel, \"CSV UTF-8\")";
        using var bytes = new MemoryStream();
        using (var file = CsvRecords.OpenBytes(truthPath))
        {
            file.CopyTo(bytes);
        }

        var data = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || data.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(display, 1, 1), $"the truth file is UTF-16 (it starts with a UTF-16 byte order mark, as Excel's \"Unicode Text\" does); {Save}");
        }

        try
        {
            // The strict decoder YAML files and CSV header lines are read with: its exception says where the bad byte is.
            _ = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetCharCount(data);
        }
        catch (DecoderFallbackException e)
        {
            var i = Math.Clamp(e.Index, 0, data.Length - 1);
            var before = data[..i];
            var (line, lineStart) = (1 + before.Count((byte)'\n'), before.LastIndexOf((byte)'\n') + 1);
            var character = Encoding.UTF8.GetCharCount(data[lineStart..i]) + 1;
            throw DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(display, line, character),
                $"line {line} of the truth file is not UTF-8: byte 0x{data[i]:X2} at its character {character} (a file saved as Latin-1 or Windows-1252); {Save}");
        }
    }

    /// <summary>What a truth file's header needs, in the match's column names when they are known.</summary>
    internal static string TwoColumns(string? leftIdColumn, string? rightIdColumn) =>
        $"a truth file needs at least two columns: {IdColumns(leftIdColumn, rightIdColumn)}";

    private static string IdColumns(string? leftIdColumn, string? rightIdColumn) =>
        leftIdColumn is null || rightIdColumn is null
            ? "the left id first and the right id last"
            : $"{leftIdColumn} and {rightIdColumn} in any place, other columns being ignored, or else the left id first and the right id last";
}
