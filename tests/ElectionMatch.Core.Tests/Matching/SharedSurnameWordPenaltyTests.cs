using System.Globalization;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The surname's <c>partial</c> level (one word of a compound surname shared) is lowered by how common the shared word
/// is among the results' surname words, never raised: the exact level's term-frequency adjustment lowered a common
/// surname such as GARCIA by up to 4 bits while a shared GARCIA kept its trained weight, so Maria Garcia weighed more
/// against MARIA GARCIA LOPEZ than against MARIA GARCIA on the same ballot. Rows are added to the goodparty fixture in a
/// state of their own (North Dakota): one contest with both ballots, a rare shared word, and 200 other GARCIAs on another
/// day's ballots, so that GARCIA is common; the deterministic tier is off, so every pair is scored. The close spellings
/// (<c>fuzzy</c>, <c>fuzzy_low</c>) are lowered the same way by the candidacy surname's frequency: Luz Garcia against
/// LUZ GARCIA and LUZ GARCIAS on one ballot. A compound surname matched whole is adjusted by its rarest word the ballot
/// holds, not by the results row's surname (its last word): Nora Aldama-Garcia against NORA ALDAMA GARCIA and NORA ALDAMA.
/// </summary>
public sealed class SharedSurnameWordPenaltyTests(SharedSurnameWordPenaltyTests.NorthDakotaRun northDakota) : IClassFixture<SharedSurnameWordPenaltyTests.NorthDakotaRun>
{
    private const string Ballots = """
        990101,ND Fargo City Council - District 2 - Primary,9901011,MARIA GARCIA,Nonpartisan,true,900,2024-06-11,ND,primary,City Council,2,false
        990101,ND Fargo City Council - District 2 - Primary,9901012,MARIA GARCIA LOPEZ,Nonpartisan,false,800,2024-06-11,ND,primary,City Council,2,false
        990101,ND Fargo City Council - District 2 - Primary,9901013,THOMAS BERG,Nonpartisan,false,700,2024-06-11,ND,primary,City Council,2,false
        990102,ND Fargo City Council - District 4 - Primary,9901021,OFELIA ZUBIZARRETA ALDAY,Nonpartisan,true,600,2024-06-11,ND,primary,City Council,4,false
        990102,ND Fargo City Council - District 4 - Primary,9901022,JOHN LARSON,Nonpartisan,false,500,2024-06-11,ND,primary,City Council,4,false
        990103,ND Bismarck City Council - District 1 - Primary,9901031,ROSA GARCIA,Nonpartisan,true,400,2024-06-11,ND,primary,City Council,1,false
        990103,ND Bismarck City Council - District 1 - Primary,9901032,PAUL OLSON,Nonpartisan,false,300,2024-06-11,ND,primary,City Council,1,false
        990104,ND Minot City Council - District 3 - Primary,9901041,LUZ GARCIA,Nonpartisan,true,900,2024-06-11,ND,primary,City Council,3,false
        990104,ND Minot City Council - District 3 - Primary,9901042,LUZ GARCIAS,Nonpartisan,false,800,2024-06-11,ND,primary,City Council,3,false
        990105,ND Grand Forks City Council - District 5 - Primary,9901051,IGNACIO ETXEBERIA,Nonpartisan,true,700,2024-06-11,ND,primary,City Council,5,false
        990105,ND Grand Forks City Council - District 5 - Primary,9901052,KAREN HOLM,Nonpartisan,false,600,2024-06-11,ND,primary,City Council,5,false
        990106,ND Grand Forks City Council - District 6 - Primary,9901061,MARTA ETXEBERRIA,Nonpartisan,true,500,2024-06-11,ND,primary,City Council,6,false
        990107,ND Williston City Council - District 7 - Primary,9901071,NORA ALDAMA GARCIA,Nonpartisan,true,900,2024-06-11,ND,primary,City Council,7,false
        990107,ND Williston City Council - District 7 - Primary,9901072,NORA ALDAMA,Nonpartisan,false,800,2024-06-11,ND,primary,City Council,7,false

        """;

    private const string Candidacies = """
        gpc-990101,990101,Maria,Garcia,ND,City Council,Fargo City Council - District 2,local,2,Nonpartisan,2024-06-11,,
        gpc-990102,990102,Ofelia,Zubizarreta,ND,City Council,Fargo City Council - District 4,local,4,Nonpartisan,2024-06-11,,
        gpc-990103,990103,Rosa,Garcia Vega,ND,City Council,Bismarck City Council - District 1,local,1,Nonpartisan,2024-06-11,,
        gpc-990104,990104,Luz,Garcia,ND,City Council,Minot City Council - District 3,local,3,Nonpartisan,2024-06-11,,
        gpc-990105,990105,Ignacio,Etxeberria,ND,City Council,Grand Forks City Council - District 5,local,5,Nonpartisan,2024-06-11,,
        gpc-990107,990107,Nora,Aldama-Garcia,ND,City Council,Williston City Council - District 7,local,7,Nonpartisan,2024-06-11,,

        """;

    private static readonly string[] GivenNames = ["JOSE", "ANA", "LUIS", "CARMEN", "JUAN", "ELENA", "CARLOS", "SOFIA", "MIGUEL", "LUCIA", "PEDRO", "ROSA"];

    /// <summary>200 other GARCIAs on ballots of another day in the state, with no candidacy there: the surname is common among the results.</summary>
    private static string OtherGarcias => string.Concat(Enumerable.Range(0, 200).Select(i => string.Create(CultureInfo.InvariantCulture,
        $"{990200 + i},ND State House - District {i + 1} - General,{9902000 + i},{GivenNames[i % GivenNames.Length]} GARCIA,Nonpartisan,true,100,2024-11-05,ND,general,State House,{i + 1},false\n")));

    // GARCIA is common here: the whole surname weighs less than its trained weight, and so does the shared word.
    [Fact]
    public void Maria_Garcia_weighs_at_least_as_much_against_MARIA_GARCIA_as_against_MARIA_GARCIA_LOPEZ_on_one_ballot() =>
        AssertNotAboveTheWholeSurname("gpc-990101", "9901011", "9901012", "partial", "MARIA GARCIA LOPEZ");

    [Fact]
    public void A_rare_shared_surname_word_keeps_the_partial_levels_trained_weight()
    {
        var run = northDakota.Run;
        var levels = Levels(run);

        // ZUBIZARRETA is on one ballot alone: the exact level would be raised for it, the shared word is not.
        var rare = Pair(run, "gpc-990102", "9901021");

        Assert.Equal("partial", rare.Level);
        Assert.Equal(levels["partial"].Weight, rare.Surname, 12);
        Assert.True(levels["partial"].Weight <= levels["exact"].Weight, $"partial {levels["partial"].Weight:F3} bits, exact {levels["exact"].Weight:F3}");
    }

    [Fact]
    public void A_common_word_of_the_candidacys_compound_surname_is_penalised_and_published_as_scored()
    {
        var run = northDakota.Run;

        // Rosa Garcia Vega against ROSA GARCIA: the candidacy's surname has two words, the ballot's one of them.
        var compound = Pair(run, "gpc-990103", "9901031");
        var garcia = Pair(run, "gpc-990101", "9901012");
        var published = run.Warehouse.Query(
            $"""
            select json_extract_string(match_explanation, '$.last_name.level'), cast(json_extract(match_explanation, '$.last_name.weight') as double), match_weight
            from {run.Table("output")}
            where gp_candidacy_id = 'gpc-990103' and ddhq_candidate_id = 9901031
            """,
            r => (Level: r.GetString(0), Surname: r.GetDouble(1), Match: r.GetDouble(2))).Single();

        Assert.Equal("partial", compound.Level);
        Assert.True(compound.Surname < Levels(run)["partial"].Weight, $"the shared word {compound.Surname:F3} bits, trained {Levels(run)["partial"].Weight:F3}");
        Assert.Equal(garcia.Surname, compound.Surname, 12);
        Assert.Equal(("partial", Math.Round(compound.Surname, 3), compound.Match), published);
    }

    // GARCIAS is rare, but the candidacy's GARCIA is common: a letter away from it is no better evidence than it.
    [Fact]
    public void Luz_Garcia_weighs_at_least_as_much_against_LUZ_GARCIA_as_against_the_close_spelling_LUZ_GARCIAS_on_one_ballot() =>
        AssertNotAboveTheWholeSurname("gpc-990104", "9901041", "9901042", "fuzzy", "LUZ GARCIAS");

    /// <summary>
    /// On one ballot, a candidacy with a common surname weighs on the surname (and in all) no more against the results
    /// row at <paramref name="level"/> than against the row of its whole surname, the level lowered below its trained
    /// weight as exact is; and the whole surname's row is the one linked.
    /// </summary>
    private void AssertNotAboveTheWholeSurname(string candidacy, string wholeRow, string otherRow, string level, string otherName)
    {
        var run = northDakota.Run;
        var levels = Levels(run);
        var whole = Pair(run, candidacy, wholeRow);
        var other = Pair(run, candidacy, otherRow);

        Assert.Equal(("exact", level), (whole.Level, other.Level));
        Assert.True(whole.Surname < levels["exact"].Weight - 0.5, $"exact {whole.Surname:F3} bits, trained {levels["exact"].Weight:F3}");
        Assert.True(other.Surname <= whole.Surname, $"{otherName} {other.Surname:F3} bits on the surname, the whole surname {whole.Surname:F3}");
        Assert.True(other.Surname < levels[level].Weight, $"{otherName} {other.Surname:F3} bits on the surname, trained {levels[level].Weight:F3}");
        Assert.True(other.Match <= whole.Match, $"against {otherName} {other.Match:F3} bits, against the whole surname {whole.Match:F3}");
        Assert.Contains((candidacy, "primary", wholeRow), run.Links());
    }

    // The results row's surname is GARCIA (common), but the compound Aldama-Garcia is no commoner than ALDAMA (rare): the
    // whole surname weighs at least what the rare word shared alone does, and more than trained.
    [Fact]
    public void Nora_Aldama_Garcia_weighs_more_against_NORA_ALDAMA_GARCIA_than_against_NORA_ALDAMA_on_one_ballot()
    {
        var run = northDakota.Run;
        var levels = Levels(run);
        var whole = Pair(run, "gpc-990107", "9901071");
        var word = Pair(run, "gpc-990107", "9901072");

        Assert.Equal(("exact", "partial"), (whole.Level, word.Level));
        Assert.Equal(levels["partial"].Weight, word.Surname, 12);
        Assert.True(word.Surname <= whole.Surname, $"NORA ALDAMA {word.Surname:F3} bits on the surname, NORA ALDAMA GARCIA {whole.Surname:F3}");
        Assert.True(whole.Surname > levels["exact"].Weight, $"NORA ALDAMA GARCIA {whole.Surname:F3} bits on the surname, trained {levels["exact"].Weight:F3}");
        Assert.True(word.Match <= whole.Match, $"against NORA ALDAMA {word.Match:F3} bits, against NORA ALDAMA GARCIA {whole.Match:F3}");
        Assert.Contains(("gpc-990107", "primary", "9901071"), run.Links());

        // The output and explain read the same stored frequency, so the published explanation weighs the pair as scored.
        var published = run.Warehouse.Query(
            $"""
            select json_extract_string(match_explanation, '$.last_name.level'), cast(json_extract(match_explanation, '$.last_name.weight') as double), match_weight
            from {run.Table("output")}
            where gp_candidacy_id = 'gpc-990107' and ddhq_candidate_id = 9901071
            """,
            r => (Level: r.GetString(0), Surname: r.GetDouble(1), Match: r.GetDouble(2))).Single();
        Assert.Equal(("exact", Math.Round(whole.Surname, 3), whole.Match), published);
    }

    [Fact]
    public void A_compound_surname_matched_whole_never_weighs_less_than_one_of_its_words_shared_whatever_the_words_frequencies()
    {
        var run = northDakota.Run;
        var (lastName, trained, parameters, model, gamma) = SurnameModel(run);
        using var warehouse = DuckDbWarehouse.InMemory();

        // Aldama-Garcia with each word at frequencies from one in a million to one in two, against its whole surname (the
        // results row's surname GARCIA, as common as the word), ALDAMA alone and GARCIA alone; and the one-word surname
        // Garcia against GARCIA, whose exact level reads the results row's frequency as before.
        warehouse.Execute($"""
            create table projected as
            select a, b, v.g as gamma_last_name, v.l_last, v.r_rest, b as r_tf_last, cast(null as double) as l_tf_last,
                case when v.l_last = 'garcia' then [struct_pack(word := 'garcia', tf := 2 * b)]
                    else [struct_pack(word := 'aldama', tf := a), struct_pack(word := 'garcia', tf := b)] end as l_surname_word_frequencies
            from (select pow(2, -e / 4.0) as a from range(1, 81) as t(e)), (select pow(2, -e / 4.0) as b from range(1, 81) as t(e)),
                (values ({gamma["exact"]}, 'aldama-garcia', 'aldama garcia'), ({gamma["partial"]}, 'aldama-garcia', 'aldama'),
                    ({gamma["partial"]}, 'aldama-garcia', 'garcia'), ({gamma["exact"]}, 'garcia', 'garcia')) as v(g, l_last, r_rest);
            create table pairs as
            select *, {CandidacyDdhqComparisons.WholeSurnameFrequency} as {lastName.TermFrequencyColumn},
                {CandidacyDdhqComparisons.SharedWordFrequency} as {CandidacyDdhqComparisons.SharedWordFrequencyColumn}
            from projected
            """);
        var weights = warehouse.Query(
            $"select a, b, l_last, r_rest, w_last_name from ({model.WeightsQuery(parameters, "pairs", $"a, b, l_last, r_rest, gamma_last_name, l_tf_last, {lastName.TermFrequencyColumn}, {CandidacyDdhqComparisons.SharedWordFrequencyColumn}")})",
            r => (A: r.GetDouble(0), B: r.GetDouble(1), Last: r.GetString(2), Ballot: r.GetString(3), Weight: r.GetDouble(4))).ToList();
        var levels = Levels(run);
        var uExact = trained.For("last_name").TermFrequencyUExact!.Value;

        Assert.Equal(4 * 80 * 80, weights.Count);
        var byFrequencies = weights.GroupBy(w => (w.A, w.B)).Select(pair => (pair.Key.A, pair.Key.B,
            Whole: pair.Single(w => w.Last == "aldama-garcia" && w.Ballot == "aldama garcia").Weight,
            Words: pair.Where(w => w.Last == "aldama-garcia" && w.Ballot != "aldama garcia").ToList(),
            OneWord: pair.Single(w => w.Last == "garcia").Weight)).ToList();
        var above = byFrequencies.SelectMany(f => f.Words.Where(w => w.Weight > f.Whole + 1e-12)
            .Select(w => $"{w.Ballot} {w.Weight:F3} bits, the whole surname {f.Whole:F3}, at frequencies {f.A:G3} and {f.B:G3}")).ToList();
        Assert.True(above.Count == 0, $"{above.Count} shared words above the whole surname, first: {above.FirstOrDefault()}");

        // The compound is adjusted by its rarer word, the one-word surname by the results row's frequency.
        foreach (var f in byFrequencies)
        {
            Assert.Equal(levels["exact"].Weight + Math.Clamp(Math.Log2(uExact / Math.Min(f.A, f.B)), -4, 4), f.Whole, 9);
            Assert.Equal(levels["exact"].Weight + Math.Clamp(Math.Log2(uExact / f.B), -4, 4), f.OneWord, 9);
        }
    }

    [Fact]
    public void A_close_spelling_of_a_rare_surname_keeps_the_fuzzy_levels_trained_weight()
    {
        var run = northDakota.Run;

        // ETXEBERRIA is on one ballot (another contest's): IGNACIO ETXEBERIA is a close spelling of a rare surname.
        var rare = Pair(run, "gpc-990105", "9901051");
        var frequency = run.Warehouse.Scalar<double?>($"select l_tf_last from {run.Table("comparisons")} join {run.Table("left_keyed")} using (left_key) where left_id = 'gpc-990105' limit 1");

        Assert.Equal("fuzzy", rare.Level);
        Assert.NotNull(frequency);
        Assert.Equal(Levels(run)["fuzzy"].Weight, rare.Surname, 12);
    }

    [Fact]
    public void A_close_spelling_never_weighs_more_than_the_exact_surname_nor_more_than_trained_whatever_the_surnames_frequency()
    {
        var run = northDakota.Run;
        var (lastName, trained, parameters, model, gamma) = SurnameModel(run);
        using var warehouse = DuckDbWarehouse.InMemory();

        // The candidacy's surname at frequencies from one in a million to one in two; exact pairs read the results row's
        // (the same surname), close spellings the candidacy's.
        warehouse.Execute($"""
            create table pairs as
            select tf, g as gamma_last_name, case when g = {gamma["exact"]} then tf end as {lastName.TermFrequencyColumn},
                case when g <> {gamma["exact"]} then tf end as l_tf_last, cast(null as double) as r_tf_shared_word
            from (select pow(2, -e / 4.0) as tf from range(1, 81) as t(e)), (values ({gamma["exact"]}), ({gamma["fuzzy"]}), ({gamma["fuzzy_low"]})) as v(g)
            """);
        var weights = warehouse.Query(
            $"select tf, gamma_last_name, w_last_name from ({model.WeightsQuery(parameters, "pairs", $"tf, gamma_last_name, {lastName.TermFrequencyColumn}, l_tf_last, r_tf_shared_word")})",
            r => (Tf: r.GetDouble(0), Gamma: Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture), Weight: r.GetDouble(2))).ToList();
        var levels = Levels(run);

        Assert.Equal(240, weights.Count);
        foreach (var byTf in weights.GroupBy(w => w.Tf))
        {
            var exact = byTf.Single(w => w.Gamma == gamma["exact"]).Weight;
            foreach (var level in new[] { "fuzzy", "fuzzy_low" })
            {
                var weight = byTf.Single(w => w.Gamma == gamma[level]).Weight;
                Assert.True(weight <= exact + 1e-12, $"{level} {weight:F3} bits, exact {exact:F3}, at a frequency of {byTf.Key:G3}");
                Assert.True(weight <= levels[level].Weight + 1e-12, $"{level} {weight:F3} bits, trained {levels[level].Weight:F3}");
            }
        }

        // A common surname lowers both; a rare one leaves them as trained.
        var common = weights.Where(w => w.Tf == weights.Max(x => x.Tf)).ToDictionary(w => w.Gamma, w => w.Weight);
        Assert.True(common[gamma["fuzzy"]] < levels["fuzzy"].Weight && common[gamma["fuzzy_low"]] < levels["fuzzy_low"].Weight);
        var rare = weights.Where(w => w.Tf == weights.Min(x => x.Tf)).ToDictionary(w => w.Gamma, w => w.Weight);
        Assert.Equal((levels["fuzzy"].Weight, levels["fuzzy_low"].Weight), (rare[gamma["fuzzy"]], rare[gamma["fuzzy_low"]]));
    }

    [Fact]
    public void A_surname_word_is_at_least_as_common_as_the_surname_of_that_word_alone()
    {
        var run = northDakota.Run;

        var (surnames, rarer) = run.Warehouse.Query(
            $"""
            select count(*), count(*) filter (where w.tf_word < s.tf_last)
            from {run.Table(CandidacyDdhqCleaning.SurnamesTable)} as s
            join {run.Table(CandidacyDdhqCleaning.SurnameWordsTable)} as w on w.word = s.last_name
            """,
            r => (r.GetInt64(0), r.GetInt64(1))).Single();

        Assert.True(surnames > 500, $"{surnames} one-word surnames");
        Assert.Equal(0, rarer);

        // MARIA GARCIA LOPEZ's surname is LOPEZ, but GARCIA is one of its surname words: one row more than the surname counts.
        var rows = run.Warehouse.Scalar<long>($"select count(*) from {run.Table("right_clean")} where last_name is not null");
        var (word, surname) = run.Warehouse.Query(
            $"""
            select w.tf_word, s.tf_last
            from {run.Table(CandidacyDdhqCleaning.SurnameWordsTable)} as w
            join {run.Table(CandidacyDdhqCleaning.SurnamesTable)} as s on s.last_name = w.word
            where w.word = 'garcia'
            """,
            r => (r.GetDouble(0), r.GetDouble(1))).Single();
        Assert.Equal(1.0, (word - surname) * rows, 9);
    }

    [Fact]
    public void A_levels_penalty_lowers_it_for_a_common_value_by_the_exact_levels_adjustment_and_never_raises_it()
    {
        // Exact and partial pooled at 5 bits (as on the goodparty fixture), u of the exact level 0.01.
        var comparisons = new Comparison[]
        {
            new("last_name", "surname", "l is null",
                [new("exact", "l = r", 0.9), new("partial", "true", 0.05, NotAbove: "exact", TermFrequencyPenaltyColumn: "r_tf_shared_word"), new("different", null, 0.05)],
                ParameterSource.RandomPairs, "r_tf_last"),
        };
        double[] weights = [0, 5, 5, -8];
        var model = new FellegiSunter(comparisons, "gamma_last_name = 1", "gamma_last_name = 3");
        var parameters = new ModelParameters
        {
            Lambda = 0.5,
            Comparisons = [new ComparisonParameters("last_name", "surname", comparisons[0].LevelNames.Select((l, i) => new LevelParameters(l, null, null, weights[i], 0)).ToList(), ParameterSource.RandomPairs, 0.01)],
            Training = new TrainingReport(0, 0, 0, 0, 0, true, "", ""),
        };
        using var warehouse = DuckDbWarehouse.InMemory();
        warehouse.Execute("""
            create table pairs as
            select * from (values
                (1, 1, 0.04, null), (2, 2, null, 0.04), (3, 1, 0.0001, null), (4, 2, null, 0.0001), (5, 2, null, 0.5), (6, 2, null, null), (7, 3, 0.5, 0.5)
            ) as t(id, gamma_last_name, r_tf_last, r_tf_shared_word)
            """);

        var scored = warehouse.Query($"select id, w_last_name from ({model.WeightsQuery(parameters, "pairs", "id, gamma_last_name, r_tf_last, r_tf_shared_word")}) order by id", r => r.GetDouble(1));

        // A value four times as common as u: 2 bits off either level. A rare one raises the exact level (by the cap of 4
        // bits) and leaves the partial level as trained; a very common one lowers it by the cap; no frequency, no change.
        Assert.Equal([3.0, 3, 9, 5, 1, 5, -8], scored.Select(w => Math.Round(w, 12)));
    }

    /// <summary>The run's trained surname comparison alone: its definition, the trained model and one of that comparison, a scorer of it, and its levels' gamma values by name.</summary>
    private static (Comparison LastName, ModelParameters Trained, ModelParameters Parameters, FellegiSunter Model, Dictionary<string, int> Gamma) SurnameModel(MatcherRun run)
    {
        var lastName = CandidacyDdhqComparisons.All.Single(c => c.Name == "last_name");
        var trained = ModelParameters.FromJson(run.Result.ModelParametersJson!);
        var parameters = new ModelParameters { Lambda = trained.Lambda, Comparisons = [trained.For("last_name")], Training = trained.Training };
        var model = new FellegiSunter([lastName], "gamma_last_name = 1", "gamma_last_name = 5");
        return (lastName, trained, parameters, model, lastName.LevelNames.Select((name, i) => (name, i)).ToDictionary(l => l.name, l => l.i));
    }

    private static Dictionary<string, LevelParameters> Levels(MatcherRun run) =>
        ModelParameters.FromJson(run.Result.ModelParametersJson!).For("last_name").Levels.ToDictionary(l => l.Name);

    /// <summary>The surname's level and weight and the match weight of one scored pair.</summary>
    private static (string Level, double Surname, double Match) Pair(MatcherRun run, string leftId, string rightId)
    {
        var names = CandidacyDdhqComparisons.All.Single(c => c.Name == "last_name").LevelNames;
        return run.Warehouse.Query(
            $"""
            select s.gamma_last_name, s.w_last_name, s.match_weight
            from {run.Table("scored_pairs")} as s
            join {run.Table("left_keyed")} as l using (left_key)
            join {run.Table("right_keyed")} as r using (right_key)
            where l.left_id = '{leftId}' and r.right_id = '{rightId}'
            """,
            r => (names[Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture)], r.GetDouble(1), r.GetDouble(2))).Single();
    }

    /// <summary>The fixture with the North Dakota rows added, run once for the class: every test reads the same run.</summary>
    public sealed class NorthDakotaRun : IDisposable
    {
        public NorthDakotaRun()
        {
            var fixture = FixtureCopy.Of("goodparty");
            // The deterministic tier would pair Maria Garcia with MARIA GARCIA alone; off, both ballots are searched and scored.
            fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").Replace("      top_k: 5\n", "      top_k: 5\n      exact_names: false\n", StringComparison.Ordinal));
            File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"), Ballots + OtherGarcias);
            File.AppendAllText(fixture.PathOf("data/airbyte/hubspot_candidacy.csv"), Candidacies);
            Run = MatcherRun.Of(fixture);
        }

        internal MatcherRun Run { get; }

        public void Dispose() => Run.Dispose();
    }
}
