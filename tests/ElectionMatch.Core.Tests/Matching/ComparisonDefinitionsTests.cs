using System.Text.Json;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Snapshots;

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

    [Fact]
    public void The_column_the_exact_level_is_adjusted_by_is_in_its_comparisons_fingerprint()
    {
        var now = ComparisonDefinitions.Of(CandidacyDdhqComparisons.All);
        // The build before adjusted the surname's exact level by the results row's surname alone (r_tf_last), a compound's too.
        var before = CandidacyDdhqComparisons.All.Select(c => c.Name == "last_name" ? c with { TermFrequencyColumn = "r_tf_last" } : c).ToList();

        Assert.Equal("trained with other comparison levels (last_name)", ComparisonDefinitions.OtherThan(ComparisonDefinitions.Of(before), now));
    }

    [Fact]
    public void A_levels_term_frequency_penalty_is_in_its_comparisons_fingerprint_and_the_others_are_as_before()
    {
        var now = ComparisonDefinitions.Of(CandidacyDdhqComparisons.All);
        var unpenalised = CandidacyDdhqComparisons.All
            .Select(c => c with { Levels = c.Levels.Select(l => l with { TermFrequencyPenaltyColumn = null }).ToList() })
            .ToList();

        Assert.Equal("trained with other comparison levels (last_name)", ComparisonDefinitions.OtherThan(ComparisonDefinitions.Of(unpenalised), now));

        // A comparison without a penalty is fingerprinted from the text the build before the penalty wrote, so its stored models still fit.
        var before = CandidacyDdhqComparisons.All.Where(c => c.Name != "last_name").Select(c => new ManifestComparison(c.Name, SnapshotManifest.Sha256(JsonSerializer.Serialize(new
        {
            null_condition = c.NullCondition,
            levels = c.Levels.Select(l => l.NotAbove is null
                ? (object)new { name = l.Name, condition = l.Condition, initial_m = l.InitialM }
                : new { name = l.Name, condition = l.Condition, initial_m = l.InitialM, not_above = l.NotAbove }),
            source = c.Source.ToString(),
            term_frequency_column = c.TermFrequencyColumn,
        })))).ToList();
        Assert.Equal(before, now.Where(c => c.Name != "last_name"));
    }
}
