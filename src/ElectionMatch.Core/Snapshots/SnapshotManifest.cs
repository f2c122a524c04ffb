using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ElectionMatch.Snapshots;

/// <summary>What a snapshot was made from and what it holds; one JSON file per snapshot, chained by hash.</summary>
public sealed record SnapshotManifest
{
    public required string Tool { get; init; }

    public required string ToolVersion { get; init; }

    public required string Match { get; init; }

    public required string Snapshot { get; init; }

    public required string Table { get; init; }

    public required string QuarantineTable { get; init; }

    public required string SnapshotDate { get; init; }

    public required DateTimeOffset CreatedAtUtc { get; init; }

    public required string SettingsSha256 { get; init; }

    public required IReadOnlyDictionary<string, string> TemplateSha256 { get; init; }

    public required IReadOnlyList<ManifestInput> Inputs { get; init; }

    public required IReadOnlyDictionary<string, long> Counts { get; init; }

    public required long Rows { get; init; }

    /// <summary>For each input: rows read = used + quarantined + excluded by rule, with reasons.</summary>
    public IReadOnlyList<Matching.RowAccount> RowAccounting { get; init; } = [];

    public required string ContentSha256 { get; init; }

    public string? PreviousManifestSha256 { get; init; }

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions) + "\n";

    public static SnapshotManifest FromJson(string json) =>
        JsonSerializer.Deserialize<SnapshotManifest>(json, JsonOptions) ?? throw new JsonException("empty manifest");

    public static string Sha256(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}

public sealed record ManifestInput(string Role, string Relation, long Rows);
