namespace ElectionMatch.Warehouse;

/// <summary>
/// Recognises an <c>external_location</c> written as one table function call (<c>read_csv('a.csv', header = true)</c>):
/// a name, then parentheses that close at the very end, and outside string literals no <c>;</c> and no comment.
/// Anything else could smuggle a second statement into the SQL the location is pasted into.
/// </summary>
internal static class TableFunctionCall
{
    public static bool IsSingleCall(string text)
    {
        var s = text.Trim();
        var name = 0;
        while (name < s.Length && (char.IsAsciiLetterOrDigit(s[name]) || s[name] is '_' or '.'))
        {
            name++;
        }

        if (name == 0 || !char.IsAsciiLetter(s[0]) && s[0] != '_')
        {
            return false;
        }

        var open = name;
        while (open < s.Length && char.IsWhiteSpace(s[open]))
        {
            open++;
        }

        if (open >= s.Length || s[open] != '(')
        {
            return false;
        }

        var depth = 0;
        char? quote = null;
        for (var i = open; i < s.Length; i++)
        {
            var c = s[i];
            if (quote is { } q)
            {
                // A doubled quote inside a literal is the quote itself; the next character toggles it back.
                if (c == q)
                {
                    quote = null;
                }

                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    if (depth == 0)
                    {
                        return i == s.Length - 1;
                    }

                    break;
                case ';':
                    return false;
                case '-' when i + 1 < s.Length && s[i + 1] == '-':
                    return false;
                case '/' when i + 1 < s.Length && s[i + 1] == '*':
                    return false;
            }
        }

        return false;
    }
}
