namespace ElectionMatch.Synthesis;

/// <summary>
/// Draws items in proportion to their weights in constant time (Vose's alias method):
/// one uniform index and one uniform fraction per draw, whatever the number of items.
/// </summary>
internal sealed class WeightedTable<T>
{
    private readonly T[] _items;
    private readonly double[] _probability;
    private readonly int[] _alias;

    public WeightedTable(IReadOnlyList<(T Item, double Weight)> entries)
    {
        var n = entries.Count;
        if (n == 0)
        {
            throw new ArgumentException("a weighted table needs at least one item", nameof(entries));
        }

        _items = new T[n];
        _probability = new double[n];
        _alias = new int[n];
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            if (entries[i].Weight < 0 || double.IsNaN(entries[i].Weight))
            {
                throw new ArgumentException($"weight of item {i} is {entries[i].Weight}", nameof(entries));
            }

            _items[i] = entries[i].Item;
            total += entries[i].Weight;
        }

        if (total <= 0)
        {
            throw new ArgumentException("the weights sum to zero", nameof(entries));
        }

        // Scale so the mean weight is 1, then pair each light column with a heavy one.
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (var i = n - 1; i >= 0; i--)
        {
            scaled[i] = entries[i].Weight * n / total;
            (scaled[i] < 1.0 ? small : large).Push(i);
        }

        while (small.Count > 0 && large.Count > 0)
        {
            var light = small.Pop();
            var heavy = large.Pop();
            _probability[light] = scaled[light];
            _alias[light] = heavy;
            scaled[heavy] = scaled[heavy] + scaled[light] - 1.0;
            (scaled[heavy] < 1.0 ? small : large).Push(heavy);
        }

        // What is left is 1 up to rounding.
        foreach (var i in large.Concat(small))
        {
            _probability[i] = 1.0;
            _alias[i] = i;
        }
    }

    public int Count => _items.Length;

    public T Sample(Random random)
    {
        var column = random.Next(_items.Length);
        return random.NextDouble() < _probability[column] ? _items[column] : _items[_alias[column]];
    }
}
