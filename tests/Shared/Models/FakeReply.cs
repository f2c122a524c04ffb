using System.Text.Json.Nodes;

namespace ElectionMatch.Tests.Models;

/// <param name="Query">The query string, with its <c>?</c> (Azure's <c>api-version</c>).</param>
/// <param name="ApiKey">The <c>api-key</c> header (Azure OpenAI's), empty when absent.</param>
public sealed record RecordedRequest(string Path, string Authorization, string Body, string Query = "", string ApiKey = "");

public sealed record ChatTurn(string Role, string Text);

/// <summary>One chat request as the server saw it; <see cref="Data"/> is the JSON between the data markers of the last contest message.</summary>
public sealed record ChatCall(IReadOnlyList<ChatTurn> Messages)
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
}

public sealed record FakeReply(FakeReplyKind Kind, Func<ChatCall, string>? Content = null, int StatusCode = 200, IReadOnlyDictionary<string, string>? ExtraHeaders = null)
{
    public static FakeReply Careful { get; } = new(FakeReplyKind.Content);

    public IReadOnlyDictionary<string, string> Headers => ExtraHeaders ?? new Dictionary<string, string>();

    public static FakeReply Say(string content) => new(FakeReplyKind.Content, _ => content);

    public static FakeReply Answer(Func<ChatCall, string> content) => new(FakeReplyKind.Content, content);

    public static FakeReply Status(int status, IReadOnlyDictionary<string, string>? headers = null) => new(FakeReplyKind.Status, StatusCode: status, ExtraHeaders: headers);

    public static FakeReply Hang() => new(FakeReplyKind.Hang);
}
