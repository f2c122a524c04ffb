using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The C# Jaro-Winkler (<see cref="JaroWinkler"/>) must give DuckDB's <c>jaro_winkler_similarity</c> to the bit: the
/// sounds-alike rule keeps a pair at 0.88 or above, so a last-bit difference would change the candidate pairs.
/// </summary>
public sealed class JaroWinklerTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    [Fact]
    public void Every_pair_of_names_and_misspellings_scores_as_in_duckdb()
    {
        var names = File.ReadLines(Path.Combine(FixtureCopy.RepositoryRoot, "src", "ElectionMatch.Core", "Reference", "first_name_sex.csv"))
            .Skip(1).Select(l => l.Split(',')[0]).Where((_, i) => i % 97 == 0).Take(150).ToList();
        var random = new Random(11);
        var texts = new List<string>(names);
        foreach (var name in names)
        {
            // A dropped, a doubled and a swapped letter, and a shortened form: the close spellings the rule is for.
            var at = random.Next(name.Length);
            texts.Add(name.Remove(at, 1));
            texts.Add(name.Insert(at, name[at].ToString()));
            if (name.Length > 2)
            {
                var swap = random.Next(name.Length - 1);
                texts.Add(string.Concat(name.AsSpan(0, swap), name.Substring(swap + 1, 1), name.Substring(swap, 1), name.AsSpan(swap + 2)));
            }

            texts.Add(name[..Math.Max(1, name.Length / 2)]);
        }

        // Edge cases: empty, one letter, repeated letters, past 64 bytes (DuckDB's multi-word path), accents (bytes, not characters).
        texts.AddRange(["", "a", "b", "aa", "ab", "ba", "aaaa", "abab", new string('a', 70), new string('a', 65) + "b", string.Concat(Enumerable.Repeat("abcdefghij", 8)), "josé", "jose", "zoë", "zoe", "ñ"]);
        texts = [.. texts.Distinct()];

        _warehouse.Execute("create table texts (i integer, t varchar)");
        using (var appender = _warehouse.Connection.CreateAppender("texts"))
        {
            for (var i = 0; i < texts.Count; i++)
            {
                appender.CreateRow().AppendValue(i).AppendValue(texts[i]).EndRow();
            }
        }

        var compared = 0;
        var close = 0;
        foreach (var (a, b, expected) in _warehouse.Stream(
            "select x.t, y.t, jaro_winkler_similarity(x.t, y.t) from texts as x, texts as y",
            r => (r.GetString(0), r.GetString(1), r.GetDouble(2))))
        {
            var actual = JaroWinkler.Similarity(a, b);
            if (BitConverter.DoubleToInt64Bits(actual) != BitConverter.DoubleToInt64Bits(expected))
            {
                Assert.Fail($"jaro_winkler_similarity('{a}', '{b}'): DuckDB {expected:R}, C# {actual:R}");
            }

            compared++;
            close += expected >= 0.88 && a != b ? 1 : 0;
        }

        Assert.Equal(texts.Count * texts.Count, compared);
        Assert.True(close > 500, $"{close} pairs of different texts at 0.88 or above");
    }

    [Fact]
    public void Known_values()
    {
        Assert.Equal(0.0, JaroWinkler.Similarity("", "martha"));
        Assert.Equal(1.0, JaroWinkler.Similarity("martha", "martha"));
        Assert.Equal(0.9611111111111111, JaroWinkler.Similarity("martha", "marhta"), 15);
        Assert.Equal(0.85, JaroWinkler.Similarity("0", "00"), 15);
    }

    public void Dispose() => _warehouse.Dispose();
}
