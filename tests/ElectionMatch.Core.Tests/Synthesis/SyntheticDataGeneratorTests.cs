using ElectionMatch.Synthesis;
using Xunit.Abstractions;

namespace ElectionMatch.Tests.Synthesis;

public sealed class SyntheticDataGeneratorTests(ITestOutputHelper output)
{
    [Fact]
    public void The_same_seed_gives_the_same_data_and_another_seed_other_data()
    {
        var first = GeneratedData.Of(3000, seed: 11).Digest();
        var again = GeneratedData.Of(3000, seed: 11).Digest();
        var other = GeneratedData.Of(3000, seed: 12).Digest();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Exactly_the_requested_number_of_candidacies_is_generated_with_unique_ids()
    {
        var data = GeneratedData.Of(2501);

        Assert.Equal(2501, data.Candidacies.Count);
        Assert.Equal(2501, data.Candidacies.Select(c => c.GpCandidacyId).Distinct().Count());
        Assert.Equal(data.Results.Count, data.Results.Select(r => r.CandidateId).Distinct().Count());
        Assert.Equal("gpc-000001", data.Candidacies[0].GpCandidacyId);
    }

    [Fact]
    public void Truth_is_consistent_with_the_rows()
    {
        var data = GeneratedData.Of(5000);

        Assert.NotEmpty(data.Truth);
        var listed = data.Truth.Where(t => (t.Perturbations & Perturbation.UnlistedRunoff) == 0).ToList();
        foreach (var (pair, left, right) in data.Pairs())
        {
            Assert.Equal(pair.ElectionType, right.ElectionType);
            var date = pair.ElectionType switch
            {
                "primary" => left.PrimaryElectionDate,
                "general" => left.GeneralElectionDate,
                _ => left.RunoffElectionDate,
            };
            if ((pair.Perturbations & Perturbation.UnlistedRunoff) == 0)
            {
                Assert.Equal(date, right.ElectionDate);
            }
            else
            {
                // A runoff HubSpot does not list, after a stage of the candidacy that is a true pair (the match finds it from there).
                Assert.Equal("runoff", pair.ElectionType);
                Assert.NotEqual(date, right.ElectionDate);
                Assert.Contains(listed, t => t.GpCandidacyId == pair.GpCandidacyId && data.ResultById[t.DdhqCandidateId].ElectionDate < right.ElectionDate);
            }

            Assert.True(left.State is null || left.State == right.State, $"{pair}: state {left.State} vs {right.State}");
        }

        // A results row is someone's at most once; a stage HubSpot lists has at most one results row.
        Assert.Equal(data.Truth.Count, data.Truth.Select(t => t.DdhqCandidateId).Distinct().Count());
        Assert.Equal(listed.Count, listed.Select(t => (t.GpCandidacyId, t.ElectionType)).Distinct().Count());
        Assert.Contains(data.Truth, t => (t.Perturbations & Perturbation.UnlistedRunoff) != 0);

        // A pair lives inside its contest: both rows come from the same generated contest.
        foreach (var contest in data.Contests)
        {
            var ids = contest.Results.Select(r => r.CandidateId).ToHashSet();
            Assert.All(contest.Truth, t => Assert.Contains(t.DdhqCandidateId, ids));
        }

        // Candidacies without a true match have no pair.
        var noMatch = data.Candidacies.Where(c => (c.Perturbations & Perturbation.NoTrueMatch) != 0).Select(c => c.GpCandidacyId).ToHashSet();
        Assert.NotEmpty(noMatch);
        Assert.DoesNotContain(data.Truth, t => noMatch.Contains(t.GpCandidacyId));
    }

    [Fact]
    public void Races_have_two_to_eight_candidates_and_one_winner_and_most_results_rows_are_no_candidacys()
    {
        var data = GeneratedData.Of(5000);
        var races = data.Results.GroupBy(r => r.RaceId).ToList();

        Assert.All(races, race => Assert.InRange(race.Count(), 2, 8));
        Assert.All(races, race => Assert.Single(race, r => r.IsWinner));
        Assert.All(races, race => Assert.Single(race.Select(r => (r.RaceName, r.ElectionDate, r.ElectionType, r.State)).Distinct()));
        Assert.Contains(races, race => race.Count() >= 6);
        Assert.True(data.Truth.Count < data.Results.Count / 4, $"{data.Truth.Count} of {data.Results.Count} results rows are a candidacy's");

        // Many races share a date in a state, and all three election types occur.
        Assert.Contains(data.Results.GroupBy(r => (r.State, r.ElectionDate)), g => g.Select(r => r.RaceId).Distinct().Count() >= 20);
        Assert.Equal(["general", "primary", "runoff"], data.Results.Select(r => r.ElectionType).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(data.Truth, t => t.ElectionType == "runoff");
    }

    [Fact]
    public void People_run_in_several_cycles_under_one_contact_id_once_a_year()
    {
        // No mistyped dates, so a general date's year is the year the person ran.
        var data = GeneratedData.Of(5000, rates: new PerturbationRates { RepeatCandidate = 0.3, WrongDate = 0, SharedContest = 0 });
        var repeats = data.Candidacies.Where(c => (c.Perturbations & Perturbation.RepeatCandidate) != 0).ToList();

        Assert.NotEmpty(repeats);
        var byContact = data.Candidacies.ToLookup(c => c.HubspotContactId);
        Assert.All(repeats, r => Assert.True(byContact[r.HubspotContactId].Count() >= 2));
        Assert.Equal(data.Candidacies.Count - repeats.Count, byContact.Count);
        Assert.Contains(byContact, person => person.Count() >= 3);
        Assert.All(byContact, person => Assert.Equal(person.Count(), person.Select(c => c.GeneralElectionDate!.Value.Year).Distinct().Count()));
    }

    /// <summary>Rates chosen large enough to measure on 20,000 candidacies; the groups stay within 1.</summary>
    private static readonly PerturbationRates Chosen = new()
    {
        Nickname = 0.15,
        QuotedNickname = 0.10,
        MiddleInitial = 0.20,
        MiddleName = 0.10,
        GoesByMiddle = 0.05,
        Suffix = 0.10,
        AccentDropped = 0.10,
        CompoundSurname = 0.10,
        CaseChange = 0.10,
        Typo = 0.10,
        MissingState = 0.10,
        WrongDate = 0.10,
        NoTrueMatch = 0.15,
        Namesake = 0.10,
        RepeatCandidate = 0.20,
        SharedContest = 0.10,
        UnreferencedContest = 0.30,
        UpperCaseBallot = 0.40,
        LastFirstBallot = 0.20,
    };

    [Fact]
    public void Every_perturbation_appears_at_its_configured_rate()
    {
        var data = GeneratedData.Of(20_000, seed: 3, rates: Chosen);
        var failures = new List<string>();

        void Check(string name, double observed, long n)
        {
            var expected = Chosen.Get(name);
            // Four standard errors: a correct generator fails this about once in 16,000 runs per rate.
            var tolerance = 4 * Math.Sqrt(expected * (1 - expected) / n);
            output.WriteLine($"{name,-22} configured {expected:0.000}  observed {observed:0.0000}  over {n,7}  tolerance ±{tolerance:0.0000}");
            if (Math.Abs(observed - expected) > tolerance)
            {
                failures.Add($"{name}: observed {observed:0.0000} over {n}, configured {expected}, tolerance ±{tolerance:0.0000}");
            }
        }

        var candidacies = data.Candidacies;
        foreach (var flag in PerturbationNames.Flags.Except([Perturbation.SharedContest, Perturbation.UpperCaseBallot, Perturbation.LastFirstBallot, Perturbation.UnlistedRunoff]))
        {
            Check(PerturbationNames.NameOf(flag), candidacies.Count(c => (c.Perturbations & flag) != 0) / (double)candidacies.Count, candidacies.Count);
        }

        var referenced = data.Contests.Where(c => c.Candidacies.Count > 0).ToList();
        Check("shared_contest", referenced.Count(c => c.Candidacies.Count == 2) / (double)referenced.Count, referenced.Count);
        Check("unreferenced_contest", data.Contests.Count(c => c.Candidacies.Count == 0) / (double)data.Contests.Count, data.Contests.Count);

        var races = data.Results.GroupBy(r => r.RaceId).Select(g => g.First().RaceStyle).ToList();
        Check("upper_case_ballot", races.Count(s => (s & Perturbation.UpperCaseBallot) != 0) / (double)races.Count, races.Count);
        Check("last_first_ballot", races.Count(s => (s & Perturbation.LastFirstBallot) != 0) / (double)races.Count, races.Count);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void With_every_rate_zero_both_sides_write_a_person_alike()
    {
        var data = GeneratedData.Of(2000, rates: PerturbationRates.Zero);

        Assert.NotEmpty(data.Truth);
        Assert.All(data.Pairs(), p => Assert.Equal(p.Left.FirstName + " " + p.Left.LastName, p.Right.Candidate.Replace(",", "", StringComparison.Ordinal)));
        Assert.All(data.Candidacies, c => Assert.Equal(Perturbation.None, c.Perturbations));
        Assert.All(data.Contests, c => Assert.True(c.Candidacies.Count == 1));
    }
}
