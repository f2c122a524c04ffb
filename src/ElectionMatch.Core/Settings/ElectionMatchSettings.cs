using System.Security.Cryptography;
using System.Text;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace ElectionMatch.Settings;

/// <summary><c>electionmatch.yml</c> beside <c>dbt_project.yml</c>: the matches, their inputs and where snapshots go.</summary>
public sealed class ElectionMatchSettings
{
    public const string FileName = "electionmatch.yml";

    private static readonly string[] TopKeys = ["version", "snapshots", "engine", "matches", "zip_codes"];
    private static readonly string[] ZipCodeKeys = ["voters", "zip_code", "state", "district_types", "state_zip_code_ranges", "match", "model_dir"];
    private static readonly string[] EngineKeys = ["memory_limit", "threads", "temp_directory"];
    private static readonly string[] SnapshotKeys = ["schema", "source", "sources_file", "staging_dir", "export_dir", "manifest_dir"];
    private static readonly string[] MatchKeys = ["kind", "left", "right", "thresholds", "embeddings", "retrieval", "judge"];
    private static readonly string[] EmbeddingKeys = ["provider", "model", "dimensions"];
    private static readonly string[] JudgeKeys = ["provider", "model"];
    private static readonly string[] RetrievalKeys = ["top_k", "block_above"];
    private static readonly string[] OfflineProviders = ["offline"];
    private static readonly string[] InputKeys = ["relation", "id", "columns"];

    private ElectionMatchSettings(string filePath, string contentHash, SnapshotSettings snapshots, EngineSettings engine, IReadOnlyDictionary<string, MatchSettings> matches, ZipCodeSettings? zipCodes)
    {
        ZipCodes = zipCodes;
        Engine = engine;
        FilePath = filePath;
        ContentHash = contentHash;
        Snapshots = snapshots;
        Matches = matches;
    }

    public string FilePath { get; }

    /// <summary>SHA-256 of the file's bytes, recorded in every manifest.</summary>
    public string ContentHash { get; }

    public SnapshotSettings Snapshots { get; }

    public EngineSettings Engine { get; }

    public IReadOnlyDictionary<string, MatchSettings> Matches { get; }

    /// <summary>The zip code models to generate; null when electionmatch.yml has no <c>zip_codes:</c>.</summary>
    public ZipCodeSettings? ZipCodes { get; }

    public MatchSettings Match(string name)
    {
        if (Matches.TryGetValue(name, out var match))
        {
            return match;
        }

        var near = Spelling.Nearest(name, Matches.Keys);
        var hint = near is null ? $"defined: {string.Join(", ", Matches.Keys)}" : $"did you mean '{near}'?";
        throw DiagnosticException.At(Codes.MatchNotDefined, new SourceSpan(DisplayPath.For(FilePath), 1, 1), $"no match named '{name}' in {FileName}; {hint}");
    }

    public static ElectionMatchSettings Load(DbtProject project)
    {
        var path = Path.Combine(project.Directory, FileName);
        if (!File.Exists(path))
        {
            throw DiagnosticException.At(Codes.SettingsMissing, SourceSpan.WholeFile(DisplayPath.For(path)), $"no {FileName} beside dbt_project.yml; see docs/configuration.md");
        }

        var yaml = YamlFile.Load(path);
        var diagnostics = new List<Diagnostic>();
        var root = yaml.RootMap();
        diagnostics.AddRange(root.UnknownKeys(TopKeys));
        if (root.String("version") is { } version && version != "1")
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, root.AtValue("version"), $"version {version} is not supported; this tool reads version 1"));
        }

        var snapshots = ReadSnapshots(root.Map("snapshots"), diagnostics);
        var engine = ReadEngine(root.Map("engine"), diagnostics);
        var matches = new Dictionary<string, MatchSettings>(StringComparer.Ordinal);
        var matchesMap = root.Map("matches", required: true)!;
        foreach (var (name, node, at) in matchesMap.Entries())
        {
            Collect(diagnostics, () =>
            {
                if (node is not YamlMappingNode map)
                {
                    throw DiagnosticException.At(Codes.YamlShape, at, $"match '{name}' must be a mapping");
                }

                matches[name] = ReadMatch(name, new YamlMap(yaml, map), at, diagnostics);
            });
        }

        ZipCodeSettings? zipCodes = null;
        if (root.Map("zip_codes") is { } zipMap)
        {
            Collect(diagnostics, () => zipCodes = ReadZipCodes(zipMap, matches, matchesMap.Keys.ToHashSet(StringComparer.Ordinal), diagnostics));
        }

        if (matches.Count == 0 && diagnostics.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(Codes.MissingKey, matchesMap.At, "'matches' defines no match"));
        }

        if (diagnostics.Count > 0)
        {
            throw new DiagnosticException(diagnostics);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml.Text)));
        return new ElectionMatchSettings(path, hash, snapshots, engine, matches, zipCodes);
    }

    private static SnapshotSettings ReadSnapshots(YamlMap? map, List<Diagnostic> diagnostics)
    {
        var d = SnapshotSettings.Defaults;
        if (map is null)
        {
            return d;
        }

        diagnostics.AddRange(map.UnknownKeys(SnapshotKeys));
        var schema = map.String("schema") ?? d.Schema;
        return new SnapshotSettings(
            schema,
            map.String("source") ?? schema,
            map.String("sources_file") ?? d.SourcesFile,
            map.String("staging_dir") ?? d.StagingDirectory,
            map.String("export_dir") ?? d.ExportDirectory,
            map.String("manifest_dir") ?? d.ManifestDirectory);
    }

    private static EngineSettings ReadEngine(YamlMap? map, List<Diagnostic> diagnostics)
    {
        if (map is null)
        {
            return EngineSettings.Defaults;
        }

        diagnostics.AddRange(map.UnknownKeys(EngineKeys));
        var memory = map.String("memory_limit");
        if (memory is not null && !System.Text.RegularExpressions.Regex.IsMatch(memory, @"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("memory_limit"), $"'memory_limit' must be an amount such as 4GB or 512MiB, got '{memory}'"));
        }

        int? threads = null;
        if (map.Number("threads") is { } t)
        {
            if (t is < 1 or > 256 || t != Math.Floor(t))
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("threads"), $"'threads' must be a whole number from 1 to 256, got {map.String("threads")}"));
            }

            threads = (int)t;
        }

        return new EngineSettings(memory?.Trim(), threads, map.String("temp_directory"));
    }

    private static MatchSettings ReadMatch(string name, YamlMap map, SourceSpan at, List<Diagnostic> diagnostics)
    {
        diagnostics.AddRange(map.UnknownKeys(MatchKeys));
        var kindName = map.RequiredString("kind");
        var kind = MatchKind.All.FirstOrDefault(k => k.Name == kindName);
        if (kind is null)
        {
            var near = Spelling.Nearest(kindName, MatchKind.All.Select(k => k.Name));
            throw DiagnosticException.At(Codes.InvalidSetting, map.AtValue("kind"), $"unknown kind '{kindName}'; {(near is null ? "known kinds: " + string.Join(", ", MatchKind.All.Select(k => k.Name)) : $"did you mean '{near}'?")}");
        }

        var left = ReadInput(map.Map("left", required: true)!, kind.LeftRequired, kind.LeftOptional, diagnostics);
        var right = ReadInput(map.Map("right", required: true)!, kind.RightRequired, kind.RightOptional, diagnostics);
        if (kind.LeftOneOf.Count > 0 && !kind.LeftOneOf.Any(group => group.Any(left.Columns.ContainsKey)))
        {
            diagnostics.Add(Diagnostic.Error(Codes.MissingKey, map.AtKey("left"), $"left columns must map the election dates: either {string.Join(" or ", kind.LeftOneOf.Select(g => string.Join("/", g)))}"));
        }

        if (left.Columns.ContainsKey("election_date") != left.Columns.ContainsKey("election_type"))
        {
            diagnostics.Add(Diagnostic.Error(Codes.MissingKey, map.AtKey("left"), "map election_date and election_type together"));
        }

        var thresholds = new Dictionary<string, double>(StringComparer.Ordinal);
        if (map.Map("thresholds") is { } t)
        {
            diagnostics.AddRange(t.UnknownKeys(kind.Thresholds.Select(x => x.Name).ToList()));
            foreach (var spec in kind.Thresholds)
            {
                if (t.Number(spec.Name) is { } value)
                {
                    if (value < spec.Min || value > spec.Max)
                    {
                        diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, t.AtValue(spec.Name), $"threshold '{spec.Name}' must be between {spec.Min} and {spec.Max}, got {value}"));
                    }

                    thresholds[spec.Name] = value;
                }
            }

            if (thresholds.TryGetValue("accept", out var accept) && thresholds.TryGetValue("reject", out var reject) && reject > accept)
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, t.AtValue("reject"), $"threshold 'reject' ({reject}) must not be above 'accept' ({accept})"));
            }
        }

        var embeddings = EmbeddingSettings.Offline;
        if (map.Map("embeddings") is { } e)
        {
            diagnostics.AddRange(e.UnknownKeys(EmbeddingKeys));
            var provider = Provider(e, diagnostics) ?? embeddings.Provider;
            var dimensions = e.Number("dimensions") is { } n ? (int)n : embeddings.Dimensions;
            if (dimensions is < 8 or > 4096 || e.Number("dimensions") is { } raw && raw != Math.Floor(raw))
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, e.AtValue("dimensions"), $"'dimensions' must be a whole number from 8 to 4096, got {e.String("dimensions")}"));
            }

            embeddings = new EmbeddingSettings(provider, e.String("model") ?? embeddings.Model, dimensions);
        }

        var judge = JudgeSettings.Offline;
        if (map.Map("judge") is { } j)
        {
            diagnostics.AddRange(j.UnknownKeys(JudgeKeys));
            judge = new JudgeSettings(Provider(j, diagnostics) ?? judge.Provider, j.String("model") ?? judge.Model);
        }

        var topK = kind.DefaultTopK;
        var blockAbove = MatchSettings.DefaultBlockAbove;
        if (map.Map("retrieval") is { } r)
        {
            diagnostics.AddRange(r.UnknownKeys(RetrievalKeys));
            if (r.Number("top_k") is { } k)
            {
                if (k is < 1 or > 100 || k != Math.Floor(k))
                {
                    diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, r.AtValue("top_k"), $"'top_k' must be a whole number from 1 to 100, got {r.String("top_k")}"));
                }

                topK = (int)k;
            }

            if (r.Number("block_above") is { } b)
            {
                if (b is < 1 or > 1e15 || b != Math.Floor(b))
                {
                    diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, r.AtValue("block_above"), $"'block_above' must be a whole number of pairs from 1 to 10^15, got {r.String("block_above")}"));
                }
                else
                {
                    blockAbove = (long)b;
                }
            }
        }

        return new MatchSettings(name, kind.Name, left, right, thresholds, at) { Embeddings = embeddings, Judge = judge, TopK = topK, BlockAbove = blockAbove };
    }

    /// <param name="declared">Every match name in the file, including those whose settings have errors (reported there).</param>
    private static ZipCodeSettings ReadZipCodes(YamlMap map, IReadOnlyDictionary<string, MatchSettings> matches, HashSet<string> declared, List<Diagnostic> diagnostics)
    {
        diagnostics.AddRange(map.UnknownKeys(ZipCodeKeys));
        foreach (var key in new[] { "voters", "state_zip_code_ranges" })
        {
            if (map.String(key) is { } relation && ModelSql.Calls("{{ " + relation + " }}", map.AtValue(key).File) is not [{ IsSource: true } or { IsRef: true }])
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), $"'{relation}' is not a relation; write source('source_name', 'table_name') or ref('model_name')"));
            }
        }

        var types = map.StringList("district_types");
        if (types.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(Codes.MissingKey, map.AtKey("district_types"), "'district_types' must list the voter file's district columns"));
        }

        var match = map.RequiredString("match");
        if (!declared.Contains(match) || (matches.TryGetValue(match, out var settings) && settings.Kind != MatchKind.L2BallotReady.Name))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("match"), $"'match' must name a match of kind {MatchKind.L2BallotReady.Name}; defined: {string.Join(", ", matches.Values.Where(m => m.Kind == MatchKind.L2BallotReady.Name).Select(m => m.Name))}"));
        }

        return new ZipCodeSettings(
            map.RequiredString("voters"),
            map.RequiredString("zip_code"),
            map.RequiredString("state"),
            types,
            map.RequiredString("state_zip_code_ranges"),
            match,
            map.String("model_dir") ?? ZipCodeSettings.DefaultModelDirectory,
            map.At);
    }

    private static string? Provider(YamlMap map, List<Diagnostic> diagnostics)
    {
        var provider = map.String("provider");
        if (provider is not null && !OfflineProviders.Contains(provider))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("provider"), $"unknown provider '{provider}'; this version knows: {string.Join(", ", OfflineProviders)}"));
        }

        return provider;
    }

    private static InputSettings ReadInput(YamlMap map, IReadOnlyList<string> required, IReadOnlyList<string> optional, List<Diagnostic> diagnostics)
    {
        diagnostics.AddRange(map.UnknownKeys(InputKeys));
        var columns = new Dictionary<string, ColumnMapping>(StringComparer.Ordinal);
        var columnsMap = map.Map("columns", required: true)!;
        var roles = required.Concat(optional).ToList();
        diagnostics.AddRange(columnsMap.UnknownKeys(roles));
        foreach (var role in roles)
        {
            if (columnsMap.String(role) is { Length: > 0 } column)
            {
                columns[role] = new ColumnMapping(role, column, columnsMap.AtValue(role));
            }
        }

        foreach (var role in required.Where(r => !columns.ContainsKey(r)))
        {
            diagnostics.Add(Diagnostic.Error(Codes.MissingKey, columnsMap.At, $"columns must map '{role}' to an input column"));
        }

        return new InputSettings(map.RequiredString("relation"), map.AtValue("relation"), map.RequiredString("id"), map.AtValue("id"), columns);
    }

    private static void Collect(List<Diagnostic> diagnostics, Action read)
    {
        try
        {
            read();
        }
        catch (DiagnosticException e)
        {
            diagnostics.AddRange(e.Diagnostics);
        }
    }
}
