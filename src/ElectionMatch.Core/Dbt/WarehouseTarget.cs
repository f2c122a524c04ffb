namespace ElectionMatch.Dbt;

/// <summary>The dbt-duckdb output a run writes to, as selected from profiles.yml.</summary>
public sealed record WarehouseTarget(string ProfilesFile, string Profile, string Target, string DatabasePath, string Schema)
{
    /// <summary>DuckDB names the attached database after the file.</summary>
    public string Catalog => Path.GetFileNameWithoutExtension(DatabasePath);
}
