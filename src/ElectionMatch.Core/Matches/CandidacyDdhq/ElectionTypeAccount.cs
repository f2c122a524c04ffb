using System.Globalization;
using ElectionMatch.Dbt;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// The cleaned results rows by election type. A results row meets only election rows of its own type (partitions are
/// by date, type and state), so a row whose type no candidacy can have (a typo such as <c>primray</c>, a type the
/// candidacies never carry, or none at all) can never be matched: the account says so, with the values, instead of
/// counting such rows as used.
/// </summary>
/// <remarks>
/// Runoffs are always a type a candidacy can have: the runoff pass discovers them in the results for candidates
/// linked in a primary or general. The account is computed over the whole inputs and the run's quarantine, the same
/// way by a plain run and by an incremental run's assembly, whose partitions each see only a part of the candidacies.
/// </remarks>
internal static class ElectionTypeAccount
{
    public const string Unit = "cleaned rows by election type";

    // How many unreachable values the reason names; the rest are counted.
    private const int ValuesNamed = 5;

    public static RowAccount Of(DuckDbWarehouse warehouse, CandidacyDdhqCleaning cleaning, MatchInputs inputs)
    {
        var candidacyTypes = warehouse.Query(cleaning.LeftElectionTypesSql(inputs.LeftRelation), r => r.IsDBNull(0) ? null : r.GetString(0))
            .OfType<string>()
            .Append("runoff")
            .ToHashSet(StringComparer.Ordinal);
        var results = warehouse.Query(
            cleaning.RightElectionTypesSql(NumberedInput.RowNumbers(warehouse, inputs.RightRelation)),
            r => (Type: r.IsDBNull(0) ? null : r.GetString(0), Rows: r.GetInt64(1)));
        return Of(candidacyTypes, results);
    }

    /// <summary>The account from the candidacies' types and the results rows' counts by type (null: no type).</summary>
    public static RowAccount Of(IReadOnlySet<string> candidacyTypes, IReadOnlyList<(string? Type, long Rows)> results)
    {
        var unreachable = results
            .Where(r => r.Type is not null && !candidacyTypes.Contains(r.Type))
            .OrderByDescending(r => r.Rows)
            .ThenBy(r => r.Type, StringComparer.Ordinal)
            .ToList();
        var outcomes = new List<RowOutcome>
        {
            new("used", "an election type a candidacy can have", results.Where(r => r.Type is not null && candidacyTypes.Contains(r.Type)).Sum(r => r.Rows)),
            new("excluded", "no election type", results.Where(r => r.Type is null).Sum(r => r.Rows)),
        };
        if (unreachable.Count > 0)
        {
            outcomes.Add(new("excluded", UnreachableReason(unreachable, candidacyTypes), unreachable.Sum(r => r.Rows)));
        }

        return new RowAccount("right", Unit, results.Sum(r => r.Rows), outcomes);
    }

    // "election type no candidacy has: 'primray' 3 (like 'primary'), 'special' 2, and 4 more types".
    private static string UnreachableReason(IReadOnlyList<(string? Type, long Rows)> unreachable, IReadOnlySet<string> candidacyTypes)
    {
        var named = unreachable.Take(ValuesNamed).Select(r =>
        {
            var like = Spelling.Nearest(r.Type!, candidacyTypes.Order(StringComparer.Ordinal));
            return string.Create(CultureInfo.InvariantCulture, $"'{r.Type}' {r.Rows}{(like is null ? "" : $" (like '{like}')")}");
        });
        var rest = unreachable.Count - ValuesNamed;
        var more = rest > 0 ? $", and {rest} more type{(rest == 1 ? "" : "s")}" : "";
        return "election type no candidacy has: " + string.Join(", ", named) + more;
    }
}
