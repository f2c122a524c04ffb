using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The C# Soundex (<see cref="Soundex"/>) must give what the <c>em_soundex</c> macro gives for every word of a to z:
/// the macro is the reference, and the sounds_alike stage codes every surname word in C#.
/// </summary>
public sealed class SoundexTests : IDisposable
{
    // Words that start with h or w, hold h or w between equal digits, runs across vowels, one letter, only vowels.
    private static readonly string[] Words =
    [
        "robert", "rupert", "rubin", "ashcraft", "ashcroft", "tymczak", "pfister", "honeyman", "hoffman", "whitehouse", "wu", "h",
        "w", "a", "y", "aeiou", "bbbb", "bfpv", "schmidt", "lloyd", "jackson", "washington", "lee", "gutierrez", "vanderberg",
        "hwh", "whw", "ohio", "sgt", "tsch", "oneill", "mcdonald", "xzibit", "qq", "dhdh", "bwb", "bhb", "abwba", "zzzzzzzzzzzzz",
    ];

    private readonly DuckDbWarehouse _warehouse = CleaningMacros.Warehouse("soundex_test");

    // The C# code as a DuckDB function, to compare it with the macro over the same words.
    private const string Function = "em_soundex_ascii";

    public SoundexTests() => TextFunction.Register(_warehouse, Function, Soundex.Of);

    [Fact]
    public void The_csharp_code_of_a_lowercase_ascii_word_equals_the_macros()
    {
        var random = new Random(8);
        var words = Words.ToList();
        for (var i = 0; i < 20_000; i++)
        {
            // Letters weighted toward h, w and runs of one digit, the cases the steps could get wrong.
            const string letters = "abcdefghijklmnopqrstuvwxyzhhwwbfpvcgkstd";
            words.Add(new string(Enumerable.Range(0, random.Next(1, 12)).Select(_ => letters[random.Next(letters.Length)]).ToArray()));
        }

        var compared = CleaningMacros.Compare(_warehouse, "words", words, "em_soundex", Function);

        Assert.Equal(words.Count, compared.Count);
        Assert.All(compared, c => Assert.Equal(c.Macro, c.CSharp));
        Assert.Equal("R163", Soundex.Of("robert"));
        Assert.Equal("A261", Soundex.Of("ashcraft"));
        Assert.Equal("H555", Soundex.Of("honeyman"));
    }

    // SoundsAlike codes a word by the number: two words must share it exactly when they share the code.
    [Fact]
    public void The_number_of_a_code_is_one_to_one_with_the_code()
    {
        var random = new Random(13);
        var words = Words.ToList();
        for (var i = 0; i < 50_000; i++)
        {
            words.Add(new string(Enumerable.Range(0, random.Next(1, 10)).Select(_ => (char)('a' + random.Next(26))).ToArray()));
        }

        var byCode = words.GroupBy(w => Soundex.Of(w)!).ToDictionary(g => g.Key, g => g.Select(w => Soundex.Code(w)).Distinct().ToList());

        Assert.All(byCode.Values, numbers => Assert.Single(numbers));
        Assert.Equal(byCode.Count, byCode.Values.Select(n => n[0]).Distinct().Count());
        Assert.All(byCode.Values, n => Assert.InRange(n[0], 0, Soundex.Codes - 1));
        Assert.Equal(17_163, Soundex.Code("robert"));
        Assert.Equal(25_000, Soundex.Code("zzzzzzzzzzzzz"));
        Assert.All(["", "Smith", "o'neill", "núñez"], w => Assert.Equal(-1, Soundex.Code(w)));
        Assert.True(byCode.Count > 4_000, $"{byCode.Count} distinct codes");
    }

    // Cleaned words are a to z (em_norm); the macro keeps any other character as it is, and only it decides such a word.
    [Fact]
    public void Any_other_word_is_left_to_the_macro()
    {
        Assert.Null(Soundex.Of(""));
        Assert.Null(Soundex.Of("Smith"));
        Assert.Null(Soundex.Of("o'neill"));
        Assert.Null(Soundex.Of("núñez"));
        Assert.Null(_warehouse.Scalar<string>($"select {Function}(null)"));
        Assert.Equal("Núñ2", _warehouse.Scalar<string>($"select coalesce({Function}(w), em_soundex(w)) from (select 'núñez' as w)"));
    }

    public void Dispose() => _warehouse.Dispose();
}
