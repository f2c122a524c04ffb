using Fluid;

namespace ElectionMatch.Generation;

/// <summary>A template read a member its value lacks: what it read, of what (when known), and what that value has.</summary>
internal sealed class UndefinedMemberException(string member, string kind, IReadOnlyCollection<string> offered, string? owner)
    : FluidException(Describe(member, kind, offered, owner))
{
    public string Member => member;

    public string? Owner => owner;

    public UndefinedMemberException Of(string written) => new(member, kind, offered, written);

    private static string Describe(string member, string kind, IReadOnlyCollection<string> offered, string? owner)
    {
        var has = offered.Count == 0 ? "which has no member" : $"which has {string.Join(", ", offered.SkipLast(1))}{(offered.Count > 1 ? " and " : "")}{offered.Last()}{(kind == "a dictionary" ? "" : " only")}";
        var near = Dbt.Spelling.Nearest(member, offered) is { } name ? $"; did you mean '{name}'?" : "";
        return $"undefined member '{member}'{(owner is null ? "" : $" of {owner}")}, {kind}, {has}{near}";
    }
}
