using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// The Vertex AI REST surface we call: <c>{base}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:{method}</c>.
/// The base is <c>https://{location}-aiplatform.googleapis.com</c> (<c>https://aiplatform.googleapis.com</c> for the global
/// location) unless electionmatch.yml names an <c>endpoint</c>.
/// </summary>
internal sealed class VertexEndpoint
{
    private readonly HttpClient _http;
    private readonly string _base;

    public VertexEndpoint(HttpClient http, string? endpoint, string project, string location)
    {
        _http = http;
        Project = project;
        Location = location;
        _base = endpoint is null ? (location == "global" ? "https://aiplatform.googleapis.com" : $"https://{location}-aiplatform.googleapis.com") : Base(endpoint);
    }

    public string Project { get; }

    public string Location { get; }

    public Uri BaseUri => new(_base);

    /// <summary>The host of an endpoint written with the API's version (<c>…/v1</c>) or pasted whole (<c>…/v1/projects/…</c>): the version is added here.</summary>
    private static string Base(string endpoint)
    {
        var path = endpoint.TrimEnd('/');
        var at = path.IndexOf("/v1/projects/", StringComparison.Ordinal);
        path = at >= 0 ? path[..at] : path;
        return path.EndsWith("/v1", StringComparison.Ordinal) ? path[..^3] : path;
    }

    /// <summary>Why Vertex AI may not serve the model asked: Gemini 3 and later are served on the global endpoint, and a retired model answers 404.</summary>
    private string NotServed(string model) =>
        Settings.GeminiModels.ServedGlobally(model) && Location != "global"
            ? $"; {model} is served at location global, as Gemini 3 and later models are, and this request asked {Location}: set 'location: global' (or GOOGLE_CLOUD_LOCATION=global)"
            : model.Contains("embedding", StringComparison.OrdinalIgnoreCase)
                ? "; a model Vertex AI retired answers 404 too: name one Google's model versions page lists (text-embedding-005, the default, or gemini-embedding-001)"
                : "; a model Vertex AI retired answers 404 too (gemini-2.5-flash, gemini-2.5-pro and gemini-2.5-flash-lite were retired on 2026-10-16; the judge's default is now gemini-3.5-flash-lite)";

    public async Task<JsonNode> PostAsync(string model, string method, JsonObject body, CancellationToken cancellationToken)
    {
        var url = $"{_base}/v1/projects/{Uri.EscapeDataString(Project)}/locations/{Uri.EscapeDataString(Location)}/publishers/google/models/{Uri.EscapeDataString(model)}:{method}";
        using var response = await _http.PostAsJsonAsync(url, body, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw ProviderFailure.NotFound(response.RequestMessage?.RequestUri ?? new Uri(url), text, NotServed(model));
        }

        if (response.StatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            // The whole of the words kept apart: a refusal of a request's size names the size allowed near their end.
            throw new VertexRefusal(ProviderFailure.Words(text) ?? response.ReasonPhrase ?? "no body", ProviderFailure.WholeWords(text) ?? "");
        }

        if (!response.IsSuccessStatusCode)
        {
            // Worded as OpenAI's failures are (ProviderFailure.Describe: "HTTP 403: <error.message>"); the body itself only
            // when it is not Google's error shape.
            throw new HttpRequestException(ProviderFailure.Words(text) ?? response.ReasonPhrase ?? "no body", null, response.StatusCode);
        }

        // VertexReplyCheck, inside the retries, has seen that a success is a JSON object holding what was asked.
        return JsonNode.Parse(text)!;
    }
}
