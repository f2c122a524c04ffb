namespace ElectionMatch.Diagnostics;

/// <summary>Lines of a text: where each starts, and where two versions part (the line a "was edited" diagnostic points at).</summary>
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

    /// <summary>The 1-based line holding <paramref name="needle"/>, or 1.</summary>
    public static int Of(string text, string needle)
    {
        var index = text.IndexOf(needle, StringComparison.Ordinal);
        return index < 0 ? 1 : text.AsSpan(0, index).Count('\n') + 1;
    }

    /// <summary>The offset at which each line of <paramref name="text"/> starts (the first is 0), for a 1-based line of an offset.</summary>
    public static List<int> Starts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }
}
