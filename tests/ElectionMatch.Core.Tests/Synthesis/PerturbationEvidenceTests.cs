using System.Text.RegularExpressions;
using ElectionMatch.Synthesis;

namespace ElectionMatch.Tests.Synthesis;

/// <summary>
/// Each perturbation, switched on alone for every candidacy, changes the data in exactly the way its
/// name says: the tags in the truth are evidence, not labels.
/// </summary>
public sealed partial class PerturbationEvidenceTests
{
    private static GeneratedData Only(string name, double rate = 1.0) =>
        GeneratedData.Of(1500, seed: 5, rates: PerturbationRates.Zero.With(name, rate));

    private static string CrmName(CandidacyRow left) => left.FirstName + " " + left.LastName;

    private static string BallotName(ResultRow right) => right.Candidate.Replace(",", "", StringComparison.Ordinal);

    private static string[] Tokens(string name) => name.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The tokens without a generational suffix (both sides carry the same one when only another perturbation is on).</summary>
    private static string[] NameTokens(string name) => Tokens(name).Where(t => !SuffixToken().IsMatch(t)).ToArray();

    [GeneratedRegex(@"^\p{Lu}\.?$")]
    private static partial Regex Initial();

    [GeneratedRegex(@"^(Jr\.|Sr\.|II|III|IV)$", RegexOptions.IgnoreCase)]
    private static partial Regex SuffixToken();

    private static void EveryPair(GeneratedData data, Func<CandidacyRow, ResultRow, bool> shows)
    {
        var pairs = data.Pairs().ToList();
        Assert.True(pairs.Count > 500, $"only {pairs.Count} pairs");
        var wrong = pairs.Where(p => !shows(p.Left, p.Right)).Select(p => $"{CrmName(p.Left)} | {p.Right.Candidate}").Take(5).ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Nickname_puts_another_given_name_on_one_side() =>
        EveryPair(Only("nickname"), (l, r) => NameTokens(CrmName(l))[0] != NameTokens(BallotName(r))[0] && NameTokens(CrmName(l))[1..].SequenceEqual(NameTokens(BallotName(r))[1..]));

    [Fact]
    public void Quoted_nickname_is_printed_in_quotes_by_DDHQ() =>
        EveryPair(Only("quoted_nickname"), (_, r) => r.Candidate.Count(c => c == '"') == 2);

    [Fact]
    public void Middle_initial_is_on_exactly_one_side() =>
        EveryPair(Only("middle_initial"), (l, r) =>
            Tokens(CrmName(l)).Count(t => Initial().IsMatch(t)) + Tokens(BallotName(r)).Count(t => Initial().IsMatch(t)) == 1);

    [Fact]
    public void Middle_name_is_spelled_out_on_one_side() =>
        EveryPair(Only("middle_name"), (l, r) =>
        {
            // Given names on each side: HubSpot's first_name, and what the ballot prints before the surname.
            var last = string.Join(' ', NameTokens(l.LastName));
            var crm = Tokens(l.FirstName);
            var ballot = Tokens(BallotName(r)[..BallotName(r).LastIndexOf(" " + last, StringComparison.Ordinal)]);
            bool Full(string[] given) => given.Length == 2 && !Initial().IsMatch(given[1]);
            bool ShortOrNone(string[] given) => given.Length == 1 || (given.Length == 2 && Initial().IsMatch(given[1]));
            return (Full(crm) && ShortOrNone(ballot)) || (Full(ballot) && ShortOrNone(crm));
        });

    [Fact]
    public void Goes_by_middle_prints_a_first_initial_before_the_name_HubSpot_keeps() =>
        EveryPair(Only("goes_by_middle"), (l, r) => Initial().IsMatch(Tokens(BallotName(r))[0]) && Tokens(BallotName(r))[1] == l.FirstName);

    [Fact]
    public void Suffix_is_on_exactly_one_side() =>
        EveryPair(Only("suffix"), (l, r) =>
            Tokens(CrmName(l)).Count(t => SuffixToken().IsMatch(t)) + Tokens(BallotName(r)).Count(t => SuffixToken().IsMatch(t)) == 1);

    [Fact]
    public void Dropped_accents_leave_the_names_equal_once_accents_are_stripped() =>
        EveryPair(Only("accent_dropped"), (l, r) =>
            AccentedNames.HasAccent(CrmName(l)) != AccentedNames.HasAccent(BallotName(r))
            && AccentedNames.Strip(CrmName(l)) == AccentedNames.Strip(BallotName(r)));

    [Fact]
    public void Compound_surname_is_written_differently_but_shares_a_part() =>
        EveryPair(Only("compound_surname"), (l, r) =>
        {
            var ballotLast = BallotName(r)[(l.FirstName.Length + 1)..];
            var parts = l.LastName.Split(' ', '-');
            return ballotLast != l.LastName && (parts.Any(p => ballotLast.Contains(p, StringComparison.Ordinal)) || l.LastName.Contains(ballotLast, StringComparison.Ordinal) || ballotLast.Replace(" ", "", StringComparison.Ordinal).Equals(l.LastName.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
        });

    [Fact]
    public void Case_change_differs_only_in_case() =>
        EveryPair(Only("case_change"), (l, r) =>
            CrmName(l) != BallotName(r) && string.Equals(CrmName(l), BallotName(r), StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void Typo_is_one_edit_away() =>
        EveryPair(Only("typo"), (l, r) => ElectionMatch.Dbt.Spelling.Distance(CrmName(l), BallotName(r)) == 1);

    [Fact]
    public void Upper_case_ballot_prints_every_name_in_capitals()
    {
        var data = Only("upper_case_ballot");
        Assert.All(data.Results, r => Assert.Equal(r.Candidate.ToUpperInvariant(), r.Candidate));
        EveryPair(data, (l, r) => string.Equals(CrmName(l), BallotName(r), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Last_first_ballot_prints_the_surname_first()
    {
        var data = Only("last_first_ballot");
        Assert.All(data.Results, r => Assert.Contains(", ", r.Candidate, StringComparison.Ordinal));
        EveryPair(data, (l, r) => r.Candidate.StartsWith(l.LastName + ", ", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_state_leaves_HubSpot_state_blank() =>
        Assert.All(Only("missing_state").Candidacies, c => Assert.Null(c.State));

    [Fact]
    public void No_true_match_leaves_no_pair()
    {
        var data = Only("no_true_match");
        Assert.Empty(data.Truth);
        Assert.NotEmpty(data.Results);
    }

    [Fact]
    public void Wrong_date_puts_one_HubSpot_date_on_a_day_without_such_an_election_in_the_state()
    {
        var data = Only("wrong_date");
        var held = data.Results.Select(r => (r.State, r.ElectionType, r.ElectionDate)).ToHashSet();
        Assert.All(data.Candidacies, c => Assert.Contains(c.Stages(), s => !held.Contains((c.State!, s.ElectionType, s.Date))));
    }

    [Fact]
    public void Namesake_puts_someone_else_with_that_surname_on_the_ballot_that_day_in_the_state()
    {
        var data = Only("namesake");
        var surnames = data.Results.ToLookup(r => (r.State, r.ElectionDate, Last: NameTokens(BallotName(r))[^1].ToUpperInvariant()));
        var tagged = data.Pairs().Where(p => (p.Pair.Perturbations & Perturbation.Namesake) != 0).ToList();

        // Most pairs carry the tag; the rest are stages the namesake did not reach (a primary lost).
        Assert.True(tagged.Count > data.Truth.Count * 0.6, $"{tagged.Count} of {data.Truth.Count} pairs tagged");
        Assert.All(tagged, p => Assert.Contains(
            surnames[(p.Right.State, p.Right.ElectionDate, NameTokens(p.Left.LastName)[^1].ToUpperInvariant())],
            o => o.CandidateId != p.Right.CandidateId));
    }

    [Fact]
    public void Repeat_candidate_reuses_people()
    {
        // Once a year each: with four even years (2018-2024) a person runs about four times before a new one is needed.
        var data = Only("repeat_candidate");
        var people = data.Candidacies.Select(c => c.HubspotContactId).Distinct().Count();
        Assert.InRange(people, data.Candidacies.Count / 8, data.Candidacies.Count / 3);
    }

    [Fact]
    public void Shared_contest_puts_two_candidacies_in_one_contest() =>
        Assert.All(Only("shared_contest").Contests.Where(c => c.Candidacies.Count > 0), c => Assert.Equal(2, c.Candidacies.Count));
}
