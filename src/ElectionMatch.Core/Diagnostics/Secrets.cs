using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace ElectionMatch.Diagnostics;

/// <summary>
/// The one redaction path: every text that leaves the process (CLI output, diagnostics, exception text,
/// manifests, the MSBuild log) passes through <see cref="Redact"/>. Credentials the tool reads (API keys,
/// service-account private keys, access tokens) are registered the moment they are read, so they are masked
/// even where no pattern would recognise them; the patterns catch credentials the tool never read, such as a
/// key pasted into electionmatch.yml. A provider that refuses a key often quotes most of it back ("Incorrect API key
/// provided: 3f9a1c7e…d3f5****", or its middle), so a long credential is masked by any fragment of 8 characters or more too, and in its
/// percent-encoded forms (a key in a URL's query). Process-wide on purpose: a secret read by one run must be masked by
/// every sink of the process, including those that know nothing of the run.
/// </summary>
public static partial class Secrets
{
    public const string Mask = "***";

    /// <summary>Shorter values are not masked: they would mask ordinary words.</summary>
    private const int MinimumLength = 8;

    /// <summary>A registered secret this long or longer is also masked by its fragments; a shorter one only whole.</summary>
    private const int FragmentedLength = 12;

    /// <summary>
    /// The shortest fragment masked: a vendor's customary echo of a key's last 4 characters stays, as does OpenAI's
    /// <c>sk-proj-</c> prefix (8 characters, but no digit: see <see cref="IsWorthMasking"/>).
    /// </summary>
    private const int ShortestFragment = 8;

    /// <summary>An API key shorter than this is refused: masking it would mask ordinary words and numbers (a key "1" every 1).</summary>
    public const int ShortestApiKey = 4;

    // Each form of a registered secret (the value, its percent-encoded forms) and how it is matched.
    private static readonly ConcurrentDictionary<string, Form> Registered = new(StringComparer.Ordinal);

    // Every run of ShortestFragment characters of a secret masked by its fragments, with the length of the shortest such
    // secret: a text is searched once for all of them, whatever part of a key a provider quotes back.
    private static readonly ConcurrentDictionary<string, int> Windows = new(StringComparer.Ordinal);

    // API keys shorter than MinimumLength, each masked only where it stands alone: no letter or digit on either side,
    // a JSON escape before it counting as none (a reply is masked as JSON text, where a quote may be \u0022).
    private static readonly ConcurrentDictionary<string, Regex> ShortApiKeys = new(StringComparer.Ordinal);

    /// <summary>
    /// Masks <paramref name="value"/> (and, for a multi-line PEM key, each of its lines and its JSON-escaped form) from
    /// now on, with its percent-encoded forms, and, when <paramref name="fragments"/> (a credential: random characters),
    /// of 12 characters or more, by any fragment of 8 or more.
    /// </summary>
    /// <param name="fragments">False for a value that may be a path or words (a dbt secret variable's): it is masked whole,
    /// since its fragments are other paths and words.</param>
    public static void Register(string? value, bool fragments = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        Add(value.Trim(), fragments);
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            Add(value.Replace("\n", "\\n", StringComparison.Ordinal), fragments);
            foreach (var line in value.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!line.StartsWith("-----", StringComparison.Ordinal))
                {
                    Add(line, fragments);
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

        // The spans of every registered form and of every credential's shape are found in the text as given, then masked
        // at once: overlapping spans (a whole PEM key and its lines, a key and its fragments, a token's shape and a
        // registered key's fragment inside it) become one mask. A shape looked for after the fragments were masked would
        // stop at the mask and leave the token's end printed.
        List<(int Start, int End)>? spans = null;
        var hasPercent = text.Contains('%', StringComparison.Ordinal);
        foreach (var (secret, form) in Registered)
        {
            if (form.PercentEncoded && !hasPercent)
            {
                continue;
            }

            // A secret masked by its fragments is found by its windows below, whole or in any part.
            if (!form.Fragments || secret.Length < FragmentedLength)
            {
                Whole(text, secret, ref spans);
            }
        }

        Fragments(text, ref spans);

        // The dictionaries are enumerated, not their Keys or Values, which take every lock and copy.
        foreach (var (_, key) in ShortApiKeys)
        {
            Matches(key, text, "", ref spans);
        }

        Matches(PrivateKeyBlock(), text, "", ref spans);
        Matches(Bearer(), text, "scheme", ref spans);
        Matches(KnownTokenShapes(), text, "", ref spans);
        Matches(Assignment(), text, "key", ref spans);
        return spans is null ? text : Masked(text, spans);
    }

    /// <summary>
    /// The span of each match of <paramref name="pattern"/>, after its group <paramref name="kept"/> (the words before the
    /// value, kept as written) when it names one: in the text as given, and in the text with the spans found so far
    /// starred, as it read when each form was masked in turn. There a mask stands where a secret ended, so a credential
    /// glued to it (<c>…secretsk-…</c>, <c>…secrettoken=…</c>) follows a boundary that \b and a short key's lookbehind see.
    /// </summary>
    private static void Matches(Regex pattern, string text, string kept, ref List<(int Start, int End)>? spans)
    {
        var starred = spans is null ? null : Starred(text, spans);
        Found(pattern, text, kept, ref spans);
        if (starred is not null)
        {
            Found(pattern, starred, kept, ref spans);
        }
    }

    // The text with each span's characters replaced by '*', so every index is the text's.
    private static string Starred(string text, List<(int Start, int End)> spans) =>
        string.Create(text.Length, (text, spans), static (chars, state) =>
        {
            state.text.AsSpan().CopyTo(chars);
            foreach (var (start, end) in state.spans)
            {
                chars[start..end].Fill('*');
            }
        });

    private static void Found(Regex pattern, string searched, string kept, ref List<(int Start, int End)>? spans)
    {
        for (var m = pattern.Match(searched); m.Success; m = m.NextMatch())
        {
            var start = kept.Length == 0 ? m.Index : m.Groups[kept].Index + m.Groups[kept].Length;
            if (start < m.Index + m.Length)
            {
                (spans ??= []).Add((start, m.Index + m.Length));
            }
        }
    }

    private static void Add(string value, bool fragments)
    {
        if (value.Length < MinimumLength)
        {
            return;
        }

        Keep(value, new Form(false, fragments));
        // A key sent in a URL's query (Google's ?key=) is quoted back percent-encoded, with upper- or lower-case hex
        // digits, and by a form encoder with '+' for a space.
        var encoded = Uri.EscapeDataString(value);
        if (encoded != value)
        {
            Keep(encoded, new Form(true, fragments));
            Keep(PercentEscape().Replace(encoded, m => m.Value.ToLowerInvariant()), new Form(true, fragments));
            if (value.Contains(' ', StringComparison.Ordinal))
            {
                var formEncoded = encoded.Replace("%20", "+", StringComparison.Ordinal);
                Keep(formEncoded, new Form(formEncoded.Contains('%', StringComparison.Ordinal), fragments));
            }
        }
    }

    // A value registered both as a dbt variable's and as a credential is masked by its fragments.
    private static void Keep(string value, Form form)
    {
        if (Registered.AddOrUpdate(value, form, (_, known) => known with { Fragments = known.Fragments || form.Fragments }).Fragments
            && value.Length >= FragmentedLength)
        {
            for (var at = 0; at + ShortestFragment <= value.Length; at++)
            {
                Windows.AddOrUpdate(value.Substring(at, ShortestFragment), value.Length, (_, known) => Math.Min(known, value.Length));
            }
        }
    }

    private static void Whole(string text, string secret, ref List<(int Start, int End)>? spans)
    {
        for (var at = text.IndexOf(secret, StringComparison.Ordinal); at >= 0; at = text.IndexOf(secret, at + 1, StringComparison.Ordinal))
        {
            (spans ??= []).Add((at, at + secret.Length));
        }
    }

    /// <summary>
    /// The spans of <paramref name="text"/> made of runs of <see cref="ShortestFragment"/> characters of a secret masked by
    /// its fragments, overlapping or touching: any part of 8 characters or more of such a secret, at its start, its end or
    /// in its middle (a provider that quotes the middle of a key printed most of it). One pass over the text, a lookup
    /// per character, whatever the number of secrets.
    /// </summary>
    private static void Fragments(string text, ref List<(int Start, int End)>? spans)
    {
        if (Windows.IsEmpty || text.Length < ShortestFragment)
        {
            return;
        }

        var lookup = Windows.GetAlternateLookup<ReadOnlySpan<char>>();
        int start = -1, end = -1, shortest = int.MaxValue;
        for (var at = 0; at + ShortestFragment <= text.Length; at++)
        {
            if (!lookup.TryGetValue(text.AsSpan(at, ShortestFragment), out var secretLength))
            {
                continue;
            }

            if (start >= 0 && at <= end)
            {
                end = at + ShortestFragment;
                shortest = Math.Min(shortest, secretLength);
                continue;
            }

            Run(text, start, end, shortest, ref spans);
            (start, end, shortest) = (at, at + ShortestFragment, secretLength);
        }

        Run(text, start, end, shortest, ref spans);

        static void Run(string text, int start, int end, int shortest, ref List<(int Start, int End)>? spans)
        {
            if (start >= 0 && IsWorthMasking(shortest, text.AsSpan(start, end - start)))
            {
                (spans ??= []).Add((start, end));
            }
        }
    }

    /// <summary>
    /// A fragment is masked when it holds a digit, as 8 random characters nearly always do, or is two thirds of the secret
    /// or more: a run of letters alone is a word as often as a key (a password that begins "postgres" or "election").
    /// </summary>
    private static bool IsWorthMasking(int secretLength, ReadOnlySpan<char> fragment) =>
        fragment.Length >= secretLength || fragment.ContainsAnyInRange('0', '9') || fragment.Length * 3 >= secretLength * 2;

    private static string Masked(string text, List<(int Start, int End)> spans)
    {
        spans.Sort();
        var masked = new StringBuilder(text.Length);
        var copied = 0;
        var i = 0;
        while (i < spans.Count)
        {
            var (start, end) = spans[i++];
            // Overlapping or touching spans are one.
            while (i < spans.Count && spans[i].Start <= end)
            {
                end = Math.Max(end, spans[i++].End);
            }

            masked.Append(text, copied, start - copied).Append(Mask);
            copied = end;
        }

        return masked.Append(text, copied, text.Length - copied).ToString();
    }

    /// <param name="PercentEncoded">
    /// The form has a '%' the value has not: it cannot appear in a text without one, and a fragment of it without one
    /// is the value's.
    /// </param>
    /// <param name="Fragments">Masked by its fragments too, not only whole.</param>
    private readonly record struct Form(bool PercentEncoded, bool Fragments);

    [GeneratedRegex("%[0-9A-F]{2}")]
    private static partial Regex PercentEscape();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", RegexOptions.Singleline)]
    private static partial Regex PrivateKeyBlock();

    // Only Bearer: "Basic" starts too many ordinary phrases (a "Basic Education District").
    [GeneratedRegex(@"(?<scheme>\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}")]
    private static partial Regex Bearer();

    // OpenAI keys (sk-…, sk-proj-…; other vendors' sk- keys may be standard base64, with + and / and = padding, which
    // must not end the match and leave the rest printed), Google API keys (AIza…), Google OAuth access tokens (ya29.…),
    // Stripe keys (sk_live_…, rk_test_…), GitHub tokens (ghp_…, github_pat_…) and signed JWTs (header.payload.signature,
    // both JSON parts base64url: eyJ…): the assertion a service account signs to get a token.
    [GeneratedRegex(@"\b(sk-[A-Za-z0-9_+/-]{16,}={0,2}|AIza[0-9A-Za-z_-]{30,}|ya29\.[A-Za-z0-9._-]{16,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})")]
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
