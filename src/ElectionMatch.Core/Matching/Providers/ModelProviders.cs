using System.ClientModel;
using System.ClientModel.Primitives;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Matching.Judging;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.AI;
using OpenAI;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// The judge and embedder a match runs with, built from its settings: the offline ones (null here, the
/// matchers' defaults), or Vertex AI / OpenAI-compatible clients behind Microsoft.Extensions.AI with the
/// resilient HTTP pipeline. Credentials are read here, and registered with <see cref="Secrets"/> as they are.
/// In replay mode no client is built and no credential is read: answers come only from the cache.
/// </summary>
public sealed class ModelProviders : IDisposable
{
    private const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
    private readonly List<IDisposable> _owned = [];

    private ModelProviders()
    {
    }

    /// <summary>The LLM judge, or null for the kind's rule judge.</summary>
    public IMatchJudge? Judge { get; private set; }

    /// <summary>The provider embedder, or null for the offline one.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? Embeddings { get; private set; }

    public ModelUsage? JudgeUsage { get; private set; }

    /// <summary>The judge's prompt template and the SHA-256 of its text, for the manifest; null offline.</summary>
    public (string Template, string Sha256)? PromptTemplate { get; private set; }

    public ModelUsage? EmbeddingUsage { get; private set; }

    /// <summary>Each provider step's figures as they stand now, as the manifest's models list has them.</summary>
    public IReadOnlyList<Snapshots.ManifestModelUsage> Models =>
        new[] { JudgeUsage, EmbeddingUsage }.OfType<ModelUsage>().Select(Snapshots.ManifestModelUsage.Of).ToList();

    /// <summary>
    /// What the run should say about how its providers were asked: embedding requests refused for their size and sent
    /// again in parts (EM0404), with the <c>batch_size</c> that sends none the provider refuses; a character price for a
    /// model that reported no characters (EM0405).
    /// </summary>
    public IReadOnlyList<Diagnostic> Warnings(MatchSettings match)
    {
        var warnings = new List<Diagnostic>();
        if (EmbeddingUsage is { Requests: > 0, InputCharacters: 0, Connection.PricePerMillionInputCharacters: not null } billed)
        {
            // A model that bills by tokens (the Gemini embedding models, an OpenAI server) reports no characters: the
            // estimate would read 0 as if the run were free.
            warnings.Add(Diagnostic.Warning(Codes.NoBillableCharacters, billed.Connection.At,
                $"match '{match.Name}': price_per_million_input_characters is set, but {billed.Provider}/{billed.Model} reported no billable characters in {billed.Requests} requests, so the estimated cost leaves the embeddings' input out; for a model billed by tokens set price_per_million_input_tokens instead"));
        }

        if (EmbeddingUsage is not { RefusedForSize: > 0 } usage)
        {
            return warnings;
        }

        var requests = usage.RefusedForSize == 1 ? "1 embedding request was" : $"{usage.RefusedForSize} embedding requests were";
        var why = usage.TextsPerRequest is { } most
            ? $"refused for holding more texts than {usage.Provider}/{usage.Model} takes (at most {most} a request; {usage.LargestRefused} were sent) and sent again in parts of {most}; set 'batch_size: {most}' under embeddings: to send none it refuses"
            : $"refused for holding more tokens than {usage.Provider}/{usage.Model} takes in one request and sent again in halves; a smaller 'batch_size' under embeddings: (now {match.Embeddings.TextsPerRequest}) sends fewer it refuses";
        warnings.Add(Diagnostic.Warning(Codes.EmbeddingRequestsRefusedForSize, usage.Connection.At, $"match '{match.Name}': {requests} {why}"));
        return warnings;
    }

    /// <summary>Whether answers come only from the warehouse's cache (<c>--replay</c>): nothing is asked again.</summary>
    public bool Replay { get; private set; }

    /// <summary>How Ctrl-C reaches the requests of this run.</summary>
    public Interruption Interruption { get; private set; } = new(CancellationToken.None);

    /// <param name="projectDirectory">credentials_file is relative to it.</param>
    /// <param name="interruption">Stops the run's requests; none when the caller cannot stop them.</param>
    public static ModelProviders Create(MatchSettings match, string projectDirectory, TemplateLibrary templates, DuckDbWarehouse warehouse, bool replay, Interruption? interruption = null)
    {
        var providers = new ModelProviders { Replay = replay };
        providers.Interruption = interruption ?? providers.Interruption;
        var judge = match.Judge;
        if (!judge.IsOffline)
        {
            var usage = new ModelUsage("judge", judge.Provider, judge.Model, judge.Connection);
            var chat = replay ? null : providers.ChatClient(judge, usage, projectDirectory);
            // No threshold is rendered: judge_accept applies to the answers after they arrive, so moving it reuses them.
            var prompt = new JudgePrompt(templates, match.Kind, new Dictionary<string, object?>
            {
                ["max_candidates"] = Matches.L2BallotReady.DistrictSelection.MaxCandidates,
            });
            providers.JudgeUsage = usage;
            providers.PromptTemplate = (prompt.TemplateName, templates.Sha256(prompt.TemplateName));
            var cache = new JudgeCache(warehouse);
            providers._owned.Add(cache);
            providers.Judge = new LlmJudge(chat, judge.Provider, judge.Model, prompt, cache, usage, judge.Connection.MaxConcurrency, providers.Interruption) { MaxOutputTokens = judge.MaxOutputTokens, Temperature = (float?)judge.Temperature };
        }

        var embeddings = match.Embeddings;
        if (!embeddings.IsOffline)
        {
            var usage = new ModelUsage("embeddings", embeddings.Provider, embeddings.Model, embeddings.Connection);
            var inner = replay ? null : providers.EmbeddingGenerator(embeddings, usage, projectDirectory);
            providers.EmbeddingUsage = usage;
            providers.Embeddings = new ProviderEmbeddingGenerator(inner, embeddings.Provider, embeddings.Model, embeddings.Dimensions, usage, match.Name, providers.Interruption)
            {
                TextsPerRequest = embeddings.TextsPerRequest,
                TextTask = embeddings.TextTask,
            };
        }

        return providers;
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private IChatClient ChatClient(JudgeSettings judge, ModelUsage usage, string projectDirectory) => judge.Provider switch
    {
        "openai" => OpenAi(judge.Connection, usage).GetChatClient(judge.Model).AsIChatClient(),
        "vertex" => new VertexChatClient(Vertex(judge.Connection, usage, projectDirectory), judge.Model) { ThinkingBudget = judge.ThinkingBudget, ThinkingLevel = judge.ThinkingLevel },
        _ => throw new ArgumentOutOfRangeException(nameof(judge), judge.Provider, "unknown provider"),
    };

    private IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator(EmbeddingSettings settings, ModelUsage usage, string projectDirectory) => settings.Provider switch
    {
        "openai" => new OpenAiEmbeddingGenerator(OpenAi(settings.Connection, usage).GetEmbeddingClient(settings.Model), settings.Model, settings.Dimensions),
        "vertex" => new VertexEmbeddingGenerator(Vertex(settings.Connection, usage, projectDirectory), settings.Model, settings.Dimensions, usage),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Provider, "unknown provider"),
    };

    /// <summary>OpenAI, Azure OpenAI (its /openai/v1 endpoint or a deployment URL) and local servers (Ollama, vLLM) by base URL.</summary>
    private OpenAIClient OpenAi(ModelConnection connection, ModelUsage usage)
    {
        var variable = Secrets.MayBeRandomKey(connection.ApiKeyEnv)
            ? "the environment variable api_key_env names (not quoted here: the name looks like a key itself; check it is a variable's name)"
            : $"the environment variable {connection.ApiKeyEnv} (named by api_key_env)";
        var value = Environment.GetEnvironmentVariable(connection.ApiKeyEnv);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw DiagnosticException.At(Codes.ProviderNotConfigured, connection.At,
                $"{usage.Step} provider openai needs an API key in {variable}, and it is {(value is null ? "not set" : "set but empty")}");
        }

        // A key read from a file or a .env written on Windows ends in a line break, which an HTTP header cannot carry.
        var key = value.Trim();
        if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw DiagnosticException.At(Codes.ProviderNotConfigured, connection.At,
                $"{usage.Step} provider openai: the API key in {variable} contains a line break, space or other control character inside it, which an HTTP header cannot carry; set the variable to the key alone");
        }

        if (key.Length < Secrets.ShortestApiKey)
        {
            throw DiagnosticException.At(Codes.ProviderNotConfigured, connection.At,
                $"{usage.Step} provider openai: the API key in {variable} is shorter than {Secrets.ShortestApiKey} characters, which could not be masked in output without masking ordinary words and numbers; use a longer key (a local server that checks no key takes any)");
        }

        Secrets.RegisterApiKey(key);
        var azure = AzureDeployment.Parse(connection.Endpoint);
        var options = new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(Http(connection, usage, inner =>
                azure is null ? new SuccessReplyCheck(inner) : new AzureKeyHandler(azure.ApiVersion, new SuccessReplyCheck(inner)), retried => new NotFoundCheck(retried))),
            // Our handler retries (and counts and paces); the SDK's own retries would hide them.
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        if (connection.Endpoint is { } endpoint)
        {
            options.Endpoint = new Uri(azure?.BaseUrl ?? OpenAiBase(endpoint));
        }

        return new OpenAIClient(new ApiKeyCredential(key), options);
    }

    // The client appends the operation's path: an endpoint pasted with it (…/v1/chat/completions) is cut back to the base URL.
    private static string OpenAiBase(string endpoint)
    {
        foreach (var operation in new[] { "/chat/completions", "/embeddings" })
        {
            if (endpoint.EndsWith(operation, StringComparison.Ordinal))
            {
                return endpoint[..^operation.Length];
            }
        }

        return endpoint;
    }

    private VertexEndpoint Vertex(ModelConnection connection, ModelUsage usage, string projectDirectory)
    {
        var project = connection.Project ?? FromEnvironment("GOOGLE_CLOUD_PROJECT");
        if (string.IsNullOrWhiteSpace(project))
        {
            throw DiagnosticException.At(Codes.ProviderNotConfigured, connection.At,
                $"{usage.Step} provider vertex needs a project: set 'project' in {ElectionMatchSettings.FileName} or the environment variable GOOGLE_CLOUD_PROJECT");
        }

        var location = connection.Location ?? FromEnvironment("GOOGLE_CLOUD_LOCATION") ?? GeminiModels.DefaultLocation(usage.Model);
        var credential = Credential(connection, projectDirectory, new TokenEndpointClients(inner => Resilient(connection, usage, inner)));
        // The token is put on before the retries: they resend the request, and the token endpoint retries on its own.
        return new VertexEndpoint(Http(connection, usage, inner => new VertexReplyCheck(inner), retried => new GoogleAuthHandler(new GoogleTokens(credential), usage, retried) { QuotaProject = credential.QuotaProject }), connection.Endpoint, project, location);
    }

    // Trimmed, and null when empty: a value set by `export X=` or read from a file would otherwise go into the URL as it is.
    private static string? FromEnvironment(string variable) =>
        Environment.GetEnvironmentVariable(variable)?.Trim() is { Length: > 0 } value ? value : null;

    /// <param name="tokenClients">The token endpoint's HTTP clients: our retry policy in place of Google.Apis.Auth's own.</param>
    private static GoogleCredential Credential(ModelConnection connection, string projectDirectory, TokenEndpointClients tokenClients)
    {
        // The file is read here, not by GoogleCredential.GetApplicationDefault: that says what is wrong in the library's
        // words, and keeps its first answer for the life of the process (an MSBuild node) even after the file is fixed.
        var file = connection.CredentialsFile is { } configured
            ? GoogleCredentialFile.Configured(configured, projectDirectory)
            : GoogleCredentialFile.ApplicationDefault();
        try
        {
            var credential = file is null ? ComputeEngine() : file.Load();
            // Application-default credentials take their quota project from GOOGLE_CLOUD_QUOTA_PROJECT over the file's
            // quota_project_id, as Google's client libraries do; a credentials_file keeps its own.
            credential = connection.CredentialsFile is null ? credential.CreateWithEnvironmentQuotaProject() : credential;
            return credential.CreateScoped(CloudPlatformScope).CreateWithHttpClientFactory(tokenClients);
        }
        catch (Exception e) when (e is not DiagnosticException and not OutOfMemoryException)
        {
            throw DiagnosticException.At(Codes.ProviderNotConfigured, connection.At,
                $"Vertex AI credentials could not be loaded ({file?.Source ?? "application-default credentials"}): {Secrets.Redact(e.Message)}");
        }
    }

    // Neither the variable nor gcloud's file: the attached service account of a Compute Engine VM, Cloud Run or GKE, if any.
    private static GoogleCredential ComputeEngine()
    {
        try
        {
            return GoogleCredential.GetApplicationDefault();
        }
        catch (Exception e) when (e is InvalidOperationException or AggregateException { InnerException: InvalidOperationException })
        {
            throw new InvalidDataException(GoogleCredentialFile.NoneFound);
        }
    }

    /// <param name="provider">The provider's own handlers (credentials, reply checks) around the socket handler, inside the retries.</param>
    /// <param name="beforeRetries">Handlers around the retries, run once per request.</param>
    private HttpClient Http(ModelConnection connection, ModelUsage usage, Func<HttpMessageHandler, HttpMessageHandler> provider, Func<HttpMessageHandler, HttpMessageHandler>? beforeRetries = null)
    {
        var handler = Resilient(connection, usage, provider(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }));
        var client = new HttpClient(beforeRetries?.Invoke(handler) ?? handler) { Timeout = Timeout.InfiniteTimeSpan };
        _owned.Add(client);
        return client;
    }

    private ResilientHandler Resilient(ModelConnection connection, ModelUsage usage, HttpMessageHandler inner) =>
        new(connection, usage, inner, Interruption);
}
