using System.Text;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// DuckDB's <c>jaro_winkler_similarity(a, b)</c> in C#, to the bit: the same UTF-8 bytes compared, the same matching
/// window, the same order of floating-point operations, so a threshold decides the same pairs here as in SQL
/// (<c>JaroWinklerTests</c> compares the two on every pair of a few hundred names and their misspellings).
/// </summary>
/// <remarks>
/// DuckDB's function (its bundled jaro_winkler library) walks the second string and flags, for each of its bytes, the
/// first unflagged equal byte of the first string within the window of half the longer length less one; the
/// transpositions are the flagged bytes of the two strings that differ when read in order, halved; the Winkler boost
/// adds a tenth per shared leading byte (at most four) when the Jaro similarity is above 0.7. Two strings of one byte
/// are equal or not; an empty string has similarity 0.
/// </remarks>
internal static class JaroWinkler
{
    private const int MaxPrefix = 4;
    private const double PrefixWeight = 0.1;

    public static double Similarity(string first, string second)
    {
        Span<byte> a = first.Length <= 64 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(first.Length)] : new byte[Encoding.UTF8.GetByteCount(first)];
        Span<byte> b = second.Length <= 64 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(second.Length)] : new byte[Encoding.UTF8.GetByteCount(second)];
        return Similarity(a[..Encoding.UTF8.GetBytes(first, a)], b[..Encoding.UTF8.GetBytes(second, b)]);
    }

    /// <summary>The similarity of two UTF-8 texts, <paramref name="first"/> as DuckDB's first argument.</summary>
    public static double Similarity(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var prefix = 0;
        var maxPrefix = Math.Min(Math.Min(first.Length, second.Length), MaxPrefix);
        while (prefix < maxPrefix && first[prefix] == second[prefix])
        {
            prefix++;
        }

        var similarity = Jaro(first, second);
        if (similarity > 0.7)
        {
            similarity += prefix * PrefixWeight * (1.0 - similarity);
        }

        return similarity;
    }

    private static double Jaro(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        if (first.Length == 0 || second.Length == 0)
        {
            return 0;
        }

        if (first.Length == 1 && second.Length == 1)
        {
            return first[0] == second[0] ? 1 : 0;
        }

        var bound = (Math.Max(first.Length, second.Length) / 2) - 1;
        Span<bool> firstFlags = first.Length <= 256 ? stackalloc bool[first.Length] : new bool[first.Length];
        Span<bool> secondFlags = second.Length <= 256 ? stackalloc bool[second.Length] : new bool[second.Length];
        firstFlags.Clear();
        secondFlags.Clear();

        var common = 0;
        for (var j = 0; j < second.Length; j++)
        {
            var to = Math.Min(first.Length - 1, j + bound);
            for (var i = Math.Max(0, j - bound); i <= to; i++)
            {
                if (!firstFlags[i] && first[i] == second[j])
                {
                    firstFlags[i] = true;
                    secondFlags[j] = true;
                    common++;
                    break;
                }
            }
        }

        if (common == 0)
        {
            return 0;
        }

        var transpositions = 0;
        var next = 0;
        for (var j = 0; j < second.Length; j++)
        {
            if (!secondFlags[j])
            {
                continue;
            }

            while (!firstFlags[next])
            {
                next++;
            }

            if (first[next] != second[j])
            {
                transpositions++;
            }

            next++;
        }

        transpositions /= 2;
        double similarity = (double)common / first.Length;
        similarity += (double)common / second.Length;
        similarity += ((double)common - transpositions) / common;
        return similarity / 3.0;
    }
}
