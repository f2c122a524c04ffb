namespace ElectionMatch.Dbt;

/// <summary>
/// How messages quote a profiles.yml <c>path:</c>: as written, since a value env_var() renders into it may be a token
/// (MotherDuck's <c>md:db?motherduck_token={{ env_var('MOTHERDUCK_TOKEN') }}</c>).
/// </summary>
internal static class WarehousePath
{
    /// <summary><c>path:</c> as written in profiles.yml, its env_var() calls unrendered, and cut at its first '?' (where a token written there would be).</summary>
    public static string AsWritten(string written)
    {
        var query = written.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? written : written[..(query + 1)] + "…";
    }
}
