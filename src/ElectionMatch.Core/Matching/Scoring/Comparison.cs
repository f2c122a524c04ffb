using System.Globalization;
using System.Text;

namespace ElectionMatch.Matching.Scoring;

/// <summary>
/// A field comparison with ordered levels, strongest first (Splink's model). Level 0 is the null level:
/// one side has no value, so the field is unknown and weighs nothing — never a disagreement.
/// </summary>
/// <param name="NullCondition">True when the comparison cannot be made.</param>
/// <param name="Source">Where m and u come from (see <see cref="ParameterSource"/>).</param>
/// <param name="TermFrequencyColumn">For the first level: the column holding the value's frequency, so a
/// rare exact value weighs more than a common one.</param>
public sealed record Comparison(
    string Name,
    string Description,
    string NullCondition,
    IReadOnlyList<ComparisonLevel> Levels,
    ParameterSource Source = ParameterSource.RandomPairs,
    string? TermFrequencyColumn = null)
{
    /// <summary>Whether a pair's weight here depends on a term frequency as well as on its level (the first level's adjustment, or a level's penalty).</summary>
    public bool HasTermFrequencies => TermFrequencyColumn is not null || Levels.Any(l => l.TermFrequencyPenaltyColumn is not null);

    /// <summary>Level names with the null level at index 0.</summary>
    public IReadOnlyList<string> LevelNames => ["null", .. Levels.Select(l => l.Name)];

    public string GammaColumn => "gamma_" + Name;

    /// <summary>SQL true when a pair is at the named level: found by name, so a level added before it cannot shift the index.</summary>
    public string At(string level)
    {
        var index = LevelNames.ToList().IndexOf(level);
        if (index < 0)
        {
            throw new ArgumentException($"comparison {Name} has no level {level}", nameof(level));
        }

        return string.Create(CultureInfo.InvariantCulture, $"{GammaColumn} = {index}");
    }

    /// <summary>SQL yielding the level index: 0 for null, then 1.. in order.</summary>
    public string GammaSql()
    {
        var sql = new StringBuilder("case when ").Append(NullCondition).Append(" then 0");
        for (var i = 0; i < Levels.Count; i++)
        {
            sql.Append(Levels[i].Condition is { } condition
                ? string.Create(CultureInfo.InvariantCulture, $" when {condition} then {i + 1}")
                : string.Create(CultureInfo.InvariantCulture, $" else {i + 1}"));
        }

        if (Levels[^1].Condition is not null)
        {
            throw new InvalidOperationException($"the last level of comparison {Name} must take every remaining pair");
        }

        return sql.Append(" end").ToString();
    }
}
