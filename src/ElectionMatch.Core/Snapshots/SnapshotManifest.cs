using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ElectionMatch.Snapshots;

/// <summary>What a snapshot was made from and what it holds; one JSON file per snapshot, chained by hash.</summary>
public sealed record SnapshotManifest
{
    public required string Tool { get; init; }

    public required string ToolVersion { get; init; }

    /// <summary>
    /// The build that matched it (<see cref="ToolInfo.Fingerprint"/>: the version, its commit and the compiled code's
    /// identity), which two builds of one version do not share; absent in manifests made before it was recorded. A run
    /// finishes an interrupted publish, and an incremental run adopts the snapshot's model, only for the same build.
    /// </summary>
    public string? ToolBuild { get; init; }

    public required string Match { get; init; }

    public required string Snapshot { get; init; }

    public required string Table { get; init; }

    public required string QuarantineTable { get; init; }

    public required string SnapshotDate { get; init; }

    public required DateTimeOffset CreatedAtUtc { get; init; }

    /// <summary>Ties the manifest to its row in the warehouse's snapshot log.</summary>
    public string? RunId { get; init; }

    public required string SettingsSha256 { get; init; }

    /// <summary>
    /// What of electionmatch.yml decides this match's rows (<see cref="Settings.MatchSettings.ResultsSha256"/>: its own
    /// entry and the quarantine settings), so another match's edit does not make this snapshot look out of date.
    /// Absent in manifests made before it was recorded, which are compared by <see cref="SettingsSha256"/>, the whole file.
    /// </summary>
    public string? MatchSettingsSha256 { get; init; }

    /// <summary>Whether the settings that made this snapshot are not <paramref name="match"/>'s now (<paramref name="fileSha256"/>: the whole file's hash, for manifests made before the match's own was recorded).</summary>
    public bool SettingsChanged(Settings.MatchSettings match, string fileSha256) =>
        MatchSettingsSha256 is { } mine ? mine != match.ResultsSha256 : SettingsSha256 != fileSha256;

    public required IReadOnlyDictionary<string, string> TemplateSha256 { get; init; }

    /// <summary>SHA-256 of the trained scoring model file written beside this manifest.</summary>
    public string? ModelParametersSha256 { get; init; }

    public required IReadOnlyList<ManifestInput> Inputs { get; init; }

    public required IReadOnlyDictionary<string, long> Counts { get; init; }

    public required long Rows { get; init; }

    /// <summary>For each input: rows read = used + quarantined + excluded by rule, with reasons.</summary>
    public IReadOnlyList<Matching.RowAccount> RowAccounting { get; init; } = [];

    /// <summary>The ORDER BY of the content hash: the key that names a changed row.</summary>
    public string? CanonicalOrder { get; init; }

    /// <summary>SHA-256 over the snapshot's rows in the canonical order, as <see cref="ContentSha256Version"/> defines it.</summary>
    public required string ContentSha256 { get; init; }

    /// <summary>
    /// Which definition <see cref="ContentSha256"/>, the row hashes in <c>snapshot_rows</c> and
    /// <see cref="QuarantineContentSha256"/> follow (<see cref="ContentHash.ColumnTextAndLengths"/> since session 63,
    /// <see cref="ContentHash.ColumnText"/> before); absent in manifests made before there was a choice, which hash
    /// <see cref="ContentHash.RowText"/>.
    /// </summary>
    public int? ContentSha256Version { get; init; }

    /// <summary>Rows of the quarantine table as published; absent in manifests made before it was recorded, which verify does not check.</summary>
    public long? QuarantineRows { get; init; }

    /// <summary>
    /// SHA-256 over the quarantine rows' MD5s (each over its columns' text, as <see cref="ContentSha256Version"/> says) in the order of
    /// those MD5s (<see cref="ContentHash.InRowHashOrder"/>): the quarantine has no key, and the order it is stored in is not what
    /// it holds. Absent in manifests made before it was recorded, which verify does not check.
    /// </summary>
    public string? QuarantineContentSha256 { get; init; }

    /// <summary>Whether a quarantine table of <paramref name="rows"/> rows hashing to <paramref name="sha256"/> (<see cref="ContentHash.InRowHashOrder"/>) is the one published; a field not recorded is not compared.</summary>
    public bool QuarantineHolds(long rows, string sha256) =>
        (QuarantineRows ?? rows) == rows && (QuarantineContentSha256 ?? sha256) == sha256;

    /// <summary>
    /// Whether <c>restore</c> can put the quarantine table back, though no copy of it is kept: the manifest records it empty,
    /// and an empty table with a run's quarantine columns (<see cref="Matching.QuarantineCodes.EmptySql"/>) is then exactly the
    /// one published.
    /// </summary>
    public bool QuarantineRecreatable => QuarantineRows == 0;

    /// <summary>What each model provider step cost this run (empty when both steps are offline).</summary>
    public IReadOnlyList<ManifestModelUsage> Models { get; init; } = [];

    /// <summary>
    /// The snapshot's rows the judge decided over its rows, as <c>evaluate</c> computes it; 0 when none. Manifests made
    /// before 2026-12 counted the runoff pass's judged rows the snapshot does not hold as well.
    /// </summary>
    public double JudgeShare { get; init; }

    public string? PreviousManifestSha256 { get; init; }

    /// <summary>
    /// The snapshot table's columns as published, in order, with their DuckDB types: what <c>restore</c> casts its parquet
    /// copy back to where the round trip through parquet changed a type (a HUGEINT comes back DOUBLE, an ENUM VARCHAR).
    /// Last, so the lines of the fields above are those of manifests made before it was recorded, which lack it.
    /// </summary>
    public IReadOnlyList<Warehouse.ColumnInfo>? Columns { get; init; }

    /// <summary>
    /// The reference files shipped with the tool that the match's matcher loaded (nicknames, first names by sex, states),
    /// each with its SHA-256 and rows: verify warns when this build ships others. Absent in manifests made before it was
    /// recorded, which are not compared; after <see cref="Columns"/>, so the lines above stay those of such manifests.
    /// </summary>
    public IReadOnlyList<ManifestReferenceFile>? ReferenceFiles { get; init; }

    /// <summary>
    /// The fingerprint of each of the match's comparisons as this run scored and trained with it (each level's name and
    /// SQL, in order: <see cref="Matching.Scoring.ComparisonDefinitions"/>): an incremental run adopts the snapshot's model
    /// only when they are this build's. Absent in manifests made before it was recorded; last, as <see cref="ReferenceFiles"/> is.
    /// </summary>
    public IReadOnlyList<ManifestComparison>? ComparisonLevels { get; init; }

    /// <summary>
    /// The options that change what the run publishes (<c>--incremental</c>, <c>--full</c>, <c>--retrain</c>; empty for a
    /// plain run), as the warehouse's snapshot log records them: what verify's advice repeats where the warehouse is not
    /// (a clone in CI). Absent in manifests made before it was recorded; last, as <see cref="ComparisonLevels"/> is.
    /// </summary>
    public string? RunOptions { get; init; }

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new UtcTimestampJsonConverter() },
    };

    /// <summary>The manifest as written to disk; credentials are masked like every other output.</summary>
    public string ToJson() => Diagnostics.Secrets.Redact(JsonSerializer.Serialize(this, JsonOptions)) + "\n";

    public static SnapshotManifest FromJson(string json) =>
        JsonSerializer.Deserialize<SnapshotManifest>(json, JsonOptions) ?? throw new JsonException("empty manifest");

    public static string Sha256(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>The hash of a file's bytes as read, as <see cref="ModelParametersSha256"/> records the model file's.</summary>
    public static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// The hash of a manifest or model file as version control may hand it back: Git for Windows checks text out with
    /// CRLF line ends by default (<c>core.autocrlf=true</c>), and every manifest of such a clone was "edited after it was
    /// published" (EM0605, EM0610, EM0606). We write LF alone, and JSON writes a CR inside a value as <c>\r</c>, so a CR
    /// before a line feed is a line end git added, never content: hashed as LF, the file is the one published.
    /// </summary>
    public static string FileSha256(string text) => Sha256(text.Replace("\r\n", "\n", StringComparison.Ordinal));

    /// <inheritdoc cref="FileSha256(string)"/>
    public static string FileSha256(byte[] bytes) =>
        bytes.AsSpan().IndexOf("\r\n"u8) < 0 ? Sha256Of(bytes) : FileSha256(System.Text.Encoding.UTF8.GetString(bytes));

    /// <summary>A hash as messages show it: its first 12 hex digits.</summary>
    internal static string Short(string sha256) => sha256.Length > 12 ? sha256[..12] : sha256;

    /// <summary>Two hashes of one thing as messages label them: <c>sha256 now 1a2b3c…, at the run 4d5e6f…</c>.</summary>
    internal static string NowAndAtRun(string now, string atRun) => $"sha256 now {Short(now)}…, at the run {Short(atRun)}…";
}

/// <param name="Sha256">The relation's rows hashed in canonical order (<see cref="InputHash"/>).</param>
/// <param name="Sha256Version">How <paramref name="Sha256"/> hashes a row (<see cref="InputHash.ColumnTextAndLengths"/> since session 62,
/// <see cref="InputHash.ColumnText"/> before); absent in manifests made before there was a choice, which hash <see cref="InputHash.RowText"/>.</param>
public sealed record ManifestInput(string Role, string Relation, long Rows, string? Sha256 = null, int? Sha256Version = null);

/// <summary>A reference file a run matched with: its name in Reference/, the SHA-256 of its bytes and its rows after the header.</summary>
public sealed record ManifestReferenceFile(string Name, string Sha256, long Rows);

/// <summary>A comparison a run scored with: its name and the SHA-256 of its definition (<see cref="Matching.Scoring.ComparisonDefinitions"/>).</summary>
public sealed record ManifestComparison(string Name, string Sha256);

/// <summary>
/// One provider step of a run: requests answered by the network, HTTP attempts (retries included), answers from the
/// cache, tokens in and out as the provider reported them, rows left undecided (published or not: a discovered runoff
/// left undecided is not published), follow-ups to an invalid reply that got
/// no answer (their rows are among the undecided, each with the reason), and the cost estimated from the prices in
/// electionmatch.yml (null when none are set: not estimated; a manifest written before that says 0). Last come the input
/// tokens read from the provider's prompt cache (among the input tokens) and the billable input characters (Vertex AI's
/// text embeddings), after the older fields so those keep their lines. A manifest written before the follow-up count,
/// the cached tokens or the characters reads each as 0.
/// </summary>
public sealed record ManifestModelUsage(
    string Step,
    string Provider,
    string Model,
    long Requests,
    long HttpAttempts,
    long CacheHits,
    long InputTokens,
    long OutputTokens,
    long InvalidReplies,
    long UndecidedRows,
    double? EstimatedCost,
    long FailedFollowUps = 0,
    long CachedInputTokens = 0,
    long InputCharacters = 0)
{
    /// <summary>A step's figures as they stand now (the cost rounded to six decimals).</summary>
    public static ManifestModelUsage Of(Matching.Providers.ModelUsage u) =>
        new(u.Step, u.Provider, u.Model, u.Requests, u.Attempts, u.CacheHits, u.InputTokens, u.OutputTokens, u.InvalidReplies, u.UndecidedRows, u.EstimatedCost is { } cost ? Math.Round(cost, 6) : null, u.FailedFollowUps, u.CachedInputTokens, u.InputCharacters);
}
