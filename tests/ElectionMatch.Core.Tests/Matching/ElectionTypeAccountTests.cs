using ElectionMatch.Matches.CandidacyDdhq;

namespace ElectionMatch.Tests.Matching;

public sealed class ElectionTypeAccountTests
{
    [Fact]
    public void Unreachable_types_are_named_by_count_with_the_type_they_misspell_and_the_rest_counted()
    {
        var candidacyTypes = new HashSet<string>(["primary", "general", "runoff"], StringComparer.Ordinal);
        (string?, long)[] results =
        [
            ("general", 100), ("primary", 50), (null, 4), ("genral", 7), ("special", 9), ("recall", 2),
            ("a", 1), ("b", 1), ("c", 1), ("runoff", 3),
        ];

        var account = ElectionTypeAccount.Of(candidacyTypes, results);

        Assert.Equal(178, account.Read);
        Assert.True(account.Balances);
        Assert.Equal(
            [
                ("used", "an election type a candidacy can have", 153L),
                ("excluded", "no election type", 4L),
                ("excluded", "election type no candidacy has: 'special' 9, 'genral' 7 (like 'general'), 'recall' 2, 'a' 1, 'b' 1, and 1 more type", 21L),
            ],
            account.Outcomes.Select(o => (o.Outcome, o.Reason, o.Rows)));
    }
}
