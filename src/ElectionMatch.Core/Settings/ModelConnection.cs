using ElectionMatch.Diagnostics;

namespace ElectionMatch.Settings;

/// <summary>
/// How to reach a model provider and how hard to push it, shared by the judge and the embeddings step.
/// Keys are never stored here: <see cref="ApiKeyEnv"/> names the environment variable that holds one.
/// </summary>
public sealed record ModelConnection
{
    public static ModelConnection Defaults { get; } = new();

    /// <summary>Vertex AI project; else $GOOGLE_CLOUD_PROJECT.</summary>
    public string? Project { get; init; }

    /// <summary>Vertex AI region; else $GOOGLE_CLOUD_LOCATION, else us-central1.</summary>
    public string? Location { get; init; }

    /// <summary>Base URL replacing the provider's own (Azure OpenAI, Ollama, vLLM, a test server).</summary>
    public string? Endpoint { get; init; }

    /// <summary>The environment variable holding the API key (OpenAI-compatible providers).</summary>
    public string ApiKeyEnv { get; init; } = "OPENAI_API_KEY";

    /// <summary>A Vertex AI service-account JSON file; when absent, application-default credentials.</summary>
    public string? CredentialsFile { get; init; }

    /// <summary>Requests in flight at once, across contests.</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Request starts per minute; 0 means no limit.</summary>
    public double RequestsPerMinute { get; init; } = 300;

    /// <summary>One attempt's time limit; a timed-out attempt is retried.</summary>
    public double TimeoutSeconds { get; init; } = 60;

    /// <summary>
    /// After Ctrl-C, how long a request already sent may still take to answer, so its answer is cached instead of
    /// billed and dropped; 0 abandons it at once.
    /// </summary>
    public double CancelGraceSeconds { get; init; } = 5;

    /// <summary>Retries after a 429, a 5xx, a timeout or a dropped connection.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>First backoff delay; doubled each retry, with jitter.</summary>
    public double RetryBaseDelaySeconds { get; init; } = 1;

    /// <summary>No wait is longer, whatever the server asks (Retry-After, retry-after-ms, a Google RetryInfo).</summary>
    public double MaxRetryDelaySeconds { get; init; } = 60;

    /// <summary>Null when electionmatch.yml sets none: the cost is then not estimated (an estimate of 0 would read as free).</summary>
    public double? PricePerMillionInputTokens { get; init; }

    public double? PricePerMillionOutputTokens { get; init; }

    /// <summary>
    /// The discounted price of input tokens the provider read from its prompt cache (Gemini's implicit caching, OpenAI's
    /// prompt caching); null bills them at <see cref="PricePerMillionInputTokens"/>, as the other input tokens.
    /// </summary>
    public double? PricePerMillionCachedInputTokens { get; init; }

    /// <summary>
    /// The price of a million billable input characters (Vertex AI's text-embedding models bill per character, not per
    /// token); when set, the input is billed by its characters, and the input-token prices are not used.
    /// </summary>
    public double? PricePerMillionInputCharacters { get; init; }

    /// <summary>Where the block is in electionmatch.yml, for diagnostics about it.</summary>
    public SourceSpan At { get; init; } = SourceSpan.None;

    /// <summary>
    /// The estimated cost in the currency of the configured prices (a price not set counts 0); null when none is set.
    /// <paramref name="cachedInputTokens"/> are among <paramref name="inputTokens"/>, as both providers count them.
    /// </summary>
    public double? EstimatedCost(long inputTokens, long outputTokens, long cachedInputTokens = 0, long inputCharacters = 0)
    {
        if (PricePerMillionInputTokens is null && PricePerMillionOutputTokens is null && PricePerMillionCachedInputTokens is null && PricePerMillionInputCharacters is null)
        {
            return null;
        }

        double input;
        if (PricePerMillionInputCharacters is { } perCharacter)
        {
            input = inputCharacters * perCharacter;
        }
        else
        {
            // A server that says more tokens were cached than it was sent has its count cut to the input's: no input bills below 0.
            var cached = PricePerMillionCachedInputTokens is null ? 0 : Math.Clamp(cachedInputTokens, 0, Math.Max(inputTokens, 0));
            input = ((inputTokens - cached) * PricePerMillionInputTokens ?? 0) + (cached * PricePerMillionCachedInputTokens ?? 0);
        }

        return (input + (outputTokens * PricePerMillionOutputTokens ?? 0)) / 1_000_000;
    }
}
