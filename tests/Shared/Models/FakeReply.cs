using System.Text.Json.Nodes;

namespace ElectionMatch.Tests.Models;

/// <param name="Query">The query string, with its <c>?</c> (Azure's <c>api-version</c>).</param>
/// <param name="ApiKey">The <c>api-key</c> header (Azure OpenAI's), empty when absent.</param>
public sealed record RecordedRequest(string Path, string Authorization, string Body, string Query = "", string ApiKey = "", string UserProject = "");

public sealed record ChatTurn(string Role, string Text);

/// <summary>One chat request as the server saw it; <see cref="Data"/> is the JSON between the data markers of the last contest message.</summary>
/// <param name="Authorization">The credential the request carried (its Authorization header, else Azure's api-key), for servers that echo it.</param>
public sealed record ChatCall(IReadOnlyList<ChatTurn> Messages, string Authorization = "")
{
    public JsonNode Data
    {
        get
        {
            var message = Messages.First(m => m.Role == "user" && m.Text.Contains("<<<CONTEST_DATA", StringComparison.Ordinal)).Text;
            var start = message.IndexOf("<<<CONTEST_DATA", StringComparison.Ordinal) + "<<<CONTEST_DATA".Length;
            var end = message.IndexOf("CONTEST_DATA>>>", StringComparison.Ordinal);
            return JsonNode.Parse(message[start..end])!;
        }
    }
}

public enum FakeReplyKind
{
    Content,
    Status,
    Hang,

    /// <summary>HTTP 200 and the start of the body, then the connection is dropped.</summary>
    DropMidBody,

    /// <summary>Held until the test releases it, then answered.</summary>
    Held,

    /// <summary>The status and body given, whatever the request: a provider's reply in its own words.</summary>
    Body,
}

/// <summary>One vector of an embeddings reply, with the input index the reply gives it.</summary>
public sealed record FakeVector(int Index, float[] Values);

public sealed record FakeReply(FakeReplyKind Kind, Func<ChatCall, string>? Content = null, int StatusCode = 200, IReadOnlyDictionary<string, string>? ExtraHeaders = null, Task? Release = null, string? RawBody = null)
{
    public static FakeReply Careful { get; } = new(FakeReplyKind.Content);

    public IReadOnlyDictionary<string, string> Headers => ExtraHeaders ?? new Dictionary<string, string>();

    public static FakeReply Say(string content) => new(FakeReplyKind.Content, _ => content);

    public static FakeReply Answer(Func<ChatCall, string> content) => new(FakeReplyKind.Content, content);

    public static FakeReply Status(int status, IReadOnlyDictionary<string, string>? headers = null) => new(FakeReplyKind.Status, StatusCode: status, ExtraHeaders: headers);

    /// <summary>Answers with <paramref name="status"/> and <paramref name="body"/> as written (JSON, or not), and these headers.</summary>
    public static FakeReply Body(int status, string body, IReadOnlyDictionary<string, string>? headers = null) => new(FakeReplyKind.Body, StatusCode: status, ExtraHeaders: headers, RawBody: body);

    public static FakeReply Hang() => new(FakeReplyKind.Hang);

    public static FakeReply DropMidBody() => new(FakeReplyKind.DropMidBody);

    /// <summary>Holds the request until <paramref name="release"/> completes, then answers as the careful judge.</summary>
    public static FakeReply HeldUntil(Task release) => new(FakeReplyKind.Held, Release: release);
}
