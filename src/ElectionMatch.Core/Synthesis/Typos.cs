namespace ElectionMatch.Synthesis;

/// <summary>One typing mistake of the kinds people make: a neighbouring key, two letters swapped, a letter dropped or doubled.</summary>
internal static class Typos
{
    private static readonly string[] Rows = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

    /// <summary>The text with one mistake; never the text itself. The first letter is kept when the word is long enough, as it mostly is in real typos.</summary>
    public static string Apply(string text, Random random)
    {
        var letters = Enumerable.Range(0, text.Length).Where(i => char.IsLetter(text[i])).ToList();
        if (letters.Count == 0)
        {
            return text + text;
        }

        var candidates = letters.Count >= 3 ? letters.Skip(1).ToList() : letters;
        var at = candidates[random.Next(candidates.Count)];
        var roll = random.NextDouble();
        var chars = text.ToCharArray();
        if (roll < 0.25 && at + 1 < text.Length && char.IsLetter(text[at + 1]) && char.ToLowerInvariant(text[at]) != char.ToLowerInvariant(text[at + 1]))
        {
            // Two keystrokes in the wrong order, shift and all (McMichael → MciMchael).
            (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]);
            return new string(chars);
        }

        if (roll < 0.45 && letters.Count > 2)
        {
            return text.Remove(at, 1);
        }

        if (roll < 0.6)
        {
            return text.Insert(at, text[at].ToString());
        }

        var neighbour = Neighbour(char.ToLowerInvariant(text[at]), random);
        chars[at] = MatchCase(neighbour, text[at]);
        var typed = new string(chars);
        return typed == text ? text.Insert(at, text[at].ToString()) : typed;
    }

    private static char MatchCase(char letter, char like) =>
        char.IsUpper(like) ? char.ToUpperInvariant(letter) : char.ToLowerInvariant(letter);

    private static char Neighbour(char key, Random random)
    {
        for (var row = 0; row < Rows.Length; row++)
        {
            var column = Rows[row].IndexOf(key, StringComparison.Ordinal);
            if (column < 0)
            {
                continue;
            }

            var options = new List<char>(2);
            if (column > 0)
            {
                options.Add(Rows[row][column - 1]);
            }

            if (column + 1 < Rows[row].Length)
            {
                options.Add(Rows[row][column + 1]);
            }

            return options[random.Next(options.Count)];
        }

        // Not a plain letter (é): a nearby vowel is the usual slip.
        return "aeiou"[random.Next(5)];
    }
}
