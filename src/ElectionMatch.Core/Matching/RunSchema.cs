using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>The schema a run's stages write to; every stage is a table a user can <c>select * from</c>.</summary>
public sealed record RunSchema(string Name)
{
    private const string Prefix = "em_run_";

    public static RunSchema For(string match) => new(Prefix + match);

    /// <summary>The match this schema belongs to, for messages.</summary>
    public string Match { get; init; } = Name.StartsWith(Prefix, StringComparison.Ordinal) ? Name[Prefix.Length..] : Name;

    /// <summary>A schema beside this one for work of the same match, <c>em_run_&lt;match&gt;__&lt;part&gt;</c> (an incremental run's partitions and training).</summary>
    public RunSchema Part(string part) => new(Name + "__" + part) { Match = Match };

    public string Table(string stage) => Sql.Identifier(Name, stage);
}
