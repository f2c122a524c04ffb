using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>The schema a run's stages write to; every stage is a table a user can <c>select * from</c>.</summary>
public sealed record RunSchema(string Name)
{
    public static RunSchema For(string match) => new("em_run_" + match);

    public string Table(string stage) => Sql.Identifier(Name, stage);
}
