using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching.Scoring;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The fingerprint a model is stored with changes with a level's SQL, not only with its name: a build that changed what a
/// level covers, or the order two levels' conditions are tried in, names the comparison whose definition differs.
/// </summary>
public sealed class ComparisonDefinitionsTests
{
    private static IReadOnlyList<Comparison> WithFirstName(Func<IReadOnlyList<ComparisonLevel>, IEnumerable<ComparisonLevel>> levels) =>
        CandidacyDdhqComparisons.All.Select(c => c.Name == "first_name" ? c with { Levels = levels(c.Levels).ToList() } : c).ToList();

    [Fact]
    public void The_same_definitions_fit_and_a_changed_or_swapped_level_names_its_comparison()
    {
        var now = ComparisonDefinitions.Of(CandidacyDdhqComparisons.All);
        var nickname = WithFirstName(levels => levels.Select(l => l.Name == "nickname" ? l with { Condition = "list_has_all(l_groups, r_groups)" } : l));
        // The fuzzy and prefix levels' conditions swapped, their names kept: the level names are this build's.
        var swapped = WithFirstName(levels => levels.Select(l => l.Name switch
        {
            "fuzzy" => l with { Condition = levels.Single(o => o.Name == "prefix").Condition },
            "prefix" => l with { Condition = levels.Single(o => o.Name == "fuzzy").Condition },
            _ => l,
        }));

        Assert.Null(ComparisonDefinitions.OtherThan(ComparisonDefinitions.Of(CandidacyDdhqComparisons.All), now));
        Assert.Equal("trained with other comparison levels (first_name)", ComparisonDefinitions.OtherThan(ComparisonDefinitions.Of(nickname), now));
        Assert.Equal(CandidacyDdhqComparisons.All.Select(c => c.LevelNames), swapped.Select(c => c.LevelNames));
        Assert.Equal("trained with other comparison levels (first_name)", ComparisonDefinitions.OtherThan(ComparisonDefinitions.Of(swapped), now));
        Assert.Equal("trained with other comparison levels (sex)", ComparisonDefinitions.OtherThan(now.Where(c => c.Name != "sex").ToList(), now));
        Assert.Equal("trained with comparison levels it did not record (by an older build)", ComparisonDefinitions.OtherThan(null, now));
    }
}
