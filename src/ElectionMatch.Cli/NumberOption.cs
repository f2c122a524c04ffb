using System.CommandLine;
using System.Globalization;
using System.Numerics;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Cli;

/// <summary>
/// An option holding a number that the command reads, not System.CommandLine: a value that is not a number, or not one
/// the option takes, is the command's own diagnostic naming the option and the value (EM0044; synth's EM0051, bench's
/// EM0720). System.CommandLine printed "Cannot parse argument 'abc' for option '--lock-timeout' as expected type
/// 'System.Double'" and the help, with no code.
/// </summary>
/// <param name="option">The option, holding the text as given (its default, if any, as text too).</param>
/// <param name="code">The code of the command's invalid options.</param>
/// <param name="meaning">What the value must be, for the message: <c>--candidates x is not {meaning}</c>.</param>
/// <param name="accepts">The numbers the option takes (every number when null); the others get the same message.</param>
/// <param name="maximum">The largest number it takes, said as such to a value above it (a number, but too large); <typeparamref name="T"/>'s own when null.</param>
internal sealed class NumberOption<T>(Option<string> option, string code, string meaning, Func<T, bool>? accepts = null, T? maximum = null)
    where T : struct, INumber<T>, IMinMaxValue<T>
{
    public Option<string> Option { get; } = option;

    /// <summary>The number given, or the default; zero for an option neither given nor defaulted, as an absent <c>Option&lt;int&gt;</c> was.</summary>
    public T Read(ParseResult result)
    {
        var text = result.GetValue(Option);
        return text is null ? T.Zero : Parse(text);
    }

    /// <summary>
    /// <paramref name="text"/> read as this option reads its value; for an option holding a list of them (bench's
    /// <c>--rows 1e3,1e4</c>), each item, refused in the same words.
    /// </summary>
    public T Parse(string text)
    {
        // Float for whole numbers too (1e3 is a count): with no thousands separator, "1,5" is refused, never read as 15.
        // (A whole number's decimal point is refused below.)
        if (!T.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw DiagnosticException.At(code, SourceSpan.None, double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? Beyond(text, number) ?? $"{Option.Name} {text} is not {meaning}"
                : $"{Option.Name} '{text}' is not {meaning}");
        }

        // A whole number's decimal point is refused, as "1,5" is: "1.000" (a thousand, written the German way) was 1, "5.0" 5.
        if (Whole && text.Contains('.', StringComparison.Ordinal))
        {
            throw DiagnosticException.At(code, SourceSpan.None, $"{Option.Name} {text} is not {meaning}: write it without a decimal point (1000, or 1e3)");
        }

        if (value > Maximum)
        {
            throw DiagnosticException.At(code, SourceSpan.None, More(text));
        }

        return accepts is null || accepts(value)
            ? value
            : throw DiagnosticException.At(code, SourceSpan.None, $"{Option.Name} {text} is not {meaning}");
    }

    private T Maximum => maximum ?? T.MaxValue;

    // An integer type: a half is 0 in it.
    private static bool Whole => T.IsZero(T.One / (T.One + T.One));

    /// <summary>For a number <typeparamref name="T"/> cannot hold (3000000000 for an int), which is still a whole number.</summary>
    private string? Beyond(string text, double number) =>
        number > double.CreateSaturating(Maximum) ? More(text)
        : number < double.CreateSaturating(T.MinValue) ? string.Create(CultureInfo.InvariantCulture, $"{Option.Name} {text} is less than it takes ({T.MinValue} at least)")
        : null;

    private string More(string text) => string.Create(CultureInfo.InvariantCulture, $"{Option.Name} {text} is more than it takes ({Maximum} at most)");
}
