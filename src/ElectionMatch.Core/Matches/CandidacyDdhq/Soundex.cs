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

    /// <summary>The code of a word of a to z only, or null for any other word (the empty word among them).</summary>
    public static string? Of(string word)
    {
        if (word.Length == 0)
        {
            return null;
        }

        foreach (var c in word)
        {
            if (c is < 'a' or > 'z')
            {
                return null;
            }
        }

        // The first letter in upper case, then three digits padded with zeros.
        Span<char> code = [(char)(word[0] - 32), '0', '0', '0'];
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

        return new string(code);
    }
}
