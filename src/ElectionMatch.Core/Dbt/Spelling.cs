namespace ElectionMatch.Dbt;

/// <summary>Finds the valid name a misspelled one was meant to be.</summary>
internal static class Spelling
{
    // An L2 voter file has hundreds of columns: with no near name, list only the first few.
    private const int ListedColumns = 30;

    /// <summary>
    /// EM0023's words for a column a relation lacks: the near name, or else the one column whose name holds every word of
    /// it (L2's names are long: Residence_Zip → Residence_Addresses_Zip), or else the columns it has.
    /// </summary>
    public static string ColumnNotFound(string column, string relation, IReadOnlyCollection<string> names)
    {
        var where = $"column '{column}' is not in {relation}";
        if ((Nearest(column, names) ?? HoldingEveryWord(column, names)) is { } near)
        {
            return $"{where}; did you mean '{near}'?";
        }

        var listed = string.Join(", ", names.Take(ListedColumns));
        return names.Count > ListedColumns ? $"{where}; it has {names.Count} columns: {listed}, …" : $"{where}; it has: {listed}";
    }

    private static string? HoldingEveryWord(string column, IEnumerable<string> names)
    {
        var words = column.Split('_', StringSplitOptions.RemoveEmptyEntries);
        var holding = names.Where(n => words.Length > 0 && words.All(w => n.Split('_').Contains(w, StringComparer.OrdinalIgnoreCase))).Take(2).ToList();
        return holding is [var only] ? only : null;
    }

    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best is not null && Plausible(name, best) ? best : null;
    }

    /// <summary>
    /// Whether <paramref name="candidate"/> is a typo's distance from <paramref name="name"/>: two edits, or a third of the
    /// text, once the words both share at the start and the end (separated by <c>_</c>) are set aside. A typo changes a
    /// word, it does not replace one: last_name is three edits from first_name, a third of the name, but all of the word
    /// that differs.
    /// </summary>
    private static bool Plausible(string name, string candidate)
    {
        var differing = Differing(name, candidate);
        var other = Differing(candidate, name);
        return Distance(differing, other) <= Math.Max(2, Math.Max(differing.Length, other.Length) / 3);
    }

    /// <summary><paramref name="name"/> without the words it shares with <paramref name="other"/> at the start and the end, lowercased.</summary>
    private static string Differing(string name, string other)
    {
        var words = name.ToLowerInvariant().Split('_');
        var others = other.ToLowerInvariant().Split('_');
        var start = 0;
        while (start < words.Length - 1 && start < others.Length - 1 && words[start] == others[start])
        {
            start++;
        }

        var end = 0;
        while (end < words.Length - 1 - start && end < others.Length - 1 - start && words[^(end + 1)] == others[^(end + 1)])
        {
            end++;
        }

        return string.Join('_', words[start..^end]);
    }

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
