using System.Web;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// An Azure OpenAI deployment URL, <c>https://&lt;resource&gt;.openai.azure.com/openai/deployments/&lt;deployment&gt;</c>
/// (optionally with the operation and <c>?api-version=…</c> copied from the portal's target URI). Such endpoints name
/// the model in the path, want <c>api-version</c> on every request and the key in an <c>api-key</c> header; the
/// OpenAI client is pointed at the deployment and <see cref="AzureKeyHandler"/> does the rest.
/// </summary>
/// <param name="BaseUrl">The deployment's URL, to which the client appends <c>/chat/completions</c> or <c>/embeddings</c>.</param>
internal sealed record AzureDeployment(string BaseUrl, string Deployment, string ApiVersion)
{
    /// <summary>The newest generally available data-plane version when this was written; the URL's own wins.</summary>
    public const string DefaultApiVersion = "2024-10-21";

    /// <summary>Whether <paramref name="endpoint"/> is in the deployment form (named deployment or not).</summary>
    public static bool LooksLikeOne(string? endpoint) =>
        endpoint is not null && endpoint.Contains("/openai/deployments", StringComparison.OrdinalIgnoreCase);

    /// <returns>Null when <paramref name="endpoint"/> is not a deployment URL with a deployment name.</returns>
    public static AzureDeployment? Parse(string? endpoint)
    {
        if (!LooksLikeOne(endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.FindIndex(segments, s => s.Equals("deployments", StringComparison.OrdinalIgnoreCase));
        if (at < 1 || at + 1 >= segments.Length || !segments[at - 1].Equals("openai", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var path = "/" + string.Join('/', segments[..(at + 2)]);
        var version = HttpUtility.ParseQueryString(uri.Query)["api-version"];
        return new AzureDeployment(uri.GetLeftPart(UriPartial.Authority) + path, Uri.UnescapeDataString(segments[at + 1]), string.IsNullOrWhiteSpace(version) ? DefaultApiVersion : version);
    }
}
