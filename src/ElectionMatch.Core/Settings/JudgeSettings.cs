namespace ElectionMatch.Settings;

/// <summary>
/// Who decides the ambiguous band: <c>offline</c> (the rule judge with spec 000's calibration), <c>vertex</c>
/// (Gemini on Vertex AI) or <c>openai</c> (any OpenAI-compatible endpoint).
/// </summary>
public sealed record JudgeSettings(string Provider, string Model)
{
    public static JudgeSettings Offline { get; } = new("offline", "rules-v1");

    public ModelConnection Connection { get; init; } = ModelConnection.Defaults;

    /// <summary>A contest with more ambiguous rows is split into requests of at most this many rows; null keeps the kind's default.</summary>
    public int? MaxRowsPerRequest { get; init; }

    /// <summary>The most output tokens a reply may have (OpenAI's max_completion_tokens, Vertex AI's maxOutputTokens); null sends none.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gemini 2.5's thinkingConfig.thinkingBudget on Vertex AI (0 off where the model allows it, -1 the model's choice); null sends none.</summary>
    public int? ThinkingBudget { get; init; }

    /// <summary>
    /// The sampling temperature sent with every request, 0 to 2 (default 0: the most repeatable answers, but none for
    /// a Gemini 3 or later model, <see cref="DefaultTemperature"/>); null sends none, so the model's own applies
    /// (<c>temperature: default</c>), which OpenAI's reasoning models (o1, o3, o4-mini, gpt-5) require: they refuse any
    /// other value with HTTP 400.
    /// </summary>
    public double? Temperature { get; init; } = 0;

    /// <summary>Gemini 3's thinkingConfig.thinkingLevel on Vertex AI (MINIMAL, LOW, MEDIUM or HIGH); null sends none.</summary>
    public string? ThinkingLevel { get; init; }

    /// <summary>
    /// The temperature when electionmatch.yml sets none: 0, except none at all (the model's own, 1.0) for a Gemini 3 or
    /// later model on Vertex AI, for which Google strongly advises against a lower one.
    /// </summary>
    public static double? DefaultTemperature(string provider, string model) =>
        provider == "vertex" && GeminiModels.IsThreeOrLater(model) ? null : 0;

    public bool IsOffline => Provider == "offline";

    /// <summary>The model a provider uses when electionmatch.yml names none.</summary>
    public static string DefaultModel(string provider) => provider switch
    {
        // Google's replacement for gemini-2.5-flash, which Vertex AI retired on 2026-10-16.
        "vertex" => "gemini-3.5-flash-lite",
        "openai" => "gpt-4o-mini",
        _ => Offline.Model,
    };
}
