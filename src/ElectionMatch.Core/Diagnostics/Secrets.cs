using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace ElectionMatch.Diagnostics;

/// <summary>
/// The one redaction path: every text that leaves the process (CLI output, diagnostics, exception text,
/// manifests, the MSBuild log) passes through <see cref="Redact"/>. Credentials the tool reads (API keys,
/// service-account private keys, access tokens) are registered the moment they are read, so they are masked
/// even where no pattern would recognise them; the patterns catch credentials the tool never read, such as a
/// key pasted into electionmatch.yml. Process-wide on purpose: a secret read by one run must be masked by
/// every sink of the process, including those that know nothing of the run.
/// </summary>
public static partial class Secrets
{
    public const string Mask = "***";

    /// <summary>Shorter values are not masked: they would mask ordinary words.</summary>
    private const int MinimumLength = 8;

    /// <summary>An API key shorter than this is refused: masking it would mask ordinary words and numbers (a key "1" every 1).</summary>
    public const int ShortestApiKey = 4;

    private static readonly ConcurrentDictionary<string, byte> Registered = new(StringComparer.Ordinal);

    // API keys shorter than MinimumLength, each masked only where it stands alone: no letter or digit on either side,
    // a JSON escape before it counting as none (a reply is masked as JSON text, where a quote may be \u0022).
    private static readonly ConcurrentDictionary<string, Regex> ShortApiKeys = new(StringComparer.Ordinal);

    /// <summary>Masks <paramref name="value"/> (and, for a multi-line PEM key, each of its lines and its JSON-escaped form) from now on.</summary>
    public static void Register(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        Add(value.Trim());
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            Add(value.Replace("\n", "\\n", StringComparison.Ordinal));
            foreach (var line in value.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!line.StartsWith("-----", StringComparison.Ordinal))
                {
                    Add(line);
                }
            }
        }
    }

    /// <summary>
    /// Masks the API key a provider read from the variable the configuration names, whatever its length: a key of
    /// <see cref="MinimumLength"/> characters or more wherever it appears, a shorter one (at least
    /// <see cref="ShortestApiKey"/>) where no letter or digit touches it, so "ollama" masks "Bearer ollama" but not "ollamas".
    /// </summary>
    public static void RegisterApiKey(string key)
    {
        var value = key.Trim();
        if (value.Length >= MinimumLength)
        {
            Register(value);
        }
        else if (value.Length > 0)
        {
            ShortApiKeys.TryAdd(value, new Regex($@"(?:(?<![\p{{L}}\p{{N}}])|(?<=\\(?:u[0-9A-Fa-f]{{4}}|[bfnrt]))){Regex.Escape(value)}(?![\p{{L}}\p{{N}}])", RegexOptions.CultureInvariant));
        }
    }

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        // Longest first, so a whole key is masked before any of its lines.
        foreach (var secret in Registered.Keys.OrderByDescending(s => s.Length))
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        foreach (var key in ShortApiKeys.Values)
        {
            text = key.Replace(text, Mask);
        }

        text = PrivateKeyBlock().Replace(text, Mask);
        text = Bearer().Replace(text, m => m.Groups["scheme"].Value + Mask);
        text = KnownTokenShapes().Replace(text, Mask);
        return Assignment().Replace(text, m => m.Groups["key"].Value + Mask);
    }

    private static void Add(string value)
    {
        if (value.Length >= MinimumLength)
        {
            Registered.TryAdd(value, 0);
        }
    }

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", RegexOptions.Singleline)]
    private static partial Regex PrivateKeyBlock();

    // Only Bearer: "Basic" starts too many ordinary phrases (a "Basic Education District").
    [GeneratedRegex(@"(?<scheme>\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}")]
    private static partial Regex Bearer();

    // OpenAI keys (sk-…, sk-proj-…), Google API keys (AIza…), Google OAuth access tokens (ya29.…), Stripe keys
    // (sk_live_…, rk_test_…), GitHub tokens (ghp_…, github_pat_…) and signed JWTs (header.payload.signature, both JSON
    // parts base64url: eyJ…): the assertion a service account signs to get a token.
    [GeneratedRegex(@"\b(sk-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,}|ya29\.[A-Za-z0-9._-]{16,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})")]
    private static partial Regex KnownTokenShapes();

    /// <summary>Whether <paramref name="value"/> is, whole, a credential of a shape <see cref="Redact"/> masks wherever it appears.</summary>
    public static bool IsKnownTokenShape(string value) => KnownTokenShapes().Match(value) is { Success: true } m && m.Index == 0 && m.Length == value.Length;

    /// <summary>
    /// Whether a name could be a random key rather than a word: 24 characters or more mixing upper case, lower case and
    /// digits. Names are seldom so, but some are (<c>AzureOpenAiKeyProduction2</c>), so this only keeps a name out of a
    /// message, never refuses it.
    /// </summary>
    public static bool MayBeRandomKey(string name) =>
        name.Length >= 24 && name.Any(char.IsAsciiLetterUpper) && name.Any(char.IsAsciiLetterLower) && name.Any(char.IsAsciiDigit);

    [GeneratedRegex(@"(?<key>\b(api[_-]?key|access[_-]?token|token|secret|password|private[_-]?key)[""']?\s*[=:]\s*['""]?)[^\s'"",;}]+", RegexOptions.IgnoreCase)]
    private static partial Regex Assignment();
}
