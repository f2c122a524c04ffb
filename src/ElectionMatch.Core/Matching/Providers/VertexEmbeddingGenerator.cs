using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// Vertex AI text embeddings behind <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, for semantic similarity (both
/// sides of a match are records, not queries and documents) at the configured dimensions. Two surfaces, by model:
/// <list type="bullet">
/// <item><c>predict</c> with one instance per text and <c>task_type: SEMANTIC_SIMILARITY</c>, for <c>text-embedding-*</c>,
/// <c>text-multilingual-embedding-*</c> and <c>gemini-embedding-001</c>. Vertex AI caps a request by model (250 texts,
/// or 1 for some models in some regions) and at 20,000 tokens. A request it refuses for its size is sent again in the
/// parts its words allow, and the smaller size is kept for the rest of the run
/// (<see cref="ModelUsage.TextsPerRequest"/>: the run warns, EM0404).</item>
/// <item><c>embedContent</c>, one text a request, for the other Gemini embedding models (<c>gemini-embedding-2</c> and
/// later), which Vertex AI's <c>predict</c> refuses. They take no taskType: the task is written before the text
/// (<see cref="Settings.GeminiModels.SentenceSimilarityPrefix"/>).</item>
/// </list>
/// A predict reply's <c>metadata.billableCharacterCount</c>, what the text-embedding models bill by, goes on in the
/// usage's <see cref="UsageDetails.AdditionalCounts"/> under <see cref="BillableCharacters"/>, summed over the parts.
/// </summary>
internal sealed partial class VertexEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key of the request's billable input characters.</summary>
    public const string BillableCharacters = "electionmatch_billable_characters";

    private readonly VertexEndpoint _endpoint;
    private readonly string _model;
    private readonly int _dimensions;
    private readonly ModelUsage _usage;

    public VertexEmbeddingGenerator(VertexEndpoint endpoint, string model, int dimensions, ModelUsage usage)
    {
        _endpoint = endpoint;
        _model = model;
        _dimensions = dimensions;
        _usage = usage;
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var dimensions = options?.Dimensions ?? _dimensions;
        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        long tokens = 0;
        long? characters = null;
        if (Settings.GeminiModels.EmbedsOneText(_model))
        {
            foreach (var text in texts)
            {
                tokens += await EmbedContentAsync(text, dimensions, embeddings, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var start = 0;
            var size = Math.Min(texts.Count, _usage.TextsPerRequest ?? int.MaxValue);
            while (start < texts.Count)
            {
                var count = Math.Min(size, texts.Count - start);
                try
                {
                    var (partTokens, partCharacters) = await PredictAsync(texts, start, count, dimensions, embeddings, cancellationToken).ConfigureAwait(false);
                    tokens += partTokens;
                    characters = partCharacters is { } c ? (characters ?? 0) + c : characters;
                    start += count;
                }
                catch (VertexRefusal refusal) when (Smaller(refusal.Words, count) is { } allowed)
                {
                    // Refused for its size, which the refusal's words give (or, for its tokens, half as many texts).
                    size = allowed.Texts;
                    _usage.Refused(count, allowed.Fixed ? allowed.Texts : null);
                }
            }
        }

        embeddings.Usage = new UsageDetails { InputTokenCount = tokens };
        if (characters is { } billed)
        {
            embeddings.Usage.AdditionalCounts = new() { [BillableCharacters] = billed };
        }

        return embeddings;
    }

    /// <returns>The request's tokens, and its billable characters when the reply says.</returns>
    private async Task<(long Tokens, long? Characters)> PredictAsync(IReadOnlyList<string> texts, int start, int count, int dimensions, GeneratedEmbeddings<Embedding<float>> embeddings, CancellationToken cancellationToken)
    {
        var instances = new JsonArray();
        for (var i = start; i < start + count; i++)
        {
            instances.Add(new JsonObject { ["content"] = texts[i], ["task_type"] = "SEMANTIC_SIMILARITY" });
        }

        var body = new JsonObject
        {
            ["instances"] = instances,
            ["parameters"] = new JsonObject { ["outputDimensionality"] = dimensions, ["autoTruncate"] = true },
        };
        var reply = await _endpoint.PostAsync(_model, "predict", body, cancellationToken).ConfigureAwait(false);
        var predictions = reply["predictions"] as JsonArray ?? throw new InvalidDataException("Vertex AI predict answered without predictions");
        if (predictions.Count != count && count < texts.Count)
        {
            // A part of a split batch: the batch's count would not show a part one short beside another one over.
            throw new InvalidDataException($"the reply has {predictions.Count} vectors for {count} texts");
        }

        long tokens = 0;
        for (var i = 0; i < predictions.Count; i++)
        {
            var embedding = (predictions[i] as JsonObject)?["embeddings"] as JsonObject;
            var vector = embedding?["values"] as JsonArray ?? throw new InvalidDataException($"Vertex AI predict answered a prediction ({start + i}) without embeddings.values");
            embeddings.Add(new Embedding<float>(VectorValue.Read(vector, start + i)) { ModelId = _model });
            // Only the cost estimate reads it: a count of another shape is none.
            tokens += VectorValue.Count((embedding!["statistics"] as JsonObject)?["token_count"]) ?? 0;
        }

        // Fewer or more vectors than texts in a whole batch is caught where the batch is checked (ProviderEmbeddingGenerator).
        // The characters are the request's, not a prediction's; like the token counts, only the cost estimate reads them.
        return (tokens, VectorValue.Count((reply["metadata"] as JsonObject)?["billableCharacterCount"]));
    }

    private async Task<long> EmbedContentAsync(string text, int dimensions, GeneratedEmbeddings<Embedding<float>> embeddings, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            // These models take no taskType: the task goes before the text, and the cache's key names it.
            ["content"] = new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["text"] = Settings.GeminiModels.SentenceSimilarityPrefix + text }) },
            ["outputDimensionality"] = dimensions,
            ["autoTruncate"] = true,
        };
        var reply = await _endpoint.PostAsync(_model, "embedContent", body, cancellationToken).ConfigureAwait(false);
        var vector = (reply["embedding"] as JsonObject)?["values"] as JsonArray
            ?? throw new InvalidDataException($"Vertex AI embedContent answered text {embeddings.Count} without embedding.values");
        embeddings.Add(new Embedding<float>(VectorValue.Read(vector, embeddings.Count)) { ModelId = _model });
        return VectorValue.Count((reply["usageMetadata"] as JsonObject)?["promptTokenCount"]) ?? 0;
    }

    /// <summary>
    /// How many texts a request refused for its size may hold, from Vertex AI's words: a model's cap on instances
    /// (<c>batchSize must be 1</c>, <c>the supported range is from 1 (inclusive) to 251 (exclusive)</c>,
    /// <c>250 instance(s) is allowed per prediction</c>: fixed for the model) or its 20,000 tokens a request (half as
    /// many texts, for this request only). Null for any other refusal, or one that allows no fewer texts than were sent.
    /// </summary>
    internal static (int Texts, bool Fixed)? Smaller(string words, int sent)
    {
        (int Texts, bool Fixed)? allowed =
            MustBe().Match(words) is { Success: true } must ? (Number(must.Groups[1].Value), true)
            : Range().Match(words) is { Success: true } range ? (Number(range.Groups[1].Value) - 1, true)
            : Allowed().Match(words) is { Success: true } instances ? (Number(instances.Groups[1].Value), true)
            : Tokens().IsMatch(words) || words.Contains("too many instances", StringComparison.OrdinalIgnoreCase) ? (sent / 2, false)
            : null;
        return allowed is { Texts: >= 1 } a && a.Texts < sent ? a : null;
    }

    private static int Number(string digits) => int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    [GeneratedRegex(@"batchSize must be (\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex MustBe();

    [GeneratedRegex(@"supported range is from 1 \(inclusive\) to (\d+) \(exclusive\)", RegexOptions.IgnoreCase)]
    private static partial Regex Range();

    [GeneratedRegex(@"(\d+) instance\(s\) (?:is|are) allowed per prediction", RegexOptions.IgnoreCase)]
    private static partial Regex Allowed();

    [GeneratedRegex(@"input token count is \d+ but the model supports up to \d+", RegexOptions.IgnoreCase)]
    private static partial Regex Tokens();

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("vertex", _endpoint.BaseUri, _model, _dimensions)
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}

/// <summary>A Vertex AI request refused with HTTP 400, with the whole of the provider's words (the message is shortened).</summary>
internal sealed class VertexRefusal : HttpRequestException
{
    public VertexRefusal(string message, string words)
        : base(message, null, HttpStatusCode.BadRequest)
    {
        Words = words;
    }

    /// <summary>The error's message as Vertex AI wrote it; read for the sizes it names, never printed.</summary>
    public string Words { get; }
}
