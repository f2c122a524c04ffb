namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// The Soundex code of a surname word of lower-case ASCII letters in C#, the steps of the <c>em_soundex</c> macro:
/// letters to digits (h and w dropped, vowels and y zero), runs of one digit made one, the first letter's digit dropped
/// unless that letter was h or w, zeros dropped, three digits padded with zeros, after the first letter in upper case.
/// The macro's six global regular expressions cost about 7 µs a word (5 CPU-s over the 730,277 distinct surname words
/// of the million-candidacy set); this is a scan. Any other word gets null here; <c>SoundsAlike</c> codes it as itself.
/// The macro is the reference (<c>SoundexTests</c> compares the two).
/// </summary>
internal static class Soundex
{
    // The digit of each letter a to z; '-' for h and w, which the macro's translate drops.
    private const string Digits = "0123012-02245501262301-202";

    /// <summary>How many <see cref="Code"/> values there are: a letter and three digits 0 to 6, as the number letter·1000 + digits.</summary>
    public const int Codes = 26 * 1000;

    /// <summary>The code of a word of a to z only, or null for any other word (the empty word among them).</summary>
    public static string? Of(string word)
    {
        Span<char> code = stackalloc char[4];
        return TryWrite(word, code) ? new string(code) : null;
    }

    /// <summary>
    /// The code of <see cref="Of"/> as a number below <see cref="Codes"/> (the letter's place in the alphabet times 1000,
    /// plus the three digits read as a number), or -1 where <see cref="Of"/> gives null: two words have the same number
    /// exactly when they have the same code, and a word needs neither a string nor a lookup to get it.
    /// </summary>
    public static int Code(ReadOnlySpan<char> word)
    {
        Span<char> code = stackalloc char[4];
        return TryWrite(word, code) ? ((code[0] - 'A') * 1000) + ((code[1] - '0') * 100) + ((code[2] - '0') * 10) + (code[3] - '0') : -1;
    }

    private static bool TryWrite(ReadOnlySpan<char> word, Span<char> code)
    {
        if (word.IsEmpty)
        {
            return false;
        }

        foreach (var c in word)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        // The first letter in upper case, then three digits padded with zeros.
        code[0] = (char)(word[0] - 32);
        code[1..].Fill('0');
        var length = 1;
        var previous = '\0';
        var skipFirst = word[0] is not ('h' or 'w');
        foreach (var c in word)
        {
            var digit = Digits[c - 'a'];
            if (digit == '-')
            {
                continue;
            }

            // A run of one digit 1-6 is one digit, even across a dropped h or w (the macro collapses after translate).
            if (digit == previous && digit != '0')
            {
                continue;
            }

            previous = digit;
            if (skipFirst)
            {
                skipFirst = false;
                continue;
            }

            if (digit != '0' && length < 4)
            {
                code[length++] = digit;
            }
        }

        return true;
    }
}
