using System.Globalization;
using System.Net;
using System.Text.Json;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// An HTTP 200 whose body is the provider's error object saying what a 429 or a 5xx says (a gateway passing on an
/// upstream overload): <see cref="ResilientHandler"/> retries it as it retries those, under the same settings; past
/// <c>max_retries</c> it is EM0403 as any reply that cannot be used (<see cref="ProviderFailure.UnusableReply"/>).
/// </summary>
internal sealed class TransientErrorReply : Exception
{
    // Google's names for 429, 500, 503 and 504 (google.rpc.Code), which its error object carries as "status".
    private static readonly string[] TransientStatuses = ["RESOURCE_EXHAUSTED", "INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED"];

    public TransientErrorReply(string message, string said, TimeSpan? asked)
        : base(message)
    {
        Said = said;
        Asked = asked;
    }

    /// <summary>What the error object said of itself (its code, its status), for the retry's cause.</summary>
    public string Said { get; }

    /// <summary>The wait the reply asked for (<see cref="ServerRetryDelay"/>), honoured as a 429's is; null when it asked none.</summary>
    public TimeSpan? Asked { get; }

    /// <summary>
    /// The code and status of an error object that says the failure is transient: a <c>code</c> that as an HTTP status
    /// would be retried (408, 429, 5xx; a number or a numeric string), or one of Google's transient <c>status</c> names;
    /// null for any other error, which the same request would get again.
    /// </summary>
    public static string? Transient(JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var code = error.TryGetProperty("code", out var c) ? c.ValueKind switch
        {
            JsonValueKind.Number when c.TryGetInt32(out var n) => n,
            JsonValueKind.String when int.TryParse(c.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => (int?)null,
        } : null;
        var status = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var transient = code is >= 100 and < 600 && ResilientHandler.IsTransient((HttpStatusCode)code.Value)
            || TransientStatuses.Contains(status, StringComparer.Ordinal);
        return transient ? string.Join(' ', new[] { code?.ToString(CultureInfo.InvariantCulture), status }.Where(w => w is not null)) : null;
    }
}
