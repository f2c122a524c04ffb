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

    private const string CharacterPriceKey = "price_per_million_input_characters";

    private static readonly string[] TopKeys = ["version", "dbt_version", "snapshots", "engine", "quarantine", "matches", "zip_codes"];
    private static readonly string[] QuarantineKeys = ["max_text_length", "warn_share"];
    private static readonly string[] ZipCodeKeys = ["voters", "zip_code", "state", "district_types", "state_zip_code_ranges", "match", "model_dir"];
    private static readonly string[] EngineKeys = ["memory_limit", "threads", "temp_directory", "huge_pages"];
    private static readonly string[] SnapshotKeys = ["schema", "source", "sources_file", "staging_dir", "export_dir", "manifest_dir"];
    private static readonly string[] MatchKeys = ["kind", "left", "right", "thresholds", "embeddings", "retrieval", "judge", "quarantine"];
    private static readonly string[] ConnectionKeys =
    [
        "project", "location", "endpoint", "api_key_env", "credentials_file", "max_concurrency", "requests_per_minute", "timeout_seconds",
        "cancel_grace_seconds", "max_retries", "retry_base_delay_seconds", "max_retry_delay_seconds", "price_per_million_input_tokens", "price_per_million_output_tokens",
        "price_per_million_cached_input_tokens",
    ];

    // Vertex AI's text-embedding models bill their input per character; no judge model here does.
    private static readonly string[] EmbeddingKeys = ["provider", "model", "dimensions", "union_offline", "batch_size", CharacterPriceKey, .. ConnectionKeys];
    private static readonly string[] JudgeKeys = ["provider", "model", "max_rows_per_request", "max_output_tokens", "thinking_budget", "thinking_level", "temperature", .. ConnectionKeys];
    private static readonly string[] RetrievalKeys = ["top_k", "block_above", "exact_names"];
    private static readonly string[] Providers = ["offline", "vertex", "openai"];
    private static readonly string[] CredentialKeys = ["api_key", "apikey", "key", "token", "access_token", "private_key"];
    private static readonly string[] InputKeys = ["relation", "id", "columns", KeptColumns.Key, "encoding", "date_format", "timestamp_format"];

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

    /// <summary><c>dbt_version:</c>, the oldest dbt that runs the project, which the generated YAML is written for; null when unset.</summary>
    public DbtVersion? DbtVersion { get; private init; }

    /// <summary>
    /// Where electionmatch.yml's <c>matches:</c> key is: a match it does not define (EM0031) is reported there, among the names
    /// it does define, not at line 1 (a comment, in most files).
    /// </summary>
    public SourceSpan MatchesAt { get; private init; } = SourceSpan.None;

    /// <summary>Where electionmatch.yml sets <c>dbt_version</c>.</summary>
    public SourceSpan? DbtVersionAt { get; private init; }

    public MatchSettings Match(string name)
    {
        if (Matches.TryGetValue(name, out var match))
        {
            return match;
        }

        var near = Spelling.Nearest(name, Matches.Keys);
        var hint = near is null ? Defined(Matches.Keys) : $"did you mean '{near}'?";
        // At the entry of the name it may have meant, where the user compares the two spellings; else at the matches: key
        // (line 1 is the file's opening comment, which names no match).
        throw DiagnosticException.At(Codes.MatchNotDefined, near is null ? MatchesAt : Matches[near].At, $"no match named '{name}' in {FileName}; {hint}");
    }

    /// <param name="relationErrors">
    /// When the settings have errors, the errors of the read inputs' relations (one naming no source or model), said
    /// with them: the user fixes both in one pass, rather than meeting the relation's only once the rest is right.
    /// </param>
    public static ElectionMatchSettings Load(DbtProject project, Func<IReadOnlyList<InputSettings>, IEnumerable<Diagnostic>>? relationErrors = null)
    {
        var path = Path.Combine(project.Directory, FileName);
        if (!File.Exists(path))
        {
            throw DiagnosticException.At(Codes.SettingsMissing, SourceSpan.PathOnly(DisplayPath.For(path)), $"no {FileName} beside dbt_project.yml; see docs/configuration.md");
        }

        var yaml = YamlFile.Load(path);
        var diagnostics = new List<Diagnostic>();
        var root = yaml.RootMap();
        diagnostics.AddRange(root.UnknownKeys(TopKeys));
        if (root.String("version") is { } version && version != "1")
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, root.AtValue("version"), $"version {version} is not supported; this tool reads version 1"));
        }

        var dbtVersion = ReadDbtVersion(root, diagnostics);
        var snapshots = ReadSnapshots(root.Map("snapshots"), project, diagnostics);
        var engine = ReadEngine(root.Map("engine"), project, diagnostics);
        var quarantine = ReadQuarantine(root.Map("quarantine"), QuarantineSettings.Defaults, diagnostics);
        var matches = new Dictionary<string, MatchSettings>(StringComparer.Ordinal);
        YamlMap matchesMap;
        try
        {
            matchesMap = root.Map("matches", required: true)!;
        }
        catch (DiagnosticException e)
        {
            // With what was found above: a misspelt 'match:' is its EM0003 and the near key, not 'matches' missing alone.
            throw new DiagnosticException([.. diagnostics, .. e.Diagnostics]);
        }

        foreach (var (name, node, at) in matchesMap.Entries())
        {
            Collect(diagnostics, () =>
            {
                if (!IsIdentifier(name))
                {
                    throw DiagnosticException.At(Codes.InvalidSetting, at, $"match name '{name}' must be letters, digits and underscores, starting with a letter or underscore: it names warehouse tables, dbt models and files");
                }

                // A match's working schemas and cache tables are its name plus "__partition", "__training", "__part_<state>_…"
                // and "__stage_<stage>", so a name holding "__" could be another match's.
                if (name.Contains("__", StringComparison.Ordinal))
                {
                    throw DiagnosticException.At(Codes.InvalidSetting, at, $"match name '{name}' must not contain '__': the warehouse schemas and cache tables of a match are named <match>__partition, <match>__part_<state> and <match>__stage_<stage>, so this name could be another match's (write '{CollapseUnderscores(name)}')");
                }

                // DuckDB's table names ignore case and dbt's model files do not: "Candidacy" would publish over "candidacy"'s
                // tables and be looked up under another file name.
                if (name.Any(char.IsAsciiLetterUpper))
                {
                    throw DiagnosticException.At(Codes.InvalidSetting, at, $"match name '{name}' must be lowercase: it names DuckDB tables, whose names ignore case, and dbt model files, whose names do not (write '{name.ToLowerInvariant()}')");
                }

                // Each snapshot's staging model is stg_<source>__<match>_YYYYMMDD and the stable one stg_<source>__<match>:
                // a match named like another's dated snapshot would share that snapshot's staging model file.
                if (DatedSuffix.IsMatch(name))
                {
                    throw DiagnosticException.At(Codes.InvalidSetting, at, $"match name '{name}' must not end in '_' and eight digits: that is how a match's dated snapshots are named ({DatedSuffix.Replace(name, "")}'s snapshot of {name[^8..]} would share this match's staging model)");
                }

                if (node is not YamlMappingNode map)
                {
                    throw DiagnosticException.At(Codes.YamlShape, at, $"match '{name}' must be a mapping");
                }

                matches[name] = ReadMatch(name, new YamlMap(yaml, map), at, quarantine, diagnostics) with
                {
                    ResultsSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(SettingsText.Of(map, root.Get("quarantine"))))),
                };
            });
        }

        ZipCodeSettings? zipCodes = null;
        if (root.Map("zip_codes") is { } zipMap)
        {
            Collect(diagnostics, () => zipCodes = ReadZipCodes(zipMap, project, matches, matchesMap.Keys.ToHashSet(StringComparer.Ordinal), diagnostics));
        }

        if (matches.Count == 0 && diagnostics.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(Codes.MissingKey, matchesMap.At, "'matches' defines no match"));
        }

        if (diagnostics.Count > 0)
        {
            var unresolved = relationErrors?.Invoke([.. matches.Values.SelectMany(m => new[] { m.Left, m.Right })]).Where(d => !diagnostics.Contains(d)).ToList() ?? [];
            throw new DiagnosticException(unresolved.Count == 0 ? diagnostics : [.. diagnostics.Concat(unresolved).GroupBy(d => d.File).SelectMany(f => f.OrderBy(d => d.Line).ThenBy(d => d.Column))]);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml.Text)));
        return new ElectionMatchSettings(path, hash, snapshots, engine, matches, zipCodes)
        {
            DbtVersion = dbtVersion,
            MatchesAt = root.AtKey("matches"),
            DbtVersionAt = dbtVersion is null ? null : root.AtValue("dbt_version"),
        };
    }

    /// <summary>One version, as in <c>dbt --version</c>: a range belongs in dbt_project.yml's require-dbt-version.</summary>
    private static DbtVersion? ReadDbtVersion(YamlMap root, List<Diagnostic> diagnostics)
    {
        if (root.String("dbt_version") is not { } text)
        {
            return null;
        }

        if (Dbt.DbtVersion.TryParse(text) is { Major: >= 1 } version)
        {
            return version;
        }

        diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, root.AtValue("dbt_version"),
            $"'dbt_version' must be one dbt version such as \"1.10.8\" or \"1.9\" (the oldest dbt that runs this project), got '{text}'"));
        return null;
    }

    private static SnapshotSettings ReadSnapshots(YamlMap? map, DbtProject project, List<Diagnostic> diagnostics)
    {
        var d = SnapshotSettings.Defaults;
        if (map is null)
        {
            return d;
        }

        diagnostics.AddRange(map.UnknownKeys(SnapshotKeys));
        foreach (var key in new[] { "schema", "source" })
        {
            // Both become parts of table, model and file names (stg_<source>__<table>.sql).
            if (map.String(key) is { } value && !IsIdentifier(value))
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), $"'{key}' must be letters, digits and underscores, starting with a letter or underscore, got '{value}'"));
            }
        }

        // Where a run writes: inside the project (dbt reads models only there, and a run must not write elsewhere), and
        // a folder, or the file for sources_file, not the other. Checked here, before a run publishes anything.
        foreach (var key in new[] { "staging_dir", "export_dir", "manifest_dir", "sources_file" })
        {
            CheckWrittenPath(map, key, project, diagnostics, file: key == "sources_file", models: key == "staging_dir" ? "staging models" : null);
        }

        var schema = map.String("schema") ?? d.Schema;
        return new SnapshotSettings(
            schema,
            map.String("source") ?? schema,
            map.String("sources_file") ?? d.SourcesFile,
            map.String("staging_dir") ?? d.StagingDirectory,
            map.String("export_dir") ?? d.ExportDirectory,
            map.String("manifest_dir") ?? d.ManifestDirectory)
        {
            SourcesFileAt = map.Has("sources_file") ? map.AtValue("sources_file") : null,
        };
    }

    /// <summary>
    /// A setting naming where a command writes (<paramref name="key"/>): inside the project, a directory (a file when
    /// <paramref name="file"/>), and for dbt models (<paramref name="models"/>, what they are) under one of
    /// dbt_project.yml's model-paths.
    /// </summary>
    private static void CheckWrittenPath(YamlMap map, string key, DbtProject project, List<Diagnostic> diagnostics, bool file = false, string? models = null)
    {
        if (map.String(key) is not { } value)
        {
            return;
        }

        var full = Path.GetFullPath(project.Resolve(value));
        var inside = Path.GetRelativePath(project.Directory, full);
        if (Path.IsPathRooted(inside) || inside == ".." || inside.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), $"'{key}' must be a path inside the dbt project, got '{value}' ({DisplayPath.For(full)})"));
        }
        else if (file && Directory.Exists(full))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), $"'{key}' must name a YAML file, but '{value}' is a directory"));
        }
        else if (!file && FileOnTheWay(full) is { } onTheWay)
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), $"'{key}' must be a directory, but {Path.GetRelativePath(project.Directory, onTheWay)} is a file"));
        }
        else if (models is not null && !project.IsUnderModelPaths(full))
        {
            // dbt reads models only under model-paths: the models would be written where no ref() finds them.
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key),
                $"'{key}' must be a folder under one of dbt_project.yml's model-paths ({string.Join(", ", project.ModelPaths)}), or dbt never reads the {models} written there; got '{value}'"));
        }
        else if (file && (!project.IsUnderModelPaths(Path.GetDirectoryName(full)!) || !IsYamlFileName(full)))
        {
            // dbt reads sources only from .yml/.yaml files under model-paths: an entry written elsewhere declares nothing,
            // so check found every snapshot undeclared (EM0108) and each generate added the entry to the file again.
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key),
                $"'{key}' must be a .yml or .yaml file under one of dbt_project.yml's model-paths ({string.Join(", ", project.ModelPaths)}), or dbt never reads the sources entries written there; got '{value}'"));
        }
    }

    /// <summary>A fraction as the percentage it was probably meant to be (0.7 is 70), without a double's trailing digits.</summary>
    private static string Percent(double fraction) => (fraction * 100).ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsYamlFileName(string path) =>
        Path.GetExtension(path).Equals(".yml", StringComparison.OrdinalIgnoreCase) || Path.GetExtension(path).Equals(".yaml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The names a setting may take, for a message: "defined: a, b", or that there is none.</summary>
    private static string Defined(IEnumerable<string> names) =>
        names.ToList() is { Count: > 0 } list ? $"defined: {string.Join(", ", list)}" : "none is defined";

    /// <summary>The path itself or the nearest ancestor that exists, when that is a file (so no directory can be made there).</summary>
    private static string? FileOnTheWay(string path)
    {
        for (var at = path; !string.IsNullOrEmpty(at); at = Path.GetDirectoryName(at))
        {
            if (Directory.Exists(at))
            {
                return null;
            }

            if (File.Exists(at))
            {
                return at;
            }
        }

        return null;
    }

    private static EngineSettings ReadEngine(YamlMap? map, DbtProject project, List<Diagnostic> diagnostics)
    {
        if (map is null)
        {
            return EngineSettings.Defaults;
        }

        diagnostics.AddRange(map.UnknownKeys(EngineKeys));
        var memory = map.String("memory_limit");
        if (memory is not null)
        {
            if (EngineSettings.MemoryLimitBytes(memory) is not { } bytes)
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("memory_limit"), $"'memory_limit' must be an amount such as 4GB or 512MiB, got '{memory}'"));
            }
            else if (bytes >= EngineSettings.MaximumMemoryLimitBytes)
            {
                // DuckDB's parser refuses it ("Memory value out of range"), which stopped the run with EM0504.
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("memory_limit"), $"'memory_limit' is too large, got '{memory.Trim()}': an amount such as 4GB or 512MiB"));
            }
            else if (bytes < EngineSettings.MinimumMemoryLimitBytes)
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("memory_limit"), $"'memory_limit' must be at least {EngineSettings.MinimumMemoryLimit}, got '{memory.Trim()}': DuckDB cannot read an input in less (its CSV reader alone takes about 30 MiB per thread)"));
            }
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

        // DuckDB makes its spill files there only once a run needs them: a file in the way would stop it half way.
        var temp = map.String("temp_directory");
        if (temp is not null && FileOnTheWay(Path.GetFullPath(project.Resolve(temp))) is { } file)
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("temp_directory"), $"'temp_directory' must be a directory, but {DisplayPath.For(file)} is a file"));
        }

        return new EngineSettings(memory?.Trim(), threads, temp, Flag(map, "huge_pages", diagnostics) ?? true)
        {
            MemoryLimitAt = memory is null ? null : map.AtValue("memory_limit"),
            TempDirectoryAt = temp is null ? null : map.AtValue("temp_directory"),
        };
    }

    /// <param name="inherited">The file's top-level <c>quarantine:</c> (or the defaults), which a match's own block overrides key by key.</param>
    private static QuarantineSettings ReadQuarantine(YamlMap? map, QuarantineSettings inherited, List<Diagnostic> diagnostics)
    {
        if (map is null)
        {
            return inherited;
        }

        diagnostics.AddRange(map.UnknownKeys(QuarantineKeys));
        var length = inherited.MaxTextLength;
        if (map.Number("max_text_length") is { } l)
        {
            if (l is < 1 or > 10_000_000 || l != Math.Floor(l))
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("max_text_length"), $"'max_text_length' must be a whole number of characters from 1 to 10000000, got {map.String("max_text_length")}"));
            }

            length = (int)Math.Clamp(l, 1, 10_000_000);
        }

        var share = inherited.WarnShare;
        if (map.Number("warn_share") is { } w)
        {
            if (w is < 0 or > 1)
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("warn_share"), $"'warn_share' must be a fraction from 0 to 1 (0.05 is 5%), got {map.String("warn_share")}"));
            }

            share = w;
        }

        return new QuarantineSettings(length, share);
    }

    private static MatchSettings ReadMatch(string name, YamlMap map, SourceSpan at, QuarantineSettings quarantine, List<Diagnostic> diagnostics)
    {
        diagnostics.AddRange(map.UnknownKeys(MatchKeys));
        var kindName = map.RequiredString("kind");
        var kind = MatchKind.All.FirstOrDefault(k => k.Name == kindName);
        if (kind is null)
        {
            var near = Spelling.Nearest(kindName, MatchKind.All.Select(k => k.Name));
            throw DiagnosticException.At(Codes.InvalidSetting, map.AtValue("kind"), $"unknown kind '{kindName}'; {(near is null ? "known kinds: " + string.Join(", ", MatchKind.All.Select(k => k.Name)) : $"did you mean '{near}'?")}");
        }

        var left = ReadInput(map.Map("left", required: true)!, kind.LeftRequired, kind.LeftOptional, kind, diagnostics);
        var right = ReadInput(map.Map("right", required: true)!, kind.RightRequired, kind.RightOptional, kind, diagnostics);
        if (kind.LeftOneOf.Count > 0 && !kind.LeftOneOf.Any(group => group.Any(left.Columns.ContainsKey)))
        {
            diagnostics.Add(Diagnostic.Error(Codes.MissingKey, map.AtKey("left"), $"left columns must map the election dates: either {string.Join(" or ", kind.LeftOneOf.Select(g => string.Join("/", g)))}"));
        }

        if (left.Columns.ContainsKey("election_date") != left.Columns.ContainsKey("election_type"))
        {
            diagnostics.Add(Diagnostic.Error(Codes.MissingKey, map.AtKey("left"), "map election_date and election_type together"));
        }

        CheckKeptColumns(kind, left, right, diagnostics);

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
                    else if (spec.Max == 100 && value is > 0 and < 1)
                    {
                        // A fraction written as accept and reject are: the judge's confidences are whole numbers 0-100,
                        // so 0.7 linked every choice the judge made at confidence 1 or more.
                        diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, t.AtValue(spec.Name),
                            $"threshold '{spec.Name}' is a judge confidence from 0 to 100, not a fraction as 'accept' and 'reject' are; got {value}, which would link every choice the judge makes at confidence 1 or more: write {Percent(value)} for {Percent(value)} %"));
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
            diagnostics.AddRange(ProviderKeys(e, EmbeddingKeys));
            var provider = Provider(e, diagnostics) ?? embeddings.Provider;
            var dimensions = e.Number("dimensions") is { } n ? (int)n : EmbeddingSettings.DefaultDimensions(provider);
            if (dimensions is < 8 or > 4096 || e.Number("dimensions") is { } raw && raw != Math.Floor(raw))
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, e.AtValue("dimensions"), $"'dimensions' must be a whole number from 8 to 4096, got {e.String("dimensions")}"));
            }

            embeddings = new EmbeddingSettings(provider, Name(e, "model", $"leave the key out for {provider}'s default, {EmbeddingSettings.DefaultModel(provider)}", diagnostics) ?? EmbeddingSettings.DefaultModel(provider), dimensions)
            {
                Connection = ReadConnection(e, diagnostics) with { PricePerMillionInputCharacters = CharacterPrice(e, diagnostics) },
                UnionOffline = Flag(e, "union_offline", diagnostics) ?? true,
                BatchSize = WholeNumber(e, "batch_size", 1, EmbeddingSettings.MostTextsPerRequest(provider), diagnostics),
            };
        }

        var judge = JudgeSettings.Offline;
        if (map.Map("judge") is { } j)
        {
            diagnostics.AddRange(ProviderKeys(j, JudgeKeys));
            var provider = Provider(j, diagnostics) ?? judge.Provider;
            var model = Name(j, "model", $"leave the key out for {provider}'s default, {JudgeSettings.DefaultModel(provider)}", diagnostics) ?? JudgeSettings.DefaultModel(provider);
            judge = new JudgeSettings(provider, model)
            {
                Connection = ReadConnection(j, diagnostics),
                MaxRowsPerRequest = WholeNumber(j, "max_rows_per_request", 1, 500, diagnostics),
                MaxOutputTokens = WholeNumber(j, "max_output_tokens", 1, 1_000_000, diagnostics),
                ThinkingBudget = WholeNumber(j, "thinking_budget", -1, 1_000_000, diagnostics),
                ThinkingLevel = ThinkingLevel(j, diagnostics),
                Temperature = Temperature(j, JudgeSettings.DefaultTemperature(provider, model), diagnostics),
            };
            foreach (var key in new[] { "thinking_budget", "thinking_level" }.Where(k => j.Has(k) && provider != "vertex"))
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, j.AtKey(key),
                    $"'{key}' is Gemini's thinkingConfig on Vertex AI, and this judge's provider is {provider}; leave it out"));
            }

            if (j.Has("thinking_budget") && j.Has("thinking_level") && provider == "vertex")
            {
                // Vertex AI refuses a thinkingConfig holding both with HTTP 400.
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, j.AtKey("thinking_level"),
                    "'thinking_level' and 'thinking_budget' cannot both be set (Vertex AI refuses a request with both): thinking_level for Gemini 3 and later, thinking_budget for Gemini 2.5"));
            }
            else if (j.Has("thinking_level") && provider == "vertex" && GeminiModels.IsBeforeThree(model))
            {
                // Vertex AI refuses it with HTTP 400 at the first request; before, only the run found out.
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, j.AtKey("thinking_level"),
                    $"'thinking_level' is for Gemini 3 and later, and {model} refuses it (Vertex AI answers HTTP 400); set its thinking with 'thinking_budget' instead, or choose a Gemini 3 model"));
            }
        }

        var topK = kind.DefaultTopK;
        var blockAbove = MatchSettings.DefaultBlockAbove;
        var exactNames = true;
        if (map.Map("retrieval") is { } r)
        {
            exactNames = Flag(r, "exact_names", diagnostics) ?? true;
            if (kind != MatchKind.CandidacyDdhq && r.String("exact_names") is not null)
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, r.AtValue("exact_names"), $"'exact_names' (the deterministic tier) applies to {MatchKind.CandidacyDdhq.Name} matches only, not to a {kind.Name} match"));
            }

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

        return new MatchSettings(name, kind.Name, left, right, thresholds, at)
        {
            Embeddings = embeddings,
            Judge = judge,
            TopK = topK,
            BlockAbove = blockAbove,
            ExactNames = exactNames,
            Quarantine = ReadQuarantine(map.Map("quarantine"), quarantine, diagnostics),
        };
    }

    /// <param name="declared">Every match name in the file, including those whose settings have errors (reported there).</param>
    private static ZipCodeSettings ReadZipCodes(YamlMap map, DbtProject project, IReadOnlyDictionary<string, MatchSettings> matches, HashSet<string> declared, List<Diagnostic> diagnostics)
    {
        diagnostics.AddRange(map.UnknownKeys(ZipCodeKeys));
        CheckWrittenPath(map, "model_dir", project, diagnostics, models: "zip code models");
        foreach (var key in new[] { "voters", "state_zip_code_ranges" })
        {
            if (map.String(key) is { } relation && !RelationExpression.TryParse(relation, map.AtValue(key), out _, out var problem))
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), RelationExpression.Message(relation, problem)));
            }
        }

        var types = map.StringList("district_types");
        if (types.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(Codes.MissingKey, map.AtKey("district_types"), "'district_types' must list the voter file's district columns"));
        }

        var typesAt = map.ItemsAt("district_types");
        foreach (var (type, i) in types.Select((t, i) => (t, i)))
        {
            // Each entry becomes a district type of its own, so a column listed twice would list every office of that
            // column twice in the office model; DuckDB and dbt-duckdb read a column in any case: City_Ward and city_ward are one.
            if (types.Take(i).FirstOrDefault(t => string.Equals(t, type, StringComparison.OrdinalIgnoreCase)) is { } earlier && i < typesAt.Count)
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, typesAt[i], earlier == type
                    ? $"'district_types' lists {type} twice: list it once"
                    : $"'district_types' lists {earlier} and {type}, one column in any case to DuckDB: list it once"));
            }
        }

        var match = map.RequiredString("match");
        if (!declared.Contains(match) || (matches.TryGetValue(match, out var settings) && settings.Kind != MatchKind.L2BallotReady.Name))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("match"), $"'match' must name a match of kind {MatchKind.L2BallotReady.Name}; {Defined(matches.Values.Where(m => m.Kind == MatchKind.L2BallotReady.Name).Select(m => m.Name))}"));
        }

        return new ZipCodeSettings(
            map.RequiredString("voters"),
            map.RequiredString("zip_code"),
            map.RequiredString("state"),
            types,
            map.RequiredString("state_zip_code_ranges"),
            match,
            map.String("model_dir") ?? ZipCodeSettings.DefaultModelDirectory,
            map.At)
        {
            RangesAt = map.AtValue("state_zip_code_ranges"),
            VotersAt = map.AtValue("voters"),
            ZipColumnAt = map.AtValue("zip_code"),
            StateColumnAt = map.AtValue("state"),
            DistrictTypesAt = typesAt,
        };
    }

    private static string? Provider(YamlMap map, List<Diagnostic> diagnostics)
    {
        var provider = map.String("provider");
        if (provider is not null && !Providers.Contains(provider))
        {
            var near = Spelling.Nearest(provider, Providers);
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("provider"), $"unknown provider '{provider}'; {(near is null ? "" : $"did you mean '{near}'? ")}this version knows: {string.Join(", ", Providers)}"));
        }

        return provider;
    }

    /// <summary>Unknown keys, and a key written where only the name of its environment variable belongs.</summary>
    private static IEnumerable<Diagnostic> ProviderKeys(YamlMap map, IReadOnlyCollection<string> allowed)
    {
        foreach (var key in CredentialKeys.Where(map.Has))
        {
            yield return Diagnostic.Error(Codes.SecretInSettings, map.AtKey(key),
                $"'{key}' would put a credential in {FileName}, which is committed; set api_key_env to the name of an environment variable that holds it (or credentials_file for Vertex AI)");
        }

        foreach (var diagnostic in map.UnknownKeys([.. allowed, .. CredentialKeys]))
        {
            yield return diagnostic;
        }
    }

    private static ModelConnection ReadConnection(YamlMap map, List<Diagnostic> diagnostics)
    {
        var d = ModelConnection.Defaults;
        var endpoint = map.String("endpoint");
        if (endpoint is not null && (endpoint.Contains('@', StringComparison.Ordinal) && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var withUser) || withUser.UserInfo.Length > 0)))
        {
            // Not echoed: a user and password in the URL (https://user:pass@host) are a credential in a committed file,
            // and a client would print them with the URL it asked.
            diagnostics.Add(Diagnostic.Error(Codes.SecretInSettings, map.AtValue("endpoint"),
                $"'endpoint' holds a user name or password (user:password@host): a credential in {FileName}, which is committed; write the URL without it and set api_key_env to the name of an environment variable that holds the key"));
            endpoint = null;
        }
        else if (endpoint is not null && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("endpoint"), $"'endpoint' must be an http(s) URL, got '{endpoint}'"));
        }

        if (Matching.Providers.AzureDeployment.LooksLikeOne(endpoint) && Matching.Providers.AzureDeployment.Parse(endpoint) is null)
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("endpoint"),
                $"'endpoint' looks like an Azure OpenAI deployment URL but names no deployment: write https://<resource>.openai.azure.com/openai/deployments/<deployment>, got '{endpoint}'"));
        }

        var apiKeyEnv = map.String("api_key_env");
        if (apiKeyEnv is not null && !System.Text.RegularExpressions.Regex.IsMatch(apiKeyEnv, "^[A-Za-z_][A-Za-z0-9_]*$"))
        {
            // Do not echo it: a value that is not a variable name may be the key itself.
            diagnostics.Add(Diagnostic.Error(Codes.SecretInSettings, map.AtValue("api_key_env"), "'api_key_env' must be the name of an environment variable (letters, digits, underscores), not the key itself"));
        }
        else if (apiKeyEnv is not null && Secrets.IsKnownTokenShape(apiKeyEnv))
        {
            // A valid variable name, but a key's shape (sk_live_…, AIza…, ghp_…): quoted later, it would print the key.
            diagnostics.Add(Diagnostic.Error(Codes.SecretInSettings, map.AtValue("api_key_env"),
                "'api_key_env' looks like a key, not the name of an environment variable (it has the shape of a Google, Stripe or GitHub key); set it to the name of the variable that holds the key"));
        }

        return new ModelConnection
        {
            Project = Name(map, "project", "leave the key out to use the environment variable GOOGLE_CLOUD_PROJECT", diagnostics),
            Location = Name(map, "location", "leave the key out to use the environment variable GOOGLE_CLOUD_LOCATION, else us-central1", diagnostics),
            Endpoint = endpoint?.TrimEnd('/'),
            ApiKeyEnv = apiKeyEnv ?? d.ApiKeyEnv,
            CredentialsFile = Name(map, "credentials_file", "leave the key out to use application-default credentials", diagnostics),
            MaxConcurrency = WholeNumber(map, "max_concurrency", 1, 256, diagnostics) ?? d.MaxConcurrency,
            RequestsPerMinute = RequestsPerMinute(map, diagnostics) ?? d.RequestsPerMinute,
            TimeoutSeconds = Amount(map, "timeout_seconds", 0.001, 3600, diagnostics) ?? d.TimeoutSeconds,
            CancelGraceSeconds = Amount(map, "cancel_grace_seconds", 0, 600, diagnostics) ?? d.CancelGraceSeconds,
            MaxRetries = WholeNumber(map, "max_retries", 0, 20, diagnostics) ?? d.MaxRetries,
            RetryBaseDelaySeconds = Amount(map, "retry_base_delay_seconds", 0, 600, diagnostics) ?? d.RetryBaseDelaySeconds,
            MaxRetryDelaySeconds = Amount(map, "max_retry_delay_seconds", 0, 3600, diagnostics) ?? d.MaxRetryDelaySeconds,
            PricePerMillionInputTokens = Amount(map, "price_per_million_input_tokens", 0, 1_000_000, diagnostics),
            PricePerMillionOutputTokens = Amount(map, "price_per_million_output_tokens", 0, 1_000_000, diagnostics),
            PricePerMillionCachedInputTokens = Amount(map, "price_per_million_cached_input_tokens", 0, 1_000_000, diagnostics),
            At = map.At,
        };
    }

    /// <summary>
    /// The embeddings' price per million input characters. It bills the input in place of the input-token prices, so a
    /// block that sets both would have one of them silently unused: refused, naming the two.
    /// </summary>
    private static double? CharacterPrice(YamlMap map, List<Diagnostic> diagnostics)
    {
        var price = Amount(map, CharacterPriceKey, 0, 1_000_000, diagnostics);
        if (price is not null && new[] { "price_per_million_input_tokens", "price_per_million_cached_input_tokens" }.FirstOrDefault(map.Has) is { } tokenPrice)
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtKey(CharacterPriceKey),
                $"'{CharacterPriceKey}' bills the input by its characters in place of '{tokenPrice}': set the one the model bills by (Vertex AI's text-embedding models: characters)"));
        }

        return price;
    }

    /// <summary>0 (no limit), or a pace whose interval between starts is a time span at all: 1e-11 a minute is 190,000 years.</summary>
    private static double? RequestsPerMinute(YamlMap map, List<Diagnostic> diagnostics)
    {
        if (map.Number("requests_per_minute") is { } value && value > 0 && value < Matching.Providers.RequestPacer.SlowestPerMinute)
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("requests_per_minute"),
                $"'requests_per_minute' must be 0 (no limit) or a number from {Matching.Providers.RequestPacer.SlowestPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)} (one request start every 100 minutes) to 1000000, got {map.String("requests_per_minute")}"));
            return null;
        }

        return Amount(map, "requests_per_minute", 0, 1_000_000, diagnostics);
    }

    private static int? WholeNumber(YamlMap map, string key, int min, int max, List<Diagnostic> diagnostics)
    {
        if (map.Number(key) is not { } value)
        {
            return null;
        }

        if (value < min || value > max || value != Math.Floor(value))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), $"'{key}' must be a whole number from {min} to {max}, got {map.String(key)}"));
        }

        return (int)value;
    }

    /// <summary>Gemini 3's thinking level, in the enum's spelling Vertex AI reads (MINIMAL, LOW, MEDIUM, HIGH), from any case.</summary>
    private static string? ThinkingLevel(YamlMap map, List<Diagnostic> diagnostics)
    {
        const string Key = "thinking_level";
        if (map.Get(Key) is null)
        {
            return null;
        }

        var level = map.String(Key)?.ToUpperInvariant();
        if (level is "MINIMAL" or "LOW" or "MEDIUM" or "HIGH")
        {
            return level;
        }

        diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(Key), $"'{Key}' must be minimal, low, medium or high (Gemini 3's thinkingConfig.thinkingLevel), got '{map.String(Key)}'"));
        return null;
    }

    /// <summary>
    /// The judge's <c>temperature</c>: a number from 0 to 2, <paramref name="unset"/> when it is left out, or <c>default</c>
    /// (null: none is sent, the model's own applies). Written empty or null it is refused, not read as left out: that would
    /// send 0, the very value a reasoning model refuses, to someone who wrote it to send none.
    /// </summary>
    /// <param name="unset">What a judge without the key sends (<see cref="JudgeSettings.DefaultTemperature"/>).</param>
    private static double? Temperature(YamlMap map, double? unset, List<Diagnostic> diagnostics)
    {
        const string Key = "temperature";
        const string Takes = "a number from 0 to 2, or default to send none (the model's own, which OpenAI's reasoning models o1, o3, o4-mini and gpt-5 require)";
        if (map.Get(Key) is not { } node)
        {
            return unset;
        }

        if (YamlMap.IsNull(node))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(Key), $"'{Key}' is empty: write {Takes}, or leave the key out for {(unset is { } sent ? sent.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}"));
            return 0;
        }

        if (map.String(Key) == "default")
        {
            return null;
        }

        if (!double.TryParse(map.String(Key), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(Key), $"'{Key}' must be {Takes}, got '{map.String(Key)}'"));
            return 0;
        }

        var value = map.Number(Key)!.Value;
        if (value is < 0 or > 2)
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(Key), $"'{Key}' must be {Takes}, got {map.String(Key)}"));
        }

        return value;
    }

    /// <summary>
    /// A name that goes into a provider's URL, cache key or file path as written: empty or padded with spaces, it would
    /// send requests to a malformed URL. Null when it is left out or refused.
    /// </summary>
    /// <param name="otherwise">What to do instead of writing it empty.</param>
    private static string? Name(YamlMap map, string key, string otherwise, List<Diagnostic> diagnostics)
    {
        var text = map.String(key);
        if (text is null || (text.Length > 0 && text.Trim() == text))
        {
            return text;
        }

        diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), text.Trim().Length == 0
            ? $"'{key}' is empty: write a value, or {otherwise}"
            : $"'{key}' has white space around it ('{text}'): write '{text.Trim()}'"));
        return null;
    }

    private static bool? Flag(YamlMap map, string key, List<Diagnostic> diagnostics)
    {
        var text = map.String(key);
        if (text is null)
        {
            return null;
        }

        if (!YamlMap.TryReadBoolean(text, out var value))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), $"'{key}' must be true or false, got '{text}'"));
        }

        return value;
    }

    private static double? Amount(YamlMap map, string key, double min, double max, List<Diagnostic> diagnostics)
    {
        if (map.Number(key) is not { } value)
        {
            return null;
        }

        if (value < min || value > max)
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), $"'{key}' must be a number from {min} to {max}, got {map.String(key)}"));
        }

        return value;
    }

    private static InputSettings ReadInput(YamlMap map, IReadOnlyList<string> required, IReadOnlyList<string> optional, MatchKind kind, List<Diagnostic> diagnostics)
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
            else if (columnsMap.Has(role) && optional.Contains(role))
            {
                // `district:` with no value reads as null: before, the role was left unmapped without a word.
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, columnsMap.AtKey(role), $"'{role}' names no column: name the input's column, or remove the key to leave '{role}' unmapped"));
            }
        }

        foreach (var role in required.Where(r => !columns.ContainsKey(r)))
        {
            diagnostics.Add(Diagnostic.Error(Codes.MissingKey, columnsMap.At, $"columns must map '{role}' to an input column"));
        }

        // Checked here, not only when a run resolves it: every command refuses a relation dbt would not read as meant.
        var relation = map.RequiredString("relation");
        if (!RelationExpression.TryParse(relation, map.AtValue("relation"), out _, out var problem))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("relation"), RelationExpression.Message(relation, problem)));
        }

        var encoding = map.String("encoding");
        if (encoding is not null && !InputSettings.Encodings.Contains(encoding, StringComparer.Ordinal))
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue("encoding"),
                $"'encoding' must be one of {string.Join(", ", InputSettings.Encodings)} (the encodings DuckDB's CSV reader reads with its reject store), got '{encoding}'; a Windows-1252 export is latin-1 but for the characters 0x80-0x9F (curly quotes, the euro sign), which it reads as control characters"));
        }

        // date_format: and timestamp_format: read the columns mapped to date roles, and only those.
        var dateColumns = columns.Values.Where(m => kind.DateRoles.Contains(m.Role, StringComparer.Ordinal)).Select(m => m.Column).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var key in new[] { "date_format", "timestamp_format" }.Where(k => map.String(k) is not null && dateColumns.Count == 0))
        {
            var dateRoles = kind.DateRoles.Where(roles.Contains).ToList();
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, map.AtValue(key), dateRoles.Count == 0
                ? $"'{key}' reads the columns mapped to date roles, and this input of a {kind.Name} match has none (it reads no date); remove it"
                : $"'{key}' reads the columns mapped to date roles ({string.Join(", ", dateRoles)}), and this input maps none of them; remove it"));
        }

        var id = map.RequiredString("id");
        return new InputSettings(relation, map.AtValue("relation"), id, map.AtValue("id"), columns)
        {
            DateColumns = dateColumns,
            IdentifierColumns = [.. columns.Values.Where(m => kind.IdentifierRoles.Contains(m.Role, StringComparer.Ordinal))
                .Prepend(new ColumnMapping(Matching.InputColumnRole.Id, id ?? "", map.AtValue("id"))).Where(m => m.Column.Length > 0)],
            Keep = ReadKeptColumns(map, diagnostics),
            Encoding = encoding,
            EncodingAt = encoding is null ? null : map.AtValue("encoding"),
            DateFormat = map.String("date_format"),
            DateFormatAt = map.String("date_format") is null ? null : map.AtValue("date_format"),
            TimestampFormat = map.String("timestamp_format"),
            TimestampFormatAt = map.String("timestamp_format") is null ? null : map.AtValue("timestamp_format"),
        };
    }

    // keep_columns: the word all, or a list of column names.
    private static KeptColumns? ReadKeptColumns(YamlMap map, List<Diagnostic> diagnostics)
    {
        if (map.Get(KeptColumns.Key) is not { } node || YamlMap.IsNull(node))
        {
            return null;
        }

        var at = map.AtValue(KeptColumns.Key);
        if (node is YamlScalarNode { Value: var word })
        {
            if (word != KeptColumns.AllWord)
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, at, $"'{KeptColumns.Key}' must be a list of the input's column names or the word {KeptColumns.AllWord}, got '{word}' (a column of that name is written as a list: [{word}])"));
            }

            return new KeptColumns(All: true, [], at);
        }

        var names = map.StringList(KeptColumns.Key);
        var places = map.ItemsAt(KeptColumns.Key);
        var listed = new List<ColumnMapping>();
        foreach (var (name, place) in names.Zip(places))
        {
            if (name.Trim().Length == 0)
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, place, $"each item of '{KeptColumns.Key}' must name a column"));
            }
            else if (listed.FirstOrDefault(k => k.Column.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } earlier)
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, place, $"'{KeptColumns.Key}' lists column '{name}' twice (first at line {earlier.At.Line})"));
            }
            else
            {
                listed.Add(new ColumnMapping(KeptColumns.Key, name, place));
            }
        }

        if (names.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, at, $"'{KeptColumns.Key}' lists no column: list the input's columns to publish, write {KeptColumns.AllWord}, or remove it"));
        }

        return new KeptColumns(All: false, listed, at);
    }

    // keep_columns is the left input's (the published rows are its rows), for a kind that keeps them, and a listed column
    // must not be one the snapshot already publishes under that name (under all, such a column is skipped when run).
    private static void CheckKeptColumns(MatchKind kind, InputSettings left, InputSettings right, List<Diagnostic> diagnostics)
    {
        if (right.Keep is { } onRight)
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, onRight.At, $"'{KeptColumns.Key}' is a setting of the left input: a snapshot's rows are its left input's rows, and the right input's columns are published only as the matched row's"));
        }

        if (left.Keep is not { } keep)
        {
            return;
        }

        if (kind.KeepColumnsRefused is { } why)
        {
            diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, keep.At, $"'{KeptColumns.Key}' is not supported for a {kind.Name} match: {why}"));
            return;
        }

        var published = ElectionMatch.Matches.MatchDefinition.For(kind.Name).Columns;
        foreach (var column in keep.Listed)
        {
            if (published.FirstOrDefault(p => p.Name.Equals(column.Column, StringComparison.OrdinalIgnoreCase)) is { } own)
            {
                diagnostics.Add(Diagnostic.Error(Codes.InvalidSetting, column.At, $"'{KeptColumns.Key}' lists '{column.Column}', which is published already: the snapshot's own column '{own.Name}' has that name; remove it from the list (with {KeptColumns.Key}: {KeptColumns.AllWord}, such a column is skipped)"));
            }
        }
    }

    private static readonly System.Text.RegularExpressions.Regex DatedSuffix = new("_[0-9]{8}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static string CollapseUnderscores(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name, "_{2,}", "_");

    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= 100 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

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
