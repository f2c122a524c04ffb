using System.Collections;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ElectionMatch.Operations;

namespace ElectionMatch.Benchmarking;

/// <summary>
/// Where and why a file is not a bench result, in the words of its JSON: the line and column (1-based; System.Text.Json
/// counts from 0 and points after the value it could not convert), the member's path and what it must hold, never the
/// .NET type that could not be built.
/// </summary>
internal static class BenchResultJsonError
{
    /// <param name="json">The text <see cref="BenchResult.FromJson"/> was given.</param>
    /// <returns>The line and column, or null for an error about the document as a whole (a member missing), and the message.</returns>
    public static (int Line, int Column)? Position(string json, JsonException error, out string message)
    {
        var at = error.LineNumber is { } line ? ((int)line + 1, (int)(error.BytePositionInLine ?? 0) + 1) : ((int, int)?)null;
        if (error.Path is not { } path || error.LineNumber is null || !WellFormed(json))
        {
            // A syntax error (the reader's own words are plain) or a member missing (said by FromJson).
            message = Plain(error.Message);
            return at;
        }

        var found = Locate(json, path);
        var expected = Expected(path);
        message = expected is null
            ? $"{path} cannot be read: {Plain(error.Message)}"
            : $"{path} must be {expected}" + (found is { } f ? $", not {f.Value}" : "");
        return found is { } where ? (where.Line, where.Column) : at;
    }

    /// <summary>The message without System.Text.Json's position suffix, which the diagnostic's place already gives.</summary>
    private static string Plain(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal) is var p and >= 0 ? p : message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return cut >= 0 ? message[..cut] : message;
    }

    private static bool WellFormed(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>What the member at a path (<c>$.runs[0].rows</c>) of a bench result holds, in JSON's terms; null when the path leads nowhere known.</summary>
    private static string? Expected(string path)
    {
        var options = new JsonSerializerOptions(RunReport.Json) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        var type = typeof(BenchResult);
        foreach (var segment in Segments(path))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (segment is null)
            {
                type = ElementType(type);
            }
            else
            {
                var info = options.GetTypeInfo(type);
                type = info.Kind == JsonTypeInfoKind.Dictionary ? info.ElementType
                    : info.Properties.FirstOrDefault(p => p.Name == segment)?.PropertyType;
            }

            if (type is null)
            {
                return null;
            }
        }

        return Describe(type);
    }

    /// <summary>The names of a path, null for each list index: <c>$.runs[0].rows</c> is runs, null, rows.</summary>
    private static IEnumerable<string?> Segments(string path)
    {
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                yield return path[(i + 1)..end];
                i = end;
            }
            else if (path.AsSpan(i).StartsWith("['"))
            {
                var end = path.IndexOf("']", i, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                yield return path[(i + 2)..end];
                i = end + 2;
            }
            else
            {
                var end = path.IndexOf(']', i);
                yield return null;
                i = end < 0 ? path.Length : end + 1;
            }
        }
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static string Describe(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Describe(inner) + " or null";
        }

        return type switch
        {
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => Snapshots.UtcTimestampJsonConverter.Expected,
            _ when typeof(IDictionary).IsAssignableFrom(type) || type.GetInterfaces().Any(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)) => "an object",
            _ when ElementType(type) is not null => "a list",
            _ => "an object",
        };
    }

    /// <summary>The value as the file writes it (a string quoted and cut at 40 characters), or what kind of container it is.</summary>
    private static string Shown(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString() is { Length: > 40 } text ? $"\"{text[..40]}…\"" : $"\"{reader.GetString()}\"",
        JsonTokenType.StartArray => "a list",
        JsonTokenType.StartObject => "an object",
        _ => Encoding.UTF8.GetString(reader.ValueSpan),
    };

    /// <summary>Where the value at a path starts, and what it is: System.Text.Json reports the position after it.</summary>
    private static (int Line, int Column, string Value)? Locate(string json, string path)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var frames = new List<Frame>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    frames[^1].Property = reader.GetString();
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    Advance(frames);
                    continue;
            }

            if (PathOf(frames) == path)
            {
                var before = utf8.AsSpan(0, (int)reader.TokenStartIndex);
                var lineStart = before.LastIndexOf((byte)'\n') + 1;
                return (before.Count((byte)'\n') + 1, Encoding.UTF8.GetCharCount(before[lineStart..]) + 1, Shown(ref reader));
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
            }
            else
            {
                Advance(frames);
            }
        }

        return null;
    }

    private static void Advance(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1].Index++;
        }
    }

    private static string PathOf(List<Frame> frames)
    {
        var path = new StringBuilder("$");
        foreach (var frame in frames)
        {
            if (frame.IsArray)
            {
                path.Append('[').Append(frame.Index).Append(']');
            }
            else if (frame.Property is { } name)
            {
                path.Append(name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? "." + name : "['" + name + "']");
            }
        }

        return path.ToString();
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;

        public int Index { get; set; }

        public string? Property { get; set; }
    }
}
