using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches;

/// <summary>A kind of match: the columns it publishes and the matcher that produces them.</summary>
public sealed record MatchDefinition(
    string Kind,
    IReadOnlyList<OutputColumn> Columns,
    Func<DuckDbWarehouse, MatchSettings, RunSchema, MatchInputs, Action<StageReport>?, int, MatchResult> Run)
{
    public static MatchDefinition For(string kind) => kind switch
    {
        "candidacy_ddhq" => new(kind, CandidacyDdhqColumns.All, (w, s, r, i, p, threads) => new CandidacyDdhqMatcher(w, s, r) { Threads = threads }.Run(i, p)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown match kind"),
    };
}
