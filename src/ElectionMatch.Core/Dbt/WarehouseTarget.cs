using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>The dbt-duckdb output a run writes to, as selected from profiles.yml.</summary>
public sealed record WarehouseTarget(string ProfilesFile, string Profile, string Target, string DatabasePath, string Schema)
{
    /// <summary>DuckDB names the attached database after the file.</summary>
    public string Catalog => Path.GetFileNameWithoutExtension(DatabasePath);

    /// <summary>
    /// The environment variables profiles.yml read to select this target (<c>env_var('NAME')</c>): another value of
    /// one may name another warehouse, so a build that skips unchanged work must watch them as it watches files.
    /// </summary>
    public IReadOnlyList<string> EnvironmentVariables { get; init; } = [];

    /// <summary>The <c>path:</c> of profiles.yml that names the warehouse file: where a file that cannot be opened is reported.</summary>
    public SourceSpan? PathAt { get; init; }
}
