namespace ElectionMatch.Diagnostics;

/// <summary>Where two versions of a text file part: the line a "was edited" diagnostic points at.</summary>
internal static class TextLines
{
    /// <summary>The 1-based number of the first line that differs, or the shorter text's last line when one is a prefix of the other.</summary>
    public static int FirstDifferent(string actual, string expected)
    {
        var a = actual.Split('\n');
        var b = expected.Split('\n');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                return i + 1;
            }
        }

        return Math.Min(a.Length, b.Length);
    }
}
