namespace ElectionMatch.Dbt;

/// <summary>
/// Git's conflict markers left in a file after a merge: a <c>&lt;&lt;&lt;&lt;&lt;&lt;&lt;</c> line, then <c>=======</c>, then
/// <c>&gt;&gt;&gt;&gt;&gt;&gt;&gt;</c>, each at the start of its line. Two pull requests that each published a snapshot
/// both change the sources YAML and the stable model, so such a merge leaves them in ElectionMatch's files too.
/// </summary>
internal static class MergeConflictMarkers
{
    /// <summary>The 1-based lines of the first conflict's opening and closing markers, or null when the text has none.</summary>
    public static (int Start, int End)? FirstConflict(string text)
    {
        var lines = text.Split('\n');
        int? start = null;
        var separated = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (IsMarker(line, '<'))
            {
                start = i + 1;
                separated = false;
            }
            else if (start is not null && line == "=======")
            {
                separated = true;
            }
            else if (start is { } opened && separated && IsMarker(line, '>'))
            {
                return (opened, i + 1);
            }
        }

        return null;
    }

    /// <summary>What to do, said the same wherever a merge left markers in a file ElectionMatch reads.</summary>
    public static string Advice(int start, int end) =>
        $"an unresolved merge conflict (git's conflict markers, lines {start}-{end}); resolve it before anything reads this file: " +
        "in the sources YAML keep every snapshot entry the result declares (after a merge, both sides'), and of a file ElectionMatch generated (its staging or stable model) " +
        "take either side (`git checkout --ours -- <file>`) and run `electionmatch generate`, which rewrites it for the merged snapshots " +
        "(docs/ci.md, \"Merging pull requests that publish snapshots\")";

    private static bool IsMarker(string line, char mark) =>
        line.Length >= 7 && line.AsSpan(0, 7).IndexOfAnyExcept(mark) < 0 && (line.Length == 7 || line[7] == ' ');
}
