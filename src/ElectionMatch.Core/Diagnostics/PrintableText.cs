using System.Globalization;
using System.Text;

namespace ElectionMatch.Diagnostics;

/// <summary>
/// A value the user typed or a file holds, as a message shows it: control characters escaped (<c>\r</c>, <c>\n</c>,
/// <c>\t</c>, <c>\u001B</c>), so an id pasted from a CRLF file cannot send the terminal's cursor back over the line.
/// </summary>
public static class PrintableText
{
    public static string Of(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var printed = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            printed.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return printed.ToString();
    }
}
