using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>
/// The files a model's SQL names itself, not through a <c>source()</c>: the path of a <c>read_csv('…')</c> or
/// <c>read_csv_auto('…')</c> call, each path of a list of them (<c>read_csv(['a.csv', 'b.csv'])</c>, or
/// <c>list_value('a.csv', 'b.csv')</c> as DuckDB writes a view's list back), and a quoted path after <c>from</c> or
/// <c>join</c>, which DuckDB's replacement scan reads as a file (<c>from 'data/results.csv.gz'</c>). SQL comments and
/// Jinja are skipped: a path written with Jinja (<c>'{{ var("dir") }}/x.csv'</c>) is known only once dbt rendered it,
/// as in a view dbt built; the warehouse's SQL of such a view is read the same way.
/// </summary>
internal static class ModelFileReads
{
    private static readonly string[] Readers = ["read_csv", "read_csv_auto"];

    /// <summary>The reads in <paramref name="sql"/>, in the order written, each at its call's (or its <c>from</c>'s) line.</summary>
    public static IReadOnlyList<FileRead> In(string sql, string displayPath)
    {
        var tokens = Tokens(sql);
        var lineStarts = TextLines.Starts(sql);
        var reads = new List<FileRead>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind != TokenKind.Word)
            {
                continue;
            }

            var word = token.Text.ToLowerInvariant();
            var at = At(displayPath, lineStarts, token.Offset);
            if (Readers.Contains(word) && Next(tokens, i + 1, "("))
            {
                // The first argument: a path, a list of paths, or anything else (not known here).
                var paths = Paths(tokens, i + 2);
                reads.AddRange(paths.Count == 0 ? [new FileRead(null, at)] : paths.Select(p => new FileRead(p, at)));
            }
            else if (word is "from" or "join" && i + 1 < tokens.Count && tokens[i + 1].Kind is TokenKind.String or TokenKind.QuotedName)
            {
                // A quoted name read as a file only when it looks like one: "my table" is a table.
                var name = tokens[i + 1];
                if (name.Kind == TokenKind.String || name.Text.Contains('.', StringComparison.Ordinal))
                {
                    reads.Add(new FileRead(name.Jinja ? null : name.Text, at));
                }
            }
        }

        return reads;
    }

    // The paths of the argument at tokens[start]: a literal, or a list ([…] or list_value(…)) of them; literals written
    // with Jinja are not known, so not given.
    private static List<string> Paths(List<Token> tokens, int start)
    {
        if (start >= tokens.Count)
        {
            return [];
        }

        if (tokens[start].Kind == TokenKind.String)
        {
            return tokens[start].Jinja ? [] : [tokens[start].Text];
        }

        var open = tokens[start].Text == "[" ? start
            : tokens[start].Kind == TokenKind.Word && start + 3 < tokens.Count
              && (tokens[start].Text.Equals("list_value", StringComparison.OrdinalIgnoreCase)
                  || (tokens[start].Text.Equals("main", StringComparison.OrdinalIgnoreCase) && tokens[start + 1].Text == "." && tokens[start + 2].Text.Equals("list_value", StringComparison.OrdinalIgnoreCase)))
              ? tokens.FindIndex(start, t => t.Text == "(") : -1;
        if (open < 0)
        {
            return [];
        }

        var close = tokens[open].Text == "[" ? "]" : ")";
        var paths = new List<string>();
        for (var j = open + 1; j < tokens.Count && tokens[j].Text != close; j++)
        {
            // Only an element that is a literal alone ('a.csv' || x is an expression).
            var after = j + 1 < tokens.Count ? tokens[j + 1].Text : "";
            if (tokens[j] is { Kind: TokenKind.String, Jinja: false } && tokens[j - 1].Text is "," or "[" or "(" && (after == "," || after == close))
            {
                paths.Add(tokens[j].Text);
            }
        }

        return paths;
    }

    private static bool Next(List<Token> tokens, int i, string text) => i < tokens.Count && tokens[i].Kind == TokenKind.Symbol && tokens[i].Text == text;

    private static SourceSpan At(string displayPath, List<int> lineStarts, int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        line = line >= 0 ? line : ~line - 1;
        return new SourceSpan(displayPath, line + 1, offset - lineStarts[line] + 1);
    }

    private enum TokenKind { Word, String, QuotedName, Symbol }

    // Jinja: the token holds text Jinja renders ({{ … }}), so its value is not the one DuckDB reads.
    private sealed record Token(TokenKind Kind, string Text, int Offset, bool Jinja);

    // SQL's tokens with comments (--, /* */, {# #}) left out and each Jinja tag ({{ }}, {% %}) a symbol of its own,
    // except inside a quoted string, whose token is then marked as holding Jinja.
    private static List<Token> Tokens(string sql)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (Starts(sql, i, "--"))
            {
                i = End(sql, i, "\n");
            }
            else if (Starts(sql, i, "/*"))
            {
                i = End(sql, i + 2, "*/");
            }
            else if (Starts(sql, i, "{#"))
            {
                i = End(sql, i + 2, "#}");
            }
            else if (Starts(sql, i, "{{") || Starts(sql, i, "{%"))
            {
                var end = End(sql, i + 2, sql[i + 1] == '{' ? "}}" : "%}");
                tokens.Add(new Token(TokenKind.Symbol, "{{", i, true));
                i = end;
            }
            else if (c is '\'' or '"')
            {
                var text = new System.Text.StringBuilder();
                var start = i++;
                var jinja = false;
                while (i < sql.Length)
                {
                    if (sql[i] == c && i + 1 < sql.Length && sql[i + 1] == c)
                    {
                        text.Append(c);
                        i += 2;
                    }
                    else if (sql[i] == c)
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        jinja |= Starts(sql, i, "{{") || Starts(sql, i, "{%");
                        text.Append(sql[i++]);
                    }
                }

                tokens.Add(new Token(c == '\'' ? TokenKind.String : TokenKind.QuotedName, text.ToString(), start, jinja));
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Word, sql[start..i], start, false));
            }
            else
            {
                tokens.Add(new Token(TokenKind.Symbol, c.ToString(), i++, false));
            }
        }

        return tokens;
    }

    private static bool Starts(string sql, int i, string text) => string.CompareOrdinal(sql, i, text, 0, text.Length) == 0;

    // The index after the first `close` from i, or the text's end.
    private static int End(string sql, int i, string close)
    {
        var at = sql.IndexOf(close, i, StringComparison.Ordinal);
        return at < 0 ? sql.Length : at + close.Length;
    }
}
