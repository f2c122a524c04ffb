using System.Text;
using DuckDB.NET.Data;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// A results row's one-field ballot name (<c>ROBERT C. "BOBBY" SCOTT</c>, <c>Scott, Robert C.</c>, <c>J. Smith Jr.</c>)
/// parsed in C# exactly as the <c>em_*</c> SQL macros of <see cref="CandidacyDdhqCleaning"/> parse it, for the names
/// that are plain ASCII. The SQL stays the reference and parses every other name: lower case, accents and Unicode
/// letters are DuckDB's to fold, and a C# copy of them could differ on a rare character.
/// </summary>
/// <remarks>
/// Measured at 722,145 results rows (100k synthetic set, CPU time): the SQL parse about 2 µs a row; this one, called
/// as a DuckDB scalar function, about 1 µs, nearly half of it writing the result through DuckDB.NET's vector writer.
/// </remarks>
internal static class BallotName
{
    /// <summary>The DuckDB scalar function <c>em_ballot_name(varchar) → varchar</c>: <see cref="Encode"/>.</summary>
    public const string Function = "em_ballot_name";

    /// <summary>Separates the fields of <see cref="Encode"/>'s result; a control character, which quarantine never lets through.</summary>
    public const char FieldSeparator = '\u001f';

    /// <summary>Stands for a null field.</summary>
    public const char Null = '\u001e';

    private static readonly string[] Suffixes = ["jr", "sr", "ii", "iii", "iv", "v", "md", "phd", "esq"];

    private static readonly string[] Particles = ["van", "von", "der", "den", "de", "del", "della", "la", "le", "di", "da", "du", "dos", "das", "st", "ten", "ter", "bin", "al"];

    /// <summary>
    /// The parse as one string: first name, last name, the rest after the first name, middle name, suffix, nickname
    /// and the surname's words (<see cref="SurnameWords"/>), separated by <see cref="FieldSeparator"/>, a null as
    /// <see cref="Null"/>; or null when the name is not plain ASCII (the SQL parses it).
    /// </summary>
    public static string? Encode(string candidate)
    {
        foreach (var c in candidate)
        {
            if (c > '\u007f')
            {
                return null;
            }
        }

        return EncodePlain(candidate) ?? EncodeParsed(candidate);
    }

    /// <summary><see cref="Encode"/> through <see cref="Parse"/>, for any ASCII name.</summary>
    internal static string EncodeParsed(string candidate)
    {
        var p = Parse(candidate);
        var text = new StringBuilder(candidate.Length * 2 + 8);
        Append(text, p.First).Append(FieldSeparator);
        Append(text, p.Last).Append(FieldSeparator);
        Append(text, p.Rest).Append(FieldSeparator);
        Append(text, p.Middle).Append(FieldSeparator);
        Append(text, p.Suffix).Append(FieldSeparator);
        Append(text, p.Nickname).Append(FieldSeparator);
        Append(text, SurnameWords(p.Rest, p.Last));
        return text.ToString();
    }

    /// <summary>
    /// The text right_clean splits on spaces into <c>surname_words</c>, as <see cref="CandidacyDdhqCleaning.SurnameWordsSql"/>
    /// builds it from the rest after the first name and the last name: the rest itself when it is one word without a
    /// hyphen and the last name; else the rest with hyphens as spaces, then the rest and the last name each joined
    /// (spaces and hyphens dropped). Null when that is empty, which right_clean reads as no words.
    /// </summary>
    internal static string? SurnameWords(string rest, string? last)
    {
        if (rest == last && rest.Length > 0 && !rest.Contains(' ') && !rest.Contains('-'))
        {
            return rest;
        }

        // concat_ws(' ', ...) skips a null last name; trim drops the spaces at the ends.
        var words = (rest.Replace('-', ' ') + " " + Joined(rest) + (last is null ? "" : " " + Joined(last))).Trim(' ');
        return words.Length == 0 ? null : words;
    }

    // em_join: spaces and hyphens dropped.
    private static string Joined(string s) => s.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);

    /// <summary>Registers <see cref="Function"/> in the warehouse, once: an incremental run matches many partitions on one connection.</summary>
    public static void Register(DuckDbWarehouse warehouse) => TextFunction.Register(warehouse, Function, Encode);

    /// <summary>
    /// <see cref="Encode"/> for a name of ASCII letters, spaces, full stops and apostrophes after a letter only (92 % of
    /// the results names of the synthetic sets), with one allocation: such a name has no quote, comma or hyphen, so <see cref="Norm"/>
    /// leaves its letters lower-cased in runs separated by single spaces, and every field is a slice of that text.
    /// Null for any other name, which <see cref="Parse"/> takes.
    /// </summary>
    /// <remarks>Measured on the 722,145 results names of the 100k set: 0.76 µs a name through <see cref="Parse"/>.</remarks>
    internal static string? EncodePlain(string candidate)
    {
        const int MaxTokens = 16;
        if (candidate.Length > 256)
        {
            return null;
        }

        Span<char> norm = stackalloc char[candidate.Length];
        Span<int> starts = stackalloc int[MaxTokens];
        Span<int> ends = stackalloc int[MaxTokens];
        var length = 0;
        var count = 0;
        var inToken = false;
        var previousIsLetter = false;
        foreach (var raw in candidate)
        {
            if (raw is >= 'a' and <= 'z' or >= 'A' and <= 'Z')
            {
                if (!inToken)
                {
                    if (count == MaxTokens)
                    {
                        return null;
                    }

                    if (count > 0)
                    {
                        norm[length++] = ' ';
                    }

                    starts[count] = length;
                    inToken = true;
                    count++;
                }

                norm[length++] = (char)(raw | 0x20);
                ends[count - 1] = length;
            }
            else if (raw == ' ')
            {
                inToken = false;
            }
            else if (raw == '\'' ? !previousIsLetter : raw != '.')
            {
                // An apostrophe after no letter may open a single-quoted nickname ('Gene' Green), which Parse takes.
                return null;
            }

            previousIsLetter = raw is >= 'a' and <= 'z' or >= 'A' and <= 'Z';
        }

        if (count == 0)
        {
            return null;
        }

        // em_strip_suffix, em_suffix: a last word that is a suffix, when there are two words or more.
        var n = count;
        var hasSuffix = n > 1 && IsOneOf(norm[starts[n - 1]..ends[n - 1]], Suffixes);
        if (hasSuffix)
        {
            n--;
        }

        // em_surname_start (1-based, as in SQL), on the words left.
        int? start = null;
        if (n > 1)
        {
            start = n >= 4 && IsOneOf(norm[starts[n - 3]..ends[n - 3]], Particles) && IsOneOf(norm[starts[n - 2]..ends[n - 2]], Particles) ? n - 2
                : n >= 3 && IsOneOf(norm[starts[n - 2]..ends[n - 2]], Particles) ? n - 1
                : n;
        }

        Span<char> text = stackalloc char[length * 8 + 16];
        var at = 0;
        Put(text, ref at, norm[starts[0]..ends[0]]);
        text[at++] = FieldSeparator;
        if (start is { } s)
        {
            Put(text, ref at, norm[starts[s - 1]..ends[n - 1]]);
        }
        else
        {
            text[at++] = Null;
        }

        text[at++] = FieldSeparator;
        if (n > 1)
        {
            Put(text, ref at, norm[starts[1]..ends[n - 1]]);
        }

        text[at++] = FieldSeparator;
        if (start is { } m && m - 1 >= 2)
        {
            Put(text, ref at, norm[starts[1]..ends[m - 2]]);
        }
        else
        {
            text[at++] = Null;
        }

        text[at++] = FieldSeparator;
        if (hasSuffix)
        {
            Put(text, ref at, norm[starts[count - 1]..ends[count - 1]]);
        }
        else
        {
            text[at++] = Null;
        }

        text[at++] = FieldSeparator;
        text[at++] = Null;

        // The surname's words (SurnameWords) from slices: a plain name has no hyphen, its rest and last name are runs of
        // words, and a last name exists exactly when there are two words or more.
        text[at++] = FieldSeparator;
        if (start is not { } first)
        {
            text[at++] = Null;
        }
        else if (first == 2 && n == 2)
        {
            Put(text, ref at, norm[starts[1]..ends[1]]);
        }
        else
        {
            Put(text, ref at, norm[starts[1]..ends[n - 1]]);
            text[at++] = ' ';
            PutJoined(text, ref at, norm[starts[1]..ends[n - 1]]);
            text[at++] = ' ';
            PutJoined(text, ref at, norm[starts[first - 1]..ends[n - 1]]);
        }

        return new string(text[..at]);
    }

    private static void Put(Span<char> text, ref int at, ReadOnlySpan<char> value)
    {
        value.CopyTo(text[at..]);
        at += value.Length;
    }

    private static void PutJoined(Span<char> text, ref int at, ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c != ' ')
            {
                text[at++] = c;
            }
        }
    }

    private static bool IsOneOf(ReadOnlySpan<char> word, string[] words)
    {
        foreach (var w in words)
        {
            if (word.SequenceEqual(w))
            {
                return true;
            }
        }

        return false;
    }

    private static StringBuilder Append(StringBuilder text, string? value) => value is null ? text.Append(Null) : text.Append(value);

    /// <summary>The parsed parts of an ASCII ballot name; see <see cref="CandidacyDdhqCleaning.RightCleanSql"/> for each step.</summary>
    internal static Parts Parse(string candidate)
    {
        // em_unquoted, em_quoted: a quoted or bracketed part is a nickname and is not part of the name.
        var hasQuote = candidate.AsSpan().IndexOfAny('"', '(', '\'') >= 0;
        var bare = hasQuote ? Unquoted(candidate) : candidate;
        var nickname = hasQuote ? Norm(Quoted(candidate)) : null;

        // "Scott, Robert C." is reordered; "John Smith, Jr." only loses its comma.
        string ordered;
        var comma = bare.IndexOf(',', StringComparison.Ordinal);
        if (comma >= 0 && Norm(SplitPart(bare, ',', 2)) is { } second && !Suffixes.Contains(second))
        {
            ordered = SplitPart(bare, ',', 2) + " " + SplitPart(bare, ',', 1);
        }
        else
        {
            ordered = bare.Replace(',', ' ');
        }

        var all = Norm(ordered)?.Split(' ') ?? [];
        var stripped = all.Length > 1 && Suffixes.Contains(all[^1]) ? all[..^1] : all;
        var suffix = all.Length > 1 && Suffixes.Contains(all[^1]) ? all[^1] : null;

        // A ballot name can be only a quoted nickname and a surname: "MIKE" JOHNSON.
        var tokens = stripped.Length == 1 && nickname is not null ? [.. nickname.Split(' '), .. stripped] : stripped;

        // Surname particles belong to the surname: Ana De La Cruz, Kevin Van Der Berg (1-based, as in SQL).
        int? surnameStart = tokens.Length > 1 ? SurnameStart(tokens) : null;
        return new Parts(
            tokens.Length > 0 ? tokens[0] : null,
            surnameStart is { } start ? string.Join(' ', tokens[(start - 1)..]) : null,
            tokens.Length > 1 ? string.Join(' ', tokens[1..]) : "",
            surnameStart is { } end && end - 1 >= 2 ? string.Join(' ', tokens[1..(end - 1)]) is { Length: > 0 } middle ? middle : null : null,
            suffix,
            nickname);
    }

    internal sealed record Parts(string? First, string? Last, string Rest, string? Middle, string? Suffix, string? Nickname);

    private static int SurnameStart(string[] t)
    {
        var n = t.Length;
        if (n >= 4 && Particles.Contains(t[n - 3]) && Particles.Contains(t[n - 2]))
        {
            return n - 2;
        }

        return n >= 3 && Particles.Contains(t[n - 2]) ? n - 1 : n;
    }

    // regexp_replace(s, '["“(][^"”)]*["”)]|\B[''‘][^''‘’]+[''’]\B', ' ', 'g') on ASCII text: from the left, each quoted part
    // (SingleQuoted, or an opener up to the first closer) becomes one space.
    private static string Unquoted(string s)
    {
        var text = new StringBuilder(s.Length);
        var i = 0;
        while (i < s.Length)
        {
            var length = s[i] is '"' or '(' ? s.AsSpan(i + 1).IndexOfAny('"', ')') : SingleQuoted(s, i);
            if (length >= 0)
            {
                text.Append(' ');
                i += length + 2;
                continue;
            }

            text.Append(s[i]);
            i++;
        }

        return text.ToString();
    }

    // regexp_extract of em_quoted on ASCII text: the first opener followed by at least one non-closer and a closer.
    private static string Quoted(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var length = s[i] is '"' or '(' ? s.AsSpan(i + 1).IndexOfAny('"', ')') : SingleQuoted(s, i);
            if (length > 0)
            {
                return s.Substring(i + 1, length);
            }
        }

        return "";
    }

    // \B'([^']+)'\B at i on ASCII text: the length of the quoted text when a single quote opens there (no word character
    // before it), its next single quote closes (no word character after it) and something stands between; else -1.
    private static int SingleQuoted(string s, int i)
    {
        if (s[i] != '\'' || (i > 0 && IsWordCharacter(s[i - 1])))
        {
            return -1;
        }

        var length = s.AsSpan(i + 1).IndexOf('\'');
        var after = i + length + 2;
        return length > 0 && (after == s.Length || !IsWordCharacter(s[after])) ? length : -1;
    }

    // RE2's \w, which \b and \B are defined by: ASCII letters, digits and _.
    private static bool IsWordCharacter(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_';

    // split_part(s, separator, n): the n-th field, or '' past the last.
    private static string SplitPart(string s, char separator, int n)
    {
        var fields = s.Split(separator);
        return n <= fields.Length ? fields[n - 1] : "";
    }

    // em_norm on ASCII text: lower case; apostrophes and full stops dropped; anything but a-z, whitespace and hyphens a
    // space; a run of whitespace and hyphens holding a hyphen one hyphen, any other run of whitespace one space;
    // spaces and hyphens trimmed at the ends; empty is null. RE2's \s is [\t\n\f\r ].
    internal static string? Norm(string s)
    {
        var folded = new StringBuilder(s.Length);
        foreach (var raw in s)
        {
            var c = raw is >= 'A' and <= 'Z' ? (char)(raw + 32) : raw;
            if (c is '\'' or '.')
            {
                continue;
            }

            folded.Append(c is >= 'a' and <= 'z' or '-' || IsSpace(c) ? c : ' ');
        }

        var text = new StringBuilder(folded.Length);
        var i = 0;
        while (i < folded.Length)
        {
            if (folded[i] == '-' || IsSpace(folded[i]))
            {
                var hyphen = false;
                while (i < folded.Length && (folded[i] == '-' || IsSpace(folded[i])))
                {
                    hyphen |= folded[i] == '-';
                    i++;
                }

                text.Append(hyphen ? '-' : ' ');
                continue;
            }

            text.Append(folded[i]);
            i++;
        }

        var result = text.ToString().Trim(' ', '-');
        return result.Length == 0 ? null : result;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';
}
