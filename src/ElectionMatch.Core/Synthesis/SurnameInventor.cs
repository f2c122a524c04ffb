namespace ElectionMatch.Synthesis;

/// <summary>
/// Invents surnames with a letter-level Markov chain (three letters of context) trained on real
/// surnames, so the long tail of rare names is endless, as in reality, instead of a few thousand
/// names repeated: each invented name is rare, and most are not in any list.
/// </summary>
internal sealed class SurnameInventor
{
    private const int Order = 3;

    // Letters are 1-26, 0 pads the start, 27 ends the name; a context packs three of them in 5 bits each.
    private const int End = 27;
    private readonly WeightedTable<int>?[] _next = new WeightedTable<int>?[1 << (5 * Order)];

    public SurnameInventor(IEnumerable<string> trainingNames)
    {
        var counts = new SortedDictionary<int, SortedDictionary<int, int>>();
        foreach (var name in trainingNames)
        {
            var letters = AccentedNames.Strip(name).ToUpperInvariant().Where(char.IsAsciiLetterUpper).Select(c => c - 'A' + 1).ToList();
            if (letters.Count < 3)
            {
                continue;
            }

            var context = 0;
            foreach (var symbol in letters.Append(End))
            {
                if (!counts.TryGetValue(context, out var followers))
                {
                    counts[context] = followers = new SortedDictionary<int, int>();
                }

                followers[symbol] = followers.GetValueOrDefault(symbol) + 1;
                context = Shift(context, symbol);
            }
        }

        foreach (var (context, followers) in counts)
        {
            _next[context] = new WeightedTable<int>(followers.Select(f => (f.Key, (double)f.Value)).ToList());
        }
    }

    private static int Shift(int context, int symbol) => ((context << 5) | symbol) & ((1 << (5 * Order)) - 1);

    /// <summary>A name of 3 to 12 letters, cased as people write it (Brandley, McClinter).</summary>
    public string Invent(Random random)
    {
        Span<char> letters = stackalloc char[13];
        while (true)
        {
            var length = 0;
            var context = 0;
            while (length < letters.Length)
            {
                var symbol = _next[context]!.Sample(random);
                if (symbol == End)
                {
                    break;
                }

                letters[length++] = (char)('A' + symbol - 1);
                context = Shift(context, symbol);
            }

            if (length is >= 3 and <= 12)
            {
                // Cased in place (one allocation per name): Brandley, McClinter.
                for (var i = 1; i < length; i++)
                {
                    letters[i] = char.ToLowerInvariant(letters[i]);
                }

                if (length > 3 && letters[0] == 'M' && letters[1] == 'c')
                {
                    letters[2] = char.ToUpperInvariant(letters[2]);
                }

                return new string(letters[..length]);
            }
        }
    }
}
