using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>What ElectionMatch needs from <c>dbt_project.yml</c>.</summary>
public sealed partial class DbtProject
{
    private DbtProject(string directory, string name, string profileName, IReadOnlyList<string> modelPaths, string targetPath)
    {
        Directory = directory;
        Name = name;
        ProfileName = profileName;
        ModelPaths = modelPaths;
        TargetPath = targetPath;
    }

    public string Directory { get; }

    public string Name { get; }

    public string ProfileName { get; }

    /// <summary>Where dbt_project.yml names the profile, for errors about finding it.</summary>
    public SourceSpan ProfileAt { get; private init; }

    /// <summary>Model folders, relative to the project directory.</summary>
    public IReadOnlyList<string> ModelPaths { get; }

    /// <summary>
    /// Every folder whose SQL dbt compiles, so whose ref() dbt resolves: the model folders, then <c>test-paths</c>,
    /// <c>analysis-paths</c>, <c>snapshot-paths</c> and <c>macro-paths</c> (dbt's defaults tests, analyses, snapshots and
    /// macros when unset): a macro's ref() resolves in the model that calls it, and fails there.
    /// </summary>
    public IReadOnlyList<string> ReferencingPaths { get; private init; } = [];

    /// <summary>The folders whose YAML may ref() a model (a test's <c>to:</c>, an exposure's <c>depends_on</c>): models and tests.</summary>
    public IReadOnlyList<string> ReferencingYamlPaths { get; private init; } = [];

    public string TargetPath { get; }

    /// <summary><c>seed-paths</c> (dbt's default seeds): a seed is ref()'d by its file name.</summary>
    public IReadOnlyList<string> SeedPaths { get; private init; } = [];

    /// <summary><c>snapshot-paths</c> (dbt's default snapshots): a snapshot is ref()'d by the name in its <c>{% snapshot %}</c> block.</summary>
    public IReadOnlyList<string> SnapshotPaths { get; private init; } = [];

    /// <summary>The environment variables dbt_project.yml reads through env_var() in what ElectionMatch uses.</summary>
    public IReadOnlyList<string> EnvironmentVariables { get; private init; } = [];

    /// <summary>dbt_project.yml's <c>vars:</c>, which <c>{{ var('x') }}</c> in a sources file reads, scoped as dbt scopes them.</summary>
    internal ProjectVars Vars { get; private init; } = ProjectVars.None;

    /// <summary>The oldest dbt that <c>require-dbt-version</c> allows; null without one, or with no lower bound in it.</summary>
    public DbtVersion? RequiredDbtVersion { get; private init; }

    /// <summary>Where dbt_project.yml sets <c>require-dbt-version</c>.</summary>
    public SourceSpan? RequiredDbtVersionAt { get; private init; }

    /// <summary>
    /// <c>flags: require_generic_test_arguments_property</c> (dbt 1.10.5 and later; true by default from 1.10.8): whether dbt
    /// reads a generic test's arguments from its <c>arguments:</c> property. Null when the project does not set it.
    /// </summary>
    public bool? GenericTestArgumentsFlag { get; private init; }

    public string FilePath => Path.Combine(Directory, "dbt_project.yml");

    /// <summary>Where dbt writes its manifest: <c>manifest.json</c> in the target path.</summary>
    public string ManifestJsonPath => Resolve(Path.Combine(TargetPath, "manifest.json"));

    public string Resolve(string relative) => Path.GetFullPath(Path.Combine(Directory, relative));

    /// <summary>
    /// The project directory a command works in, found as dbt finds it: <paramref name="given"/> (<c>--project-dir</c>,
    /// else <c>$DBT_PROJECT_DIR</c>) when set, which must be a directory; otherwise the working directory or the nearest
    /// directory above it that holds dbt_project.yml, so a command run from <c>models/</c> works on its project.
    /// </summary>
    /// <param name="variable">The environment variable <paramref name="given"/> came from, named in the errors; null for --project-dir.</param>
    public static string Locate(string? given, string? variable = null)
    {
        var from = variable is null ? "--project-dir" : $"${variable}";
        var remedy = variable is null ? "pass --project-dir to point at the dbt project" : $"set {variable} to the dbt project's directory, or pass --project-dir";
        if (!string.IsNullOrWhiteSpace(given))
        {
            var full = WorkingDirectory.Full(given);
            if (File.Exists(full))
            {
                throw DiagnosticException.At(Codes.ProjectMissing, SourceSpan.PathOnly(DisplayPath.For(full)),
                    $"'{DisplayPath.For(full)}' ({from}) is a file; {from} names the directory that holds dbt_project.yml ('{DisplayPath.For(Path.GetDirectoryName(full)!)}')");
            }

            if (!System.IO.Directory.Exists(full))
            {
                throw DiagnosticException.At(Codes.ProjectMissing, SourceSpan.PathOnly(DisplayPath.For(full)),
                    $"the project directory '{DisplayPath.For(full)}' ({from}) does not exist; {remedy}");
            }

            return full;
        }

        var start = WorkingDirectory.Current;
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "dbt_project.yml")))
            {
                return directory.FullName;
            }
        }

        throw DiagnosticException.At(Codes.ProjectMissing, SourceSpan.PathOnly(DisplayPath.For(Path.Combine(start, "dbt_project.yml"))),
            $"no dbt_project.yml in '{start}' nor in any directory above it; run from the dbt project or pass --project-dir to point at it");
    }

    public static DbtProject Load(string directory)
    {
        var full = WorkingDirectory.Full(directory);
        var file = Path.Combine(full, "dbt_project.yml");
        if (!File.Exists(file))
        {
            throw DiagnosticException.At(Codes.ProjectMissing, SourceSpan.PathOnly(DisplayPath.For(file)), $"no dbt_project.yml in '{DisplayPath.For(full)}'; pass --project-dir to point at the dbt project");
        }

        var yaml = YamlFile.Load(file).RootMap();
        // dbt renders dbt_project.yml too, so `profile: "{{ env_var('DBT_PROFILE', 'x') }}"` names profile x. It renders
        // profile: as it renders profiles.yml (before it has a target), the other keys with the target it chose.
        var variables = new SortedSet<string>(StringComparer.Ordinal);
        string? Render(string value, SourceSpan at, string key, JinjaContext context = JinjaContext.Project) =>
            EnvVars.Expand(value, at, key, variables, context);

        string? Rendered(string key, JinjaContext context = JinjaContext.Project) =>
            yaml.String(key) is { } value ? Render(value, yaml.AtValue(key), key, context) : null;
        var name = Render(yaml.RequiredString("name"), yaml.AtValue("name"), "name") is { Length: > 0 } rendered
            ? rendered
            : throw DiagnosticException.At(Codes.YamlShape, yaml.AtValue("name"), $"name renders empty ('{yaml.String("name")}'); dbt needs the project's name");
        // As dbt: a project that names no profile does not run ("no profile was specified for this dbt project"). Before,
        // the profile named after the project was read, so a run could go where no dbt command would.
        var profile = Rendered("profile", JinjaContext.Profiles)
            ?? throw DiagnosticException.At(Codes.MissingKey, yaml.AtValue("name"), "dbt_project.yml names no profile, and dbt does not run without one; add `profile: <name>` naming a profile of profiles.yml");
        var pathsKey = yaml.Has("model-paths") ? "model-paths" : yaml.Has("source-paths") ? "source-paths" : null;
        var modelPaths = pathsKey is null ? ["models"] : yaml.StringList(pathsKey).Select(p => Render(p, yaml.AtValue(pathsKey), pathsKey)).OfType<string>().ToList();
        // dbt's defaults (dbt-core 1.0 and later): tests/, analyses/ and snapshots/. Before 1.0, analysis-paths had no
        // default, and dbt's own docs page still says so; dbt-core reads value_or(cfg.analysis_paths, ["analyses"]).
        List<string> Paths(string key, string? fallback) =>
            yaml.Has(key) ? yaml.StringList(key).Select(p => Render(p, yaml.AtValue(key), key)).OfType<string>().ToList() : fallback is null ? [] : [fallback];
        var testPaths = Paths("test-paths", "tests");
        var target = Rendered("target-path") ?? "target";
        var profileAt = yaml.AtValue("profile");
        var (required, requiredAt) = ReadRequiredDbtVersion(yaml);
        return new DbtProject(full, name, profile, modelPaths, target)
        {
            ProfileAt = profileAt,
            EnvironmentVariables = [.. variables],
            RequiredDbtVersion = required,
            RequiredDbtVersionAt = requiredAt,
            GenericTestArgumentsFlag = ReadFlag(yaml.Map("flags"), "require_generic_test_arguments_property"),
            ReferencingPaths = [.. modelPaths.Concat(testPaths).Concat(Paths("analysis-paths", "analyses")).Concat(Paths("snapshot-paths", "snapshots")).Concat(Paths("macro-paths", "macros")).Distinct()],
            SeedPaths = Paths("seed-paths", "seeds"),
            SnapshotPaths = Paths("snapshot-paths", "snapshots"),
            ReferencingYamlPaths = [.. modelPaths.Concat(testPaths).Distinct()],
            Vars = ProjectVars.Read(yaml.Map("vars"), name),
        };
    }

    /// <summary>The lower bound of <c>require-dbt-version</c> (a string, or a list of ranges); a range dbt cannot read is an error, as in dbt.</summary>
    private static (DbtVersion? Lowest, SourceSpan? At) ReadRequiredDbtVersion(YamlMap yaml)
    {
        const string key = "require-dbt-version";
        if (!yaml.Has(key))
        {
            return (null, null);
        }

        var at = yaml.AtValue(key);
        return DbtVersion.TryLowerBound(yaml.StringList(key), out var lowest, out var unreadable)
            ? (lowest, at)
            : throw DiagnosticException.At(Codes.DbtVersionUnreadable, at, $"'{unreadable}' in {key} is not a version range dbt reads; write ranges such as \">=1.8.0\" or a list [\">=1.8.0\", \"<2.0.0\"]");
    }

    private static bool? ReadFlag(YamlMap? flags, string key) =>
        flags?.String(key) is { } text
            ? YamlMap.TryReadBoolean(text, out var value) ? value : throw DiagnosticException.At(Codes.YamlShape, flags.AtValue(key), $"'{key}' must be true or false, got '{text}'")
            : null;

    /// <summary>Every file under the model paths with one of the given extensions, in a stable order.</summary>
    public IEnumerable<string> ModelFiles(params string[] extensions) => FilesUnder(ModelPaths, extensions);

    /// <summary>
    /// Every file in which dbt resolves ref(): SQL under <see cref="ReferencingPaths"/>, YAML under
    /// <see cref="ReferencingYamlPaths"/>; a file under two of them once, in a stable order.
    /// </summary>
    public IEnumerable<string> ReferencingFiles() =>
        FilesUnder(ReferencingPaths, ".sql").Concat(FilesUnder(ReferencingYamlPaths, ".yml", ".yaml")).Distinct().Order(StringComparer.Ordinal);

    /// <summary>
    /// The names a one-argument <c>ref()</c> resolves to in this project: models (SQL or Python files under model-paths),
    /// seeds (CSV files under seed-paths) and snapshots (the name of each <c>{% snapshot name %}</c> block under snapshot-paths).
    /// </summary>
    public IReadOnlySet<string> RefNames()
    {
        var names = FilesUnder(ModelPaths, ".sql", ".py").Concat(FilesUnder(SeedPaths, ".csv")).Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.Ordinal)!;
        foreach (var file in FilesUnder(SnapshotPaths, ".sql"))
        {
            names.UnionWith(SnapshotBlock().Matches(File.ReadAllText(file)).Select(m => m.Groups["name"].Value));
        }

        return names!;
    }

    /// <summary>Whether a folder (a path relative to the project, or absolute) is one of the model paths or inside one, so that dbt reads the models in it.</summary>
    public bool IsUnderModelPaths(string folder)
    {
        var full = Path.TrimEndingDirectorySeparator(Resolve(folder));
        return ModelPaths.Select(p => Path.TrimEndingDirectorySeparator(Resolve(p)))
            .Any(p => full == p || full.StartsWith(p + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\{%-?\s*snapshot\s+(?<name>\w+)\s*-?%\}")]
    private static partial System.Text.RegularExpressions.Regex SnapshotBlock();

    private IEnumerable<string> FilesUnder(IEnumerable<string> paths, params string[] extensions) =>
        paths
            .Select(Resolve)
            .Where(System.IO.Directory.Exists)
            .SelectMany(dir => System.IO.Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            .Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
}
