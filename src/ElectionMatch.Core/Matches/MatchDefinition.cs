using ElectionMatch.Evaluation;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matches.L2BallotReady;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches;

/// <summary>A kind of match: the columns it publishes, where evaluate finds its decisions, and the matcher that produces them.</summary>
/// <param name="ReferenceFiles">The files of Reference/ its matcher loads (<see cref="ReferenceData"/>), which its manifests record.</param>
/// <param name="Comparisons">The Fellegi–Sunter comparisons its matcher scores with, whose definitions its manifests record.</param>
public sealed record MatchDefinition(
    string Kind,
    IReadOnlyList<OutputColumn> Columns,
    EvaluationColumns Evaluation,
    IReadOnlyList<string> ReferenceFiles,
    IReadOnlyList<Matching.Scoring.Comparison> Comparisons,
    Func<DuckDbWarehouse, MatchSettings, RunSchema, MatchInputs, MatchRunOptions, MatchResult> Run)
{
    public static MatchDefinition For(string kind) => kind switch
    {
        "candidacy_ddhq" => new(kind, CandidacyDdhqColumns.All, CandidacyDdhqColumns.Evaluation, ["first_name_sex.csv", "name_variants.csv", "nicknames.csv", "states.csv"], CandidacyDdhqComparisons.All, (w, s, r, i, o) => CandidacyDdhqMatcher.Create(w, s, r, o).Run(i, o.Progress, o.CancellationToken)),
        "l2_ballotready" => new(kind, L2BallotReadyColumns.All, L2BallotReadyColumns.Evaluation, ["states.csv"], L2BallotReadyComparisons.All, (w, s, r, i, o) => new L2BallotReadyMatcher(w, s, r)
        {
            Threads = o.Threads,
            Judge = o.Providers.Judge ?? new DistrictRuleJudge(),
            Embeddings = o.Providers.Embeddings,
        }.Run(i, o.Progress, o.CancellationToken)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown match kind"),
    };

    /// <summary>
    /// The definitions for a snapshot's <paramref name="columns"/>: the kind's own, and for every other column (one
    /// <c>keep_columns:</c> kept from the left input row) a description saying where it comes from.
    /// </summary>
    public IReadOnlyList<OutputColumn> Described(IReadOnlyList<ColumnInfo> columns)
    {
        var own = Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var row = MatchKind.All.First(k => k.Name == Kind).KeptRow;
        return row is null
            ? Columns
            : [.. Columns, .. columns.Where(c => !own.Contains(c.Name)).Select(c => new OutputColumn(c.Name, $"Kept from the {row} as read ({KeptColumns.Key} in electionmatch.yml)."))];
    }

    /// <summary>
    /// The input column a published column carries as read, and so whose type it has: a column of the kind's own with an
    /// input (<see cref="OutputColumn.From"/>), or one <c>keep_columns:</c> keeps, which has its input column's name. Null
    /// for a column the match computes, and one the settings no longer map or keep.
    /// </summary>
    public (string Side, string Column)? InputColumnOf(string published, MatchSettings match)
    {
        if (Columns.FirstOrDefault(c => c.Name == published) is { } own)
        {
            return own.From is { } from && from.ColumnIn(match) is { } column ? (from.Side, column) : null;
        }

        return MatchKind.All.First(k => k.Name == Kind).KeptRow is not null && match.Left.Keep is not null ? ("left", published) : null;
    }

    /// <summary>
    /// The kind whose published columns a snapshot has the most of: the kind of a snapshot whose match electionmatch.yml
    /// no longer defines (its manifest does not record one), so its generated YAML is rendered as it was written.
    /// </summary>
    internal static MatchDefinition Publishing(IReadOnlyList<ColumnInfo> columns)
    {
        var names = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return MatchKind.All.Select(k => For(k.Name)).MaxBy(d => d.Columns.Count(c => names.Contains(c.Name)))!;
    }
}
