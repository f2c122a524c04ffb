namespace ElectionMatch.Matching;

/// <summary>
/// The ways office, race and district names write a number other than in digits, each list at its values' positions
/// (the number n at index n - 1), so that SQL reads a number as <c>list_position(list, word)</c> and C# as the index + 1.
/// </summary>
internal static class NumberNames
{
    /// <summary>
    /// The Roman numerals of 1 to 99 in lower case (Chicago has 50 wards). L alone stays a letter (HOUSTON CITY CNCL DIST
    /// L): its place holds "-", which no word is. C (100) is not listed, so District C stays C.
    /// </summary>
    public static readonly string[] RomanNumerals = [.. Enumerable.Range(1, 99).Select(n => n == 50 ? "-" : Roman(n))];

    /// <summary>District Four, Ward Eight.</summary>
    public static readonly string[] NumberWords =
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"];

    /// <summary>The Fourth District, the First Ward.</summary>
    public static readonly string[] OrdinalWords =
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"];

    private static string Roman(int n) =>
        string.Concat(new[] { "", "x", "xx", "xxx", "xl", "l", "lx", "lxx", "lxxx", "xc" }[n / 10], new[] { "", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix" }[n % 10]);
}
