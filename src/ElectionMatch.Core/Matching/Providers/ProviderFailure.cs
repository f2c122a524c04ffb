using System.ClientModel;
using System.Text.Json;
using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;
using Google.Apis.Auth.OAuth2.Responses;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// How EM0403 words a provider's failure: one line (a diagnostic is one line in every CI log and IDE), with the
/// HTTP status and the provider's own words where it gave some, through the one redaction path. The OpenAI SDK's
/// message is several lines (<c>HTTP 429 (: )</c>, a blank line, the body); its status and body are read instead.
/// </summary>
internal static partial class ProviderFailure
{
    private const int MaxWords = 300;

    public static string Describe(Exception e)
    {
        var inner = Unwrapped(e);
        var text = inner switch
        {
            ClientResultException { Status: > 0 } http => $"HTTP {http.Status}: {ProviderWords(http) ?? inner.Message}{(http.Status == 429 && QuotaSpent(RawBody(http)) ? QuotaSpentAdvice : "")}",
            // A handler's failure (NotFoundCheck), wrapped by the OpenAI client's transport without a response.
            ClientResultException { InnerException: HttpRequestException { StatusCode: { } status } http } => $"HTTP {(int)status}: {http.Message}",
            // Vertex AI's endpoint puts the provider's words (Words) in the message of its failures.
            HttpRequestException { StatusCode: { } status } http => $"HTTP {(int)status}: {http.Message}",
            // No status: the request never got an answer (connection refused, DNS, no answer in time); the message says which.
            ClientResultException or HttpRequestException or TimeoutException or IOException => inner.Message,
            // A transient error in a reply answered with success is an unusable reply once its retries have run out.
            InvalidDataException or TransientErrorReply => $"invalid reply: {inner.Message}",
            // A reply a client library could not read, when no check saw it first.
            JsonException json => $"invalid reply: {NotJson(json)}",
            TokenResponseException token => $"getting a Google OAuth access token failed{(token.StatusCode is { } s ? $" (HTTP {(int)s})" : "")}{TokenWords(token)}",
            // Already in our words: the token endpoint's host and what happened.
            GoogleTokenFailure => inner.Message,
            // Not a provider's failure but ours: the type says where to look.
            _ => $"{inner.GetType().Name}: {inner.Message}",
        };
        // Masked before the lines are joined (a registered multi-line key is matched as registered) and after.
        return Secrets.Redact(Whitespace().Replace(Secrets.Redact(text), " ").Trim());
    }

    // A token endpoint's error and description (OAuth's error, error_description), each when it gave one.
    private static string TokenWords(TokenResponseException token) =>
        string.Join(' ', new[] { token.Error?.Error, token.Error?.ErrorDescription }.Where(w => !string.IsNullOrWhiteSpace(w))) is { Length: > 0 } words ? $": {words}" : "";

    /// <summary>
    /// Why an OpenAI-compatible server refused a prompt its content filter flagged (Azure OpenAI: HTTP 400 with
    /// <c>error.code</c> <c>content_filter</c>), in its words; null for any other failure.
    /// </summary>
    public static string? PromptFiltered(Exception e)
    {
        if (Unwrapped(e) is not ClientResultException { Status: 400 } http)
        {
            return null;
        }

        try
        {
            var body = http.GetRawResponse()?.Content?.ToString() ?? "";
            using var document = JsonDocument.Parse(body);
            var error = ErrorObject(document.RootElement);
            return error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && code.GetString() == "content_filter"
                ? $"the provider's content filter refused the prompt: HTTP 400: {Words(body)}"
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The HTTP status a provider answered the failed request with; null when it gave none.</summary>
    public static int? Status(Exception e) =>
        Unwrapped(e) switch
        {
            ClientResultException { Status: > 0 } http => http.Status,
            ClientResultException { InnerException: HttpRequestException { StatusCode: { } status } } => (int)status,
            HttpRequestException { StatusCode: { } status } => (int)status,
            _ => null,
        };

    // The failure itself, out of an AggregateException that holds only it.
    private static Exception Unwrapped(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0] : e;

    /// <summary>
    /// A reply answered with success that cannot be used, worded alike for every provider and step
    /// (<c>HTTP 200 from host, but it is not JSON (…)</c>); <see cref="Describe"/> says <c>invalid reply:</c> before it.
    /// </summary>
    public static InvalidDataException UnusableReply(string? host, string problem) => new(UnusableReplyMessage(host, problem));

    /// <summary>
    /// A reply answered with success whose error object says the failure is transient (<paramref name="said"/>): retried,
    /// after the wait it <paramref name="asked"/> for when it asked one, and worded as <see cref="UnusableReply"/> when the retries run out.
    /// </summary>
    public static TransientErrorReply TransientReply(string? host, string problem, string said, TimeSpan? asked) => new(UnusableReplyMessage(host, problem), said, asked);

    private static string UnusableReplyMessage(string? host, string problem)
    {
        // Masked before it is cut, as Words is: a key cut in two would no longer be found.
        problem = Secrets.Redact(problem);
        return $"HTTP 200 from {host}, but {(problem.Length <= MaxWords ? problem : problem[..MaxWords] + "…")}";
    }

    /// <summary>
    /// A 404, with the URL asked: a wrong <c>endpoint</c> (a base URL without its /v1, or the whole URL of an operation)
    /// or a model the server does not have. <see cref="Describe"/> says <c>HTTP 404:</c> before it. Without the URL's user
    /// information (<c>user:password@</c>) or query, which may carry a credential.
    /// </summary>
    /// <param name="advice">What the provider adds about why a model may not be served, from "; ".</param>
    public static HttpRequestException NotFound(Uri? url, string body, string advice = "") =>
        new($"{Words(body) ?? "no body"}; nothing answers at {url?.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)}: check 'model', and that 'endpoint' in electionmatch.yml is the server's base URL (usually ending in /v1; for Vertex AI the host alone){advice}", null, System.Net.HttpStatusCode.NotFound);

    /// <summary>What a body that does not parse is said to be, with the parser's position (its own words are .NET's, and quote the text).</summary>
    public static string NotJson(JsonException e) => $"it is not JSON ({StopsAt(e)})";

    /// <summary>Where a body that does not parse stops being JSON, in our words (the parser's quote the text, which may be a key).</summary>
    public static string StopsAt(JsonException e) => $"it stops being JSON at {Where(e)}";

    /// <summary>Where a JSON parser stopped, counted from 1.</summary>
    public static string Where(JsonException e) => $"line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}";

    private static string? ProviderWords(ClientResultException e) => RawBody(e) is { } body ? Words(body) : null;

    private static string? RawBody(ClientResultException e)
    {
        try
        {
            return e.GetRawResponse()?.Content?.ToString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private const string QuotaSpentAdvice =
        "; insufficient_quota: the account's credit or quota is used up, which no wait restores, so it was not retried: add credit or raise the quota in the provider's billing settings";

    /// <summary>
    /// Whether a 429 is OpenAI's <c>insufficient_quota</c> (<c>error.code</c> or <c>error.type</c>): the account's
    /// credit or monthly quota is spent, not a rate passed, so retrying after a wait only fails again. Its body is
    /// buffered (the attempt reads it whole).
    /// </summary>
    public static async Task<bool> QuotaSpentAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return QuotaSpent(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (InvalidOperationException)
        {
            // A charset .NET does not know: not OpenAI's JSON error.
            return false;
        }
    }

    private static bool QuotaSpent(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var error = ErrorObject(document.RootElement);
            return error.ValueKind == JsonValueKind.Object
                && new[] { "code", "type" }.Any(k => error.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() == "insufficient_quota");
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// An error body's <c>error.message</c> (OpenAI, Azure and most compatible servers; Google's
    /// <c>{"error": {"code", "message", "status"}}</c>, also as the first item of a list), else the body, shortened;
    /// null for an empty body.
    /// </summary>
    public static string? Words(string body) => WholeWords(body) is { } words ? Shorten(words) : null;

    /// <summary>What <see cref="Words"/> gives before it is shortened: to be read, not printed.</summary>
    public static string? WholeWords(string body)
    {
        if (body.Trim().Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var error = ErrorObject(document.RootElement);
            if ((error.ValueKind == JsonValueKind.String ? error : error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m : default) is { ValueKind: JsonValueKind.String } message)
            {
                return message.GetString() ?? "";
            }
        }
        catch (JsonException)
        {
            // Not JSON (a gateway's HTML page): the text itself.
        }

        return body;
    }

    /// <summary>
    /// An error body's <c>error</c> (OpenAI's and Google's <c>{"error": …}</c>, Google's also as the first item of a list);
    /// <c>default</c> when it has none.
    /// </summary>
    public static JsonElement ErrorObject(JsonElement root)
    {
        var first = root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0 ? root[0] : root;
        return first.ValueKind == JsonValueKind.Object && first.TryGetProperty("error", out var error) ? error : default;
    }

    // Masked before it is cut: a key cut in two would no longer be found, and its first part would be printed.
    private static string Shorten(string text)
    {
        text = Secrets.Redact(text);
        return text.Length <= MaxWords ? text : text[..MaxWords] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
