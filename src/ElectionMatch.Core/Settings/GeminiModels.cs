using System.Globalization;
using System.Text.RegularExpressions;

namespace ElectionMatch.Settings;

/// <summary>
/// What the Gemini model's generation changes in how it is asked on Vertex AI. Gemini 3 and later (gemini-3.5-flash-lite,
/// gemini-3.1-flash-lite, …) and gemini-embedding-2 are served on the global endpoint, not in every region; Google strongly advises leaving
/// their temperature at its default (a lower one "may lead to unexpected behavior, looping, or degraded performance");
/// and their thinking is set by level (<c>thinkingLevel</c>), where Gemini 2.5's was a token budget.
/// </summary>
public static partial class GeminiModels
{
    /// <summary>The location asked when neither electionmatch.yml nor GOOGLE_CLOUD_LOCATION names one: global for a model served there, else us-central1.</summary>
    public static string DefaultLocation(string model) => ServedGlobally(model) ? "global" : "us-central1";

    /// <summary>
    /// Whether Vertex AI serves the model at the global location rather than in every region: Gemini 3 and later, and
    /// the Gemini embedding models after gemini-embedding-001 (whose quota Google counts globally).
    /// </summary>
    public static bool ServedGlobally(string model) =>
        IsThreeOrLater(model) || (model.StartsWith("gemini-embedding-", StringComparison.OrdinalIgnoreCase) && EmbedsOneText(model));

    /// <summary>
    /// Whether Vertex AI embeds with the model through <c>embedContent</c>, one text a request, not <c>predict</c>: every
    /// Gemini model but gemini-embedding-001, which <c>predict</c> serves as it does the text-embedding models.
    /// </summary>
    public static bool EmbedsOneText(string model) =>
        model.Contains("gemini", StringComparison.OrdinalIgnoreCase) && !model.StartsWith("gemini-embedding-001", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What an embedContent model is told its task by, written before each text: Gemini Embedding 2 takes no taskType
    /// field and reads its task from the text (Google's Vertex AI page for the model). Sentence similarity is the
    /// symmetric task: both sides of a match are records, not queries and documents.
    /// </summary>
    public const string SentenceSimilarityPrefix = "task: sentence similarity | query: ";

    /// <summary>That instruction's name in the embedding cache's key (<c>vertex/gemini-embedding-2/768/sentence-similarity</c>).</summary>
    public const string SentenceSimilarityTask = "sentence-similarity";

    /// <summary>Whether the model is a Gemini of generation 3 or later (<c>gemini-3.5-flash-lite</c>, <c>gemini-4-…</c>).</summary>
    public static bool IsThreeOrLater(string model) => Major(model) >= 3;

    /// <summary>Whether the model is a Gemini before generation 3 (<c>gemini-2.5-flash</c>), which sets its thinking by a token budget and refuses a level.</summary>
    public static bool IsBeforeThree(string model) => Major(model) < 3;

    /// <summary>The Gemini generation a model name starts with (<c>gemini-2.5-flash</c>: 2); null for any other name.</summary>
    private static int? Major(string model) =>
        Generation().Match(model) is { Success: true } m && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;

    [GeneratedRegex(@"^gemini-(\d+)(?:[.-]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex Generation();
}
