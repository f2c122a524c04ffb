using ElectionMatch.Settings;

namespace ElectionMatch.Tests.Providers;

/// <summary>Which Vertex AI models are Gemini 3 or later, and where a model is asked when no location is set.</summary>
public sealed class GeminiModelsTests
{
    [Theory]
    [InlineData("gemini-3.5-flash-lite", true, "global")]
    [InlineData("gemini-3-pro", true, "global")]
    [InlineData("gemini-10-flash", true, "global")]
    [InlineData("gemini-2.5-flash", false, "us-central1")]
    [InlineData("gemini-2.0-flash-001", false, "us-central1")]
    [InlineData("gemini-embedding-001", false, "us-central1")]
    [InlineData("gemini-embedding-2", false, "global")]
    [InlineData("text-embedding-005", false, "us-central1")]
    [InlineData("gemini-3x", false, "us-central1")]
    public void A_model_is_gemini_3_or_later_by_its_name_and_asked_at_global_when_served_there(string model, bool threeOrLater, string location)
    {
        Assert.Equal((threeOrLater, location), (GeminiModels.IsThreeOrLater(model), GeminiModels.DefaultLocation(model)));
    }
}
