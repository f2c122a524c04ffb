using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>Finds profiles.yml the way dbt does and selects the DuckDB target.</summary>
public static class Profiles
{
    /// <param name="startupDirectory">Where the command was started: a relative DBT_PROFILES_DIR is read from there, as dbt
    /// reads it; null for <see cref="WorkingDirectory.Current"/> (the CLI's). MSBuild runs tasks in the project's folder, so a
    /// build passes $(MSBuildStartupDirectory).</param>
    public static WarehouseTarget Resolve(DbtProject project, string? profilesDir, string? target, string? startupDirectory = null) =>
        Resolve(project, profilesDir, target, Environment.GetEnvironmentVariable, startupDirectory);

    /// <param name="environment">Reads DBT_PROFILES_DIR and DBT_TARGET (tests pass their own, as the variables are process-wide).</param>
    internal static WarehouseTarget Resolve(DbtProject project, string? profilesDir, string? target, Func<string, string?> environment, string? startupDirectory = null)
    {
        var file = Find(project, profilesDir, environment, startupDirectory);
        var yaml = YamlFile.Load(file);
        // What dbt_project.yml read (its profile: may come from a variable) is as much an input as profiles.yml's.
        var variables = new SortedSet<string>(project.EnvironmentVariables, StringComparer.Ordinal);
        string? Expand(YamlMap map, string key)
        {
            if (map.String(key) is not { } value)
            {
                return null;
            }

            return EnvVars.Expand(value, map.AtValue(key), key, variables);
        }

        var root = yaml.RootMap();
        var profile = root.Map(project.ProfileName) ?? throw ProfileMissing(project, file, root);
        // As dbt (1.5 and later): --target, then the DBT_TARGET variable, then the profile's target.
        if (target is null)
        {
            variables.Add("DBT_TARGET");
        }

        var fromEnvironment = environment("DBT_TARGET") is { Length: > 0 } variable ? variable : null;
        var fromProfile = target is null && fromEnvironment is null ? Expand(profile, "target") : null;
        // A profile that names no target: reads its output named default, as dbt-core does (Profile.render_profile).
        var targetName = target ?? fromEnvironment ?? fromProfile ?? "default";
        var outputs = profile.Map("outputs", required: true)!;
        // An unknown target is reported where its name was written; one named outside profiles.yml, at outputs:, saying where.
        var (chosenBy, chosenAt) = target is not null ? (" (from --target, or ElectionMatchTarget in dotnet build)", profile.AtKey("outputs"))
            : fromEnvironment is not null ? (" (from DBT_TARGET)", profile.AtKey("outputs"))
            : fromProfile is not null ? ("", profile.AtValue("target"))
            : (" (the default, as the profile names no target:)", profile.AtKey("outputs"));
        var output = outputs.Map(targetName)
            ?? throw DiagnosticException.At(Codes.ProfileOrTargetMissing, chosenAt, $"target '{targetName}'{chosenBy} is not among the outputs of profile '{project.ProfileName}' ({string.Join(", ", outputs.Keys)})");
        var type = Expand(output, "type");
        if (!string.Equals(type, "duckdb", StringComparison.OrdinalIgnoreCase))
        {
            throw DiagnosticException.At(Codes.UnsupportedAdapter, output.AtValue("type"), $"target '{targetName}' uses adapter '{type}'; the embedded engine needs a dbt-duckdb target (type: duckdb)");
        }

        var path = Expand(output, "path") ?? throw output.Missing("path");
        // Messages quote path: as written: a value env_var() put in it may be a token (md:db?motherduck_token=…).
        var written = WarehousePath.AsWritten(output.String("path")!);
        if (WarehousePath.IsInMemory(path))
        {
            throw DiagnosticException.At(Codes.UnsupportedAdapter, output.AtValue("path"), $"path '{written}' is DuckDB's in-memory database, not a database file; snapshots must outlive the run");
        }

        if (WarehousePath.IsConnectionString(path))
        {
            // Refused before it is a file name, a build dependency or part of any message (docs/configuration.md, "Values read through env_var()").
            throw DiagnosticException.At(
                Codes.UnsupportedAdapter,
                output.AtValue("path"),
                $"path '{written}' is a connection string, not a database file: a word and ':' at its start (md:, motherduck:, s3://) or a '?' make one; name a local DuckDB file, where snapshots are published (path: is quoted as written, up to any '?': a connection string may carry a token)");
        }

        // dbt-duckdb resolves a relative path against the directory dbt runs in; we take the project's (docs/configuration.md).
        // A leading ~ is the home directory, as in a shell; never a folder named "~" in the project.
        var databasePath = Path.GetFullPath(Path.Combine(project.Directory, WorkingDirectory.ExpandHome(path)));
        if (Directory.Exists(databasePath) || Path.EndsInDirectorySeparator(path))
        {
            // DuckDB would fail later, at whichever command first opens it, with an error that names no setting.
            throw DiagnosticException.At(Codes.UnsupportedAdapter, output.AtValue("path"), $"path '{written}' resolves to the directory {DisplayPath.For(databasePath)}, not a database file; name a file in it, such as {DisplayPath.For(Path.Combine(databasePath, project.ProfileName + ".duckdb"))}");
        }

        var schema = Expand(output, "schema") ?? "main";
        return new WarehouseTarget(file, project.ProfileName, targetName, databasePath, schema) { EnvironmentVariables = [.. variables], PathAt = output.AtValue("path") };
    }

    /// <summary>
    /// profiles.yml as dbt finds it: in the folder --profiles-dir names, else in the one DBT_PROFILES_DIR names, and only
    /// there (a typo must not fall back to another profiles.yml, whose warehouse a run would publish into); with neither, in
    /// the project directory, then ~/.dbt.
    /// </summary>
    private static string Find(DbtProject project, string? profilesDir, Func<string, string?> environment, string? startupDirectory)
    {
        if (!string.IsNullOrEmpty(profilesDir))
        {
            var named = WorkingDirectory.Full(profilesDir);
            return In(named) ?? throw Missing(project,
                $"profiles.yml not found in {named}, the folder --profiles-dir (ElectionMatchProfilesDirectory in dotnet build) names; only that folder is looked in when it is given");
        }

        if (environment("DBT_PROFILES_DIR") is { Length: > 0 } variable)
        {
            var from = startupDirectory ?? WorkingDirectory.Current;
            var named = Path.GetFullPath(WorkingDirectory.ExpandHome(variable), from);
            var relative = Path.IsPathFullyQualified(WorkingDirectory.ExpandHome(variable)) ? "" : $" ('{variable}', read from {from}, where the command was started)";
            return In(named) ?? throw Missing(project,
                $"profiles.yml not found in {named}, the folder DBT_PROFILES_DIR names{relative}; while DBT_PROFILES_DIR is set, dbt looks only there: correct it, or unset it to use the project's profiles.yml or ~/.dbt");
        }

        var candidates = new List<string> { project.Directory };
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home))
        {
            candidates.Add(Path.Combine(home, ".dbt"));
        }

        return candidates.Select(In).FirstOrDefault(f => f is not null)
            ?? throw Missing(project, $"profiles.yml not found; looked in {string.Join(", ", candidates.Select(DisplayPath.For))} (set --profiles-dir or DBT_PROFILES_DIR)");
    }

    /// <summary>The profiles file in <paramref name="directory"/> (profiles.yml, else profiles.yaml), or null.</summary>
    private static string? In(string directory) =>
        new[] { "profiles.yml", "profiles.yaml" }.Select(name => Path.Combine(directory, name)).FirstOrDefault(File.Exists);

    /// <summary>
    /// EM0012 for a profile profiles.yml does not define, at dbt_project.yml's <c>profile:</c>, where the name was written
    /// (before, at profiles.yml's first line, naming neither the profiles it defines nor the one meant).
    /// </summary>
    private static DiagnosticException ProfileMissing(DbtProject project, string file, YamlMap root)
    {
        // A top-level config: block (dbt before 1.8 read its settings there) is no profile.
        var defined = root.Keys.Where(k => k != "config").ToList();
        var hint = Spelling.Nearest(project.ProfileName, defined) is { } near ? $"did you mean '{near}'?"
            : defined.Count == 0 ? "it defines no profile" : $"it defines: {string.Join(", ", defined)}";
        return DiagnosticException.At(Codes.ProfileOrTargetMissing, project.ProfileAt, $"profile '{project.ProfileName}' is not in {DisplayPath.For(file)}; {hint}");
    }

    private static DiagnosticException Missing(DbtProject project, string message) =>
        DiagnosticException.At(Codes.ProfilesMissing, project.ProfileAt, message);
}
