using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>The schema a run's stages write to; every stage is a table a user can <c>select * from</c>.</summary>
public sealed record RunSchema(string Name)
{
    private const string Prefix = "em_run_";

    public static RunSchema For(string match) => new(Prefix + match);

    /// <summary>The match this schema belongs to, for messages.</summary>
    public string Match => Name.StartsWith(Prefix, StringComparison.Ordinal) ? Name[Prefix.Length..] : Name;

    public string Table(string stage) => Sql.Identifier(Name, stage);
}
