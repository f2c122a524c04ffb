using ElectionMatch.Diagnostics;

namespace ElectionMatch.Matching;

/// <summary>The line endings of a text file: where a file whose lines end one way (LF, CR LF or CR) first ends one otherwise.</summary>
internal static class LineEndings
{
    /// <param name="Line">The line, counted from 1 as an editor counts them.</param>
    /// <param name="Ending">How it ends: <c>LF</c>, <c>CR LF</c> or <c>CR</c>.</param>
    /// <param name="Before">How the lines before it end.</param>
    public sealed record Mixed(int Line, string Ending, string Before);

    /// <summary>
    /// The first line whose ending differs from the first line's, or null when all end alike. A line break inside a
    /// double-quoted field is part of the value, not an ending (RFC 4180; a doubled quote toggles twice), though it
    /// still starts a line an editor shows.
    /// </summary>
    public static Mixed? FirstMixed(string path)
    {
        using var file = new BufferedStream(CsvRecords.OpenBytes(path), 1 << 16);
        string? first = null;
        var line = 1;
        var quoted = false;
        var afterCr = false;
        int b;
        while ((b = file.ReadByte()) >= 0)
        {
            if (afterCr)
            {
                afterCr = false;
                var ending = b == '\n' ? "CR LF" : "CR";
                if (Differs(ref first, ending))
                {
                    return new Mixed(line, ending, first!);
                }

                line++;
                if (b == '\n')
                {
                    continue;
                }
            }

            if (b == '"')
            {
                quoted = !quoted;
            }
            else if (quoted && b == '\n')
            {
                line++;
            }
            else if (!quoted && b == '\r')
            {
                afterCr = true;
            }
            else if (!quoted && b == '\n')
            {
                if (Differs(ref first, "LF"))
                {
                    return new Mixed(line, "LF", first!);
                }

                line++;
            }
        }

        return afterCr && Differs(ref first, "CR") ? new Mixed(line, "CR", first!) : null;
    }

    /// <summary>
    /// The error to give for a CSV input DuckDB could not read when one of its files ends its lines two ways, at that
    /// file's first line ending otherwise; null when none does. DuckDB's sniffer takes one line ending per file and says
    /// only that it found no dialect, and a glob's reader that its state machine reached an invalid state.
    /// </summary>
    public static DiagnosticException? MixedIn(InputRelation input)
    {
        if (input.Csv is not { } csv || csv.Files.Select(f => (File: f, Mixed: FirstMixed(f))).FirstOrDefault(f => f.Mixed is not null) is not { Mixed: { } mixed } file)
        {
            return null;
        }

        var where = csv.IsGlob ? $"{csv.DisplayOf(file.File)} line" : "line";
        return DiagnosticException.At(Codes.InputUnreadable, new SourceSpan(csv.DisplayOf(file.File), mixed.Line, 1),
            $"cannot read {input.Description}: {where} {mixed.Line} ends with {mixed.Ending} and the lines before it with {mixed.Before}; " +
            "DuckDB's CSV reader takes one kind of line ending per file (rows added from another system often bring their own): save the file with one kind");
    }

    // The first ending sets the file's kind; a later one differs from it.
    private static bool Differs(ref string? first, string ending)
    {
        first ??= ending;
        return first != ending;
    }
}
