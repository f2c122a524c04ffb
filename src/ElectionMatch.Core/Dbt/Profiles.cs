using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>Finds profiles.yml the way dbt does and selects the DuckDB target.</summary>
public static class Profiles
{
    public static WarehouseTarget Resolve(DbtProject project, string? profilesDir, string? target) =>
        Resolve(project, profilesDir, target, Environment.GetEnvironmentVariable);

    /// <param name="environment">Reads DBT_TARGET (tests pass their own, as the variable is process-wide).</param>
    internal static WarehouseTarget Resolve(DbtProject project, string? profilesDir, string? target, Func<string, string?> environment)
    {
        var file = Find(project, profilesDir);
        var yaml = YamlFile.Load(file);
        // What dbt_project.yml read (its profile: may come from a variable) is as much an input as profiles.yml's.
        var variables = new SortedSet<string>(project.EnvironmentVariables, StringComparer.Ordinal);
        string? Expand(YamlMap map, string key)
        {
            if (map.String(key) is not { } value)
            {
                return null;
            }

            variables.UnionWith(EnvVars.Names(value));
            return EnvVars.Expand(value, map.AtValue(key));
        }

        var root = yaml.RootMap();
        var profile = root.Map(project.ProfileName)
            ?? throw DiagnosticException.At(Codes.ProfileOrTargetMissing, yaml.AtStart, $"profile '{project.ProfileName}' (named in dbt_project.yml) is not in this profiles.yml");
        // As dbt (1.5 and later): --target, then the DBT_TARGET variable, then the profile's target.
        if (target is null)
        {
            variables.Add("DBT_TARGET");
        }

        var targetName = target ?? (environment("DBT_TARGET") is { Length: > 0 } fromEnvironment ? fromEnvironment : null) ?? Expand(profile, "target") ?? "dev";
        var outputs = profile.Map("outputs", required: true)!;
        var output = outputs.Map(targetName)
            ?? throw DiagnosticException.At(Codes.ProfileOrTargetMissing, outputs.At, $"target '{targetName}' is not among the outputs of profile '{project.ProfileName}' ({string.Join(", ", outputs.Keys)})");
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
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var expanded = path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal)
            ? Path.Join(home, path[1..].TrimStart('/', '\\'))
            : path;
        var databasePath = Path.GetFullPath(Path.Combine(project.Directory, expanded));
        if (Directory.Exists(databasePath) || Path.EndsInDirectorySeparator(path))
        {
            // DuckDB would fail later, at whichever command first opens it, with an error that names no setting.
            throw DiagnosticException.At(Codes.UnsupportedAdapter, output.AtValue("path"), $"path '{written}' resolves to the directory {DisplayPath.For(databasePath)}, not a database file; name a file in it, such as {DisplayPath.For(Path.Combine(databasePath, project.ProfileName + ".duckdb"))}");
        }

        var schema = Expand(output, "schema") ?? "main";
        return new WarehouseTarget(file, project.ProfileName, targetName, databasePath, schema) { EnvironmentVariables = [.. variables], PathAt = output.AtValue("path") };
    }

    private static string Find(DbtProject project, string? profilesDir)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(profilesDir))
        {
            // An explicit directory is the only place looked at: a typo must not fall back to ~/.dbt.
            candidates.Add(WorkingDirectory.Full(profilesDir));
        }
        else
        {
            if (Environment.GetEnvironmentVariable("DBT_PROFILES_DIR") is { Length: > 0 } env)
            {
                candidates.Add(WorkingDirectory.Full(env));
            }

            candidates.Add(project.Directory);
            if (!string.IsNullOrEmpty(home))
            {
                candidates.Add(Path.Combine(home, ".dbt"));
            }
        }

        foreach (var dir in candidates)
        {
            foreach (var name in new[] { "profiles.yml", "profiles.yaml" })
            {
                var file = Path.Combine(dir, name);
                if (File.Exists(file))
                {
                    return file;
                }
            }
        }

        throw DiagnosticException.At(
            Codes.ProfilesMissing,
            project.ProfileAt,
            $"profiles.yml not found; looked in {string.Join(", ", candidates.Select(DisplayPath.For))} (set --profiles-dir or DBT_PROFILES_DIR)");
    }
}
