using System.Text.RegularExpressions;

namespace ElectionMatch.Cli.Output;

/// <summary>Masks anything that looks like a credential before it reaches the terminal.</summary>
internal static partial class Secrets
{
    public static string Redact(string text) => Credential().Replace(text, m => m.Groups["key"].Value + "***");

    [GeneratedRegex(@"(?<key>(api[_-]?key|token|secret|password|private_key)\s*[=:]\s*['""]?)[^\s'"",;]+", RegexOptions.IgnoreCase)]
    private static partial Regex Credential();
}
