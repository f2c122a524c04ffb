using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ElectionMatch.Build;

/// <summary>
/// A task output item whose spec is a literal string (a path), whatever characters it holds. MSBuild takes a
/// <see cref="TaskItem"/>'s spec as escaped: unescaped, a <c>;</c> in it splits the item when the targets use it
/// in an Include or Remove, <c>%41</c> reads as <c>A</c>, and <c>@(x)</c> is an item list reference (MSB4012).
/// </summary>
internal static class LiteralItem
{
    // MSBuild's special characters (learn.microsoft.com/visualstudio/msbuild/msbuild-special-characters): the set
    // $([MSBuild]::Escape()) escapes, so ReadLinesFromFile's items and ours compare equal.
    private static readonly char[] Special = ['%', '*', '?', '@', '$', '(', ')', ';', '\''];

    public static ITaskItem Of(string literal) => new TaskItem(Escape(literal));

    /// <summary>The string in MSBuild's <c>%XX</c> escaping, as <c>$([MSBuild]::Escape())</c> writes it.</summary>
    public static string Escape(string literal)
    {
        if (literal.IndexOfAny(Special) < 0)
        {
            return literal;
        }

        var escaped = new StringBuilder(literal.Length + 8);
        foreach (var c in literal)
        {
            if (Array.IndexOf(Special, c) >= 0)
            {
                escaped.Append('%').Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
