using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>The schema a run's stages write to; every stage is a table a user can <c>select * from</c>.</summary>
public sealed record RunSchema(string Name)
{
    private const string Prefix = "em_run_";

    public static RunSchema For(string match) => new(Prefix + match);

    private readonly string? _match;

    /// <summary>The match this schema belongs to, for messages.</summary>
    public string Match
    {
        get => _match ?? (Name.StartsWith(Prefix, StringComparison.Ordinal) ? Name[Prefix.Length..] : Name);
        private init => _match = value;
    }

    /// <summary>A schema for the same match's work beside this one's (the second of two partitions an incremental run matches at once).</summary>
    public RunSchema Beside(int worker) => new(Name + "__" + worker) { Match = Match };

    public string Table(string stage) => Sql.Identifier(Name, stage);
}
