using System.Text.Json;
using System.Text.Json.Nodes;

namespace ElectionMatch.Matching.Providers;

/// <summary>
/// A vector's values as a provider's JSON holds them: each must be a number. Anything else (null, the string "NaN")
/// is an invalid reply worded alike for every provider, never a .NET exception's name.
/// </summary>
internal static class VectorValue
{
    private const int MaxQuote = 40;

    public static InvalidDataException NotANumber(int vector, int position, string json) =>
        new($"the reply's vector {vector} holds {(json.Length <= MaxQuote ? json : json[..MaxQuote] + "…")} at position {position}, not a number");

    /// <summary>A vector's values from Vertex AI's <c>embeddings.values</c>.</summary>
    public static float[] Read(JsonArray values, int vector)
    {
        var result = new float[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            // A number too large for a float is infinite here, and refused as such with the other unusable vectors.
            result[i] = values[i] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var number)
                ? (float)number
                : throw NotANumber(vector, i, values[i]?.ToJsonString() ?? "null");
        }

        return result;
    }

    /// <summary>A token count sent as a whole number, or as a float that is one (<c>3.0</c>); null for anything else.</summary>
    public static long? Count(JsonNode? node) =>
        node is not JsonValue value ? null
        : value.TryGetValue<long>(out var count) ? count
        : value.TryGetValue<double>(out var real) && real >= 0 && real <= long.MaxValue && real == Math.Floor(real) ? (long)real
        : null;
}
