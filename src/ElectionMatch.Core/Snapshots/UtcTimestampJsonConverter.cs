using System.Text.Json;
using System.Text.Json.Serialization;

namespace ElectionMatch.Snapshots;

/// <summary>
/// The points in time of the JSON files the tool writes (a manifest's <c>created_at_utc</c>, a bench's
/// <c>started_at_utc</c>): ISO 8601 in UTC with the offset written out, <c>2026-12-04T23:36:14.1234567+00:00</c>, in every
/// file alike. Read back only with an offset (<c>Z</c> or <c>±hh:mm</c>), and in UTC: before, a bench file given to
/// <c>--from</c> with another offset was written back with it and its local clock time shown as UTC, and one without an
/// offset was read in the local time zone of whoever redrew it.
/// </summary>
internal sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>What a value must be, in the words of an error about one.</summary>
    public const string Expected = "a date and time with its UTC offset (Z or +hh:mm), such as \"2026-01-01T00:00:00+00:00\"";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // System.Text.Json's own ISO 8601 reading, after checking the text ends in an offset it would otherwise assume.
        return reader.TokenType == JsonTokenType.String && HasOffset(reader.GetString()!) && reader.TryGetDateTimeOffset(out var value)
            ? value.ToUniversalTime()
            : throw new JsonException($"not {Expected}");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUniversalTime());

    private static bool HasOffset(string text) =>
        text.Length > 10 && (text[^1] is 'Z' or 'z' || (text.Length > 16 && text[^6] is '+' or '-' && text[^3] == ':'));
}
