using ElectionMatch.Settings;

namespace ElectionMatch.Matching;

/// <summary>An input column by its side and the role electionmatch.yml maps to it (<see cref="Id"/>: the side's id column).</summary>
public sealed record InputColumnRole(string Side, string Role)
{
    public const string Id = "id";

    /// <summary>The column the match's settings map to the role on its side, as written there; null when the role is unmapped.</summary>
    public string? ColumnIn(MatchSettings match)
    {
        var input = Side == "left" ? match.Left : match.Right;
        return Role == Id ? input.Id : input.Column(Role);
    }
}
