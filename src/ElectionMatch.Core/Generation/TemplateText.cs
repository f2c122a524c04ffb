using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;
using Fluid;

namespace ElectionMatch.Generation;

/// <summary>
/// Where in a template's text a name that failed to render is written. Fluid's syntax tree keeps no positions, so the
/// name is found in the text: the first Liquid tag that writes it, else the template as a whole (line 1).
/// </summary>
internal static partial class TemplateText
{
    public static SourceSpan Where(string origin, string text, FluidException error)
    {
        var patterns = error switch
        {
            UndefinedMemberException { Owner: { } owner } member when !owner.Contains('[', StringComparison.Ordinal) =>
                [Written(owner.Split('.')[^1]) + @"\s*\.\s*" + Written(member.Member), @"\.\s*" + Written(member.Member)],
            UndefinedMemberException member => [@"\.\s*" + Written(member.Member)],
            _ when UndefinedVariable().Match(error.Message) is { Success: true } m => [@"(?<![\w.])" + Written(m.Groups["name"].Value)],
            _ => Array.Empty<string>(),
        };

        foreach (var pattern in patterns)
        {
            foreach (Match tag in LiquidTag().Matches(text))
            {
                if (Regex.Match(tag.Value, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)) is { Success: true } found)
                {
                    return At(origin, text, tag.Index + found.Index + found.Length - NameLength(error));
                }
            }
        }

        return SourceSpan.TextFile(origin);
    }

    private static int NameLength(FluidException error) => error is UndefinedMemberException member
        ? member.Member.Length
        : UndefinedVariable().Match(error.Message).Groups["name"].Value.Length;

    private static string Written(string name) => Regex.Escape(name) + @"(?!\w)";

    private static SourceSpan At(string origin, string text, int offset)
    {
        var line = 1 + text.AsSpan(0, offset).Count('\n');
        var column = offset - (text.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1) + 1;
        return new SourceSpan(origin, line, column);
    }

    [GeneratedRegex(@"\{\{.*?\}\}|\{%.*?%\}", RegexOptions.Singleline)]
    private static partial Regex LiquidTag();

    [GeneratedRegex(@"undefined variable '(?<name>[^']+)'")]
    private static partial Regex UndefinedVariable();
}
