using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// How long a server asks to be left alone before a retry, read the same way from a 429 or 5xx and from an HTTP 200
/// whose error object says the same (<see cref="TransientErrorReply"/>): <c>retry-after-ms</c> (OpenAI, Azure), else
/// <c>Retry-After</c>, else the error's Google <c>RetryInfo</c> detail (<c>"retryDelay": "12s"</c>, which Vertex AI sends
/// in the body of a 429 instead of a header). A value that cannot be read is no request: the back-off is used.
/// </summary>
internal static class ServerRetryDelay
{
    /// <summary>The type of the detail of a Google error that says how long to wait (google.rpc.RetryInfo).</summary>
    public const string RetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";

    /// <summary>The wait a reply's headers or its error object (<c>default</c> when it has none) ask for; null when neither asks.</summary>
    public static TimeSpan? Asked(HttpResponseHeaders headers, JsonElement error) => FromHeaders(headers) ?? FromRetryInfo(error);

    /// <summary>The wait a failed reply asks for, its body already buffered (the attempt reads it whole): the error object read from it.</summary>
    public static async Task<TimeSpan?> AskedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (FromHeaders(response.Headers) is { } asked)
        {
            return asked;
        }

        try
        {
            // Read as bytes: a body whose Content-Type names a charset .NET does not know cannot be read as a string,
            // and a wait that cannot be read is no request, not a failure of the attempt the retry is for.
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(body.AsMemory(Utf8Preamble(body)));
            return FromRetryInfo(ProviderFailure.ErrorObject(document.RootElement));
        }
        catch (JsonException)
        {
            // Not JSON (a gateway's page): nothing asked.
            return null;
        }
    }

    // JsonDocument reads UTF-8 without its byte order mark.
    private static int Utf8Preamble(byte[] body) => body.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;

    /// <summary>retry-after-ms is finer than Retry-After's whole seconds, so it wins when both are sent.</summary>
    private static TimeSpan? FromHeaders(HttpResponseHeaders headers)
    {
        if (headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            // A wait longer than any TimeSpan (1e300, Infinity) is the longest one; max_retry_delay_seconds caps it.
            return ms < TimeSpan.MaxValue.TotalMilliseconds ? TimeSpan.FromMilliseconds(ms) : TimeSpan.MaxValue;
        }

        return headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow : TimeSpan.Zero,
            _ => null,
        };
    }

    /// <summary>The <c>retryDelay</c> of the first RetryInfo among a Google error's <c>details</c>; null when there is none or it cannot be read.</summary>
    private static TimeSpan? FromRetryInfo(JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object || !error.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var detail in details.EnumerateArray())
        {
            if (detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("@type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == RetryInfoType)
            {
                return detail.TryGetProperty("retryDelay", out var delay) && delay.ValueKind == JsonValueKind.String ? Duration(delay.GetString()!) : null;
            }
        }

        return null;
    }

    /// <summary>
    /// A google.protobuf.Duration as JSON writes it, seconds with an optional fraction and an <c>s</c> (<c>"12s"</c>,
    /// <c>"1.5s"</c>); null for anything else (no <c>s</c>, a sign, an exponent, spaces, a number too long to be one).
    /// </summary>
    internal static TimeSpan? Duration(string text)
    {
        if (text.Length < 2 || text[^1] != 's'
            || !decimal.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return null;
        }

        // Longer than any TimeSpan is the longest one; max_retry_delay_seconds caps it.
        return seconds < (decimal)TimeSpan.MaxValue.TotalSeconds - 1 ? TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond)) : TimeSpan.MaxValue;
    }
}
