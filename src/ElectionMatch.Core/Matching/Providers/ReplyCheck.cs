using System.Text.Json;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// A reply answered with success that cannot be used as one fails here, inside the retries: its body is read as JSON
/// and judged by the provider's check (<see cref="SuccessReplyCheck"/>, <see cref="VertexReplyCheck"/>); an error
/// object that says what a 429 or a 5xx says (<see cref="TransientErrorReply"/>) is retried as they are (after the wait
/// its headers or its error's RetryInfo ask for, <see cref="ServerRetryDelay"/>), any other
/// problem is EM0403 at once (<see cref="ProviderFailure.UnusableReply"/>).
/// </summary>
internal abstract class ReplyCheck : DelegatingHandler
{
    // The ends of the paths whose replies are checked, each with the key its reply must carry; others pass unread.
    private readonly (string PathEnd, string Expected)[] checkedPaths;

    protected ReplyCheck(HttpMessageHandler inner, params (string PathEnd, string Expected)[] checkedPaths)
        : base(inner)
    {
        this.checkedPaths = checkedPaths;
    }

    protected sealed override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var path = request.RequestUri?.AbsolutePath ?? "";
        // No path end matched: the default pair, whose key is null.
        string? expected = checkedPaths.FirstOrDefault(p => path.EndsWith(p.PathEnd, StringComparison.Ordinal)).Expected;
        if (!response.IsSuccessStatusCode || expected is null)
        {
            return response;
        }

        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? problem;
        string? transient = null;
        TimeSpan? asked = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            (problem, var error) = Judge(document.RootElement, expected);
            transient = problem is not null && error.ValueKind != JsonValueKind.Undefined ? TransientErrorReply.Transient(error) : null;
            // The wait it asks for, read as a 429's is: its headers, else its error's RetryInfo.
            asked = transient is null ? null : ServerRetryDelay.Asked(response.Headers, error);
        }
        catch (JsonException e)
        {
            problem = ProviderFailure.NotJson(e);
        }

        if (problem is null)
        {
            Accepted(body, expected);
            return response;
        }

        response.Dispose();
        var host = request.RequestUri?.Host;
        throw transient is null ? ProviderFailure.UnusableReply(host, problem) : ProviderFailure.TransientReply(host, problem, transient, asked);
    }

    /// <summary>
    /// What is wrong with the reply (null when nothing is), and the error object to ask whether it is transient
    /// (<c>default</c> when the problem is not the error object's).
    /// </summary>
    protected abstract (string? Problem, JsonElement Error) Judge(JsonElement root, string expected);

    /// <summary>A further check of a reply judged usable; it throws what it finds.</summary>
    protected virtual void Accepted(string body, string expected)
    {
    }
}
