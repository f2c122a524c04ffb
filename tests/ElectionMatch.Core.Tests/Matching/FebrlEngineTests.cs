using System.Globalization;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Warehouse;
using Xunit.Abstractions;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The Fellegi–Sunter engine on FEBRL 4 (tests/data/febrl): 5,000 person records and a corrupted duplicate of each,
/// made by a generator nobody on the team wrote, with names, addresses, dates of birth and ids instead of ballots. The
/// truth is known for every pair, so what the engine estimates without it (u from random pairs, m and λ by EM) is
/// compared with what the truth says they are, and the links it makes are scored against it.
/// </summary>
public sealed class FebrlEngineTests : IClassFixture<FebrlEngineTests.Linkage>
{
    private readonly Linkage _linkage;
    private readonly ITestOutputHelper _output;

    public FebrlEngineTests(Linkage linkage, ITestOutputHelper output)
    {
        _linkage = linkage;
        _output = output;
    }

    [Fact]
    public void Expectation_maximisation_finds_the_share_of_true_pairs_among_the_candidates()
    {
        var trueShare = _linkage.Scalar<double>("select avg(is_match::int) from truth_pairs where not sampled");
        _output.WriteLine($"λ {_linkage.Parameters.Lambda:F4}, true share {trueShare:F4}, {_linkage.Parameters.Training.Iterations} iterations");

        Assert.True(_linkage.Parameters.Training.Converged, "EM did not converge");
        Assert.InRange(_linkage.Parameters.Lambda, trueShare - 0.01, trueShare + 0.01);
    }

    [Fact]
    public void Each_level_s_m_is_near_its_share_of_the_true_pairs()
    {
        // m = P(level | match), counted over the candidate pairs that are true.
        foreach (var (comparison, level, estimated, actual) in _linkage.Shares("is_match", p => p.M))
        {
            _output.WriteLine($"m {comparison} {level}: estimated {estimated:F4}, truth {actual:F4}");
            Assert.True(Math.Abs(estimated - actual) <= 0.01, $"{comparison} {level}: m estimated {estimated:F4}, the true pairs' share {actual:F4}");
        }
    }

    [Fact]
    public void Each_level_s_u_is_near_its_share_of_random_non_matches()
    {
        // u = P(level | non-match), counted over the sampled random pairs that are not true (nearly all of them).
        foreach (var (comparison, level, estimated, actual) in _linkage.Shares("not is_match and sampled", p => p.U))
        {
            _output.WriteLine($"u {comparison} {level}: estimated {estimated:F5}, truth {actual:F5}");
            Assert.True(Math.Abs(estimated - actual) <= 0.001, $"{comparison} {level}: u estimated {estimated:F5}, the random non-matches' share {actual:F5}");
        }
    }

    [Fact]
    public void A_rare_surname_agreeing_weighs_more_than_a_common_one()
    {
        // The term-frequency adjustment: an exact surname met by many records says less than one met by few.
        var weights = _linkage.Query(
            """
            select r_tf_surname, w_surname from scored where gamma_surname = 1
            order by r_tf_surname, w_surname
            """,
            r => (Frequency: r.GetDouble(0), Weight: r.GetDouble(1)));
        var (rare, common) = (weights[0], weights[^1]);
        _output.WriteLine($"surname exact: frequency {rare.Frequency:F5} weight {rare.Weight:F3}; frequency {common.Frequency:F5} weight {common.Weight:F3}");

        Assert.True(common.Frequency > 10 * rare.Frequency, "the data has surnames of different frequencies");
        Assert.True(rare.Weight > common.Weight + 3, $"a rare surname weighs {rare.Weight:F3}, a common one {common.Weight:F3}");
        Assert.All(weights.Zip(weights.Skip(1)), w => Assert.True(w.Second.Weight <= w.First.Weight + 1e-9, "a commoner surname never weighs more"));
    }

    [Fact]
    public void One_to_one_links_by_probability_are_precise_and_complete()
    {
        var (links, right) = _linkage.Scalars<long, long>("select count(*), count(*) filter (where is_match) from links join truth_pairs using (left_key, right_key) where not sampled");
        var precision = right / (double)links;
        var recall = right / 5000.0;
        _output.WriteLine($"links {links}, right {right}: precision {precision:F4}, recall {recall:F4}");

        Assert.True(precision >= 0.995, $"precision {precision:F4}");
        Assert.True(recall >= 0.98, $"recall {recall:F4}");
    }

    /// <summary>Loads both files, blocks, trains and links once for the class.</summary>
    public sealed class Linkage : IDisposable
    {
        private const int SampledRows = 2000;
        private const int PairsPerSampledRow = 100;

        private static readonly string[] Fields =
            ["given_name", "surname", "street_number", "address_1", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"];

        private static readonly Comparison[] Comparisons =
        [
            Names("given_name", "surname"),
            Names("surname", "given_name"),
            new("date_of_birth", "date of birth: exact, one or two edits", Null("date_of_birth"),
            [
                new("exact", "l_date_of_birth = r_date_of_birth", 0.8),
                new("one_edit", "damerau_levenshtein(l_date_of_birth, r_date_of_birth) <= 1", 0.1),
                new("two_edits", "damerau_levenshtein(l_date_of_birth, r_date_of_birth) <= 2", 0.05),
                new("different", null, 0.05),
            ]),
            new("soc_sec_id", "id: exact, one or two edits", Null("soc_sec_id"),
            [
                new("exact", "l_soc_sec_id = r_soc_sec_id", 0.8),
                new("one_edit", "damerau_levenshtein(l_soc_sec_id, r_soc_sec_id) <= 1", 0.1),
                new("two_edits", "damerau_levenshtein(l_soc_sec_id, r_soc_sec_id) <= 2", 0.05),
                new("different", null, 0.05),
            ]),
            new("street_number", "street number", Null("street_number"),
            [
                new("exact", "l_street_number = r_street_number", 0.9),
                new("different", null, 0.1),
            ]),
            new("address_1", "street: exact, Jaro-Winkler ≥ 0.9, ≥ 0.7", Null("address_1"),
            [
                new("exact", "l_address_1 = r_address_1", 0.8),
                new("fuzzy", "jaro_winkler_similarity(l_address_1, r_address_1) >= 0.9", 0.1),
                new("fuzzy_low", "jaro_winkler_similarity(l_address_1, r_address_1) >= 0.7", 0.05),
                new("different", null, 0.05),
            ]),
            new("suburb", "suburb: exact, Jaro-Winkler ≥ 0.9", Null("suburb"),
            [
                new("exact", "l_suburb = r_suburb", 0.85),
                new("fuzzy", "jaro_winkler_similarity(l_suburb, r_suburb) >= 0.9", 0.1),
                new("different", null, 0.05),
            ]),
            new("postcode", "postcode: exact, one edit", Null("postcode"),
            [
                new("exact", "l_postcode = r_postcode", 0.85),
                new("one_edit", "damerau_levenshtein(l_postcode, r_postcode) <= 1", 0.1),
                new("different", null, 0.05),
            ]),
            new("state", "state", Null("state"),
            [
                new("exact", "l_state = r_state", 0.9),
                new("different", null, 0.1),
            ]),
        ];

        private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

        public Linkage()
        {
            var model = new FellegiSunter(Comparisons, "gamma_given_name = 1 and gamma_surname = 1", "gamma_given_name = 5 and gamma_surname = 5");
            Load("original", "dataset4a.csv", "left_key");
            Load("duplicate", "dataset4b.csv", "right_key");

            // Blocking: the union of five rules. It keeps 4,995 of the 5,000 true pairs among about 8,900 candidates;
            // the engine is judged on what it does with them.
            _warehouse.Execute($"""
                create table blocked as
                select distinct left_key, right_key from (
                    select left_key, right_key from original as l join duplicate as r on l.given_name = r.given_name and l.surname = r.surname
                    union all select left_key, right_key from original as l join duplicate as r on l.date_of_birth = r.date_of_birth
                    union all select left_key, right_key from original as l join duplicate as r on l.soc_sec_id = r.soc_sec_id
                    union all select left_key, right_key from original as l join duplicate as r on l.postcode = r.postcode and left(l.surname, 1) = left(r.surname, 1)
                    union all select left_key, right_key from original as l join duplicate as r on l.suburb = r.suburb and left(l.given_name, 1) = left(r.given_name, 1)
                );
                create table sample as
                {RandomPairs.Sql("(select left_key, 1 as group_id from original)", "(select 1 as group_id, right_key from duplicate)", SampledRows, PairsPerSampledRow)};
                create table candidates as select *, {model.GammaSelect()} from ({Project("blocked")});
                create table sampled as select *, {model.GammaSelect()} from ({Project("sample")});
                """);

            Parameters = model.Train(_warehouse, "candidates", "sampled");
            _warehouse.Execute($"""
                create table scored as {model.WeightsQuery(Parameters, "candidates", "*")};
                create table links as
                with
                    best_left as (select left_key, arg_max(right_key, struct_pack(w := match_weight, k := -right_key)) as right_key from scored group by left_key),
                    best_right as (select right_key, arg_max(left_key, struct_pack(w := match_weight, k := -left_key)) as left_key from scored group by right_key)
                select s.left_key, s.right_key, s.match_probability
                from scored as s
                semi join best_left using (left_key, right_key)
                semi join best_right using (left_key, right_key)
                where s.match_probability >= 0.5;
                create table truth_pairs as
                select c.*, l.number = r.number as is_match, false as sampled
                from candidates as c join original as l using (left_key) join duplicate as r using (right_key)
                union all
                select s.*, l.number = r.number, true
                from sampled as s join original as l using (left_key) join duplicate as r using (right_key);
                """);
        }

        public ModelParameters Parameters { get; }

        public T Scalar<T>(string sql) => _warehouse.Scalar<T>(sql)!;

        public (T1, T2) Scalars<T1, T2>(string sql) =>
            _warehouse.Query(sql, r => ((T1)Convert.ChangeType(r.GetValue(0), typeof(T1), CultureInfo.InvariantCulture), (T2)Convert.ChangeType(r.GetValue(1), typeof(T2), CultureInfo.InvariantCulture))).Single();

        public List<T> Query<T>(string sql, Func<System.Data.Common.DbDataReader, T> read) => _warehouse.Query(sql, read);

        /// <summary>
        /// For every comparison level but the null one: the model's value (<paramref name="value"/>) and the level's share
        /// of the pairs of <c>truth_pairs</c> that <paramref name="filter"/> keeps and that are not at the null level.
        /// </summary>
        public IEnumerable<(string Comparison, string Level, double Estimated, double Actual)> Shares(string filter, Func<LevelParameters, double?> value)
        {
            foreach (var comparison in Comparisons)
            {
                var counts = _warehouse.Query(
                    $"select {comparison.GammaColumn}, count(*) from truth_pairs where {filter} and {comparison.GammaColumn} > 0 group by all",
                    r => (Level: Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), Count: r.GetInt64(1)))
                    .ToDictionary(x => x.Level, x => x.Count);
                var total = (double)counts.Values.Sum();
                var levels = Parameters.For(comparison.Name).Levels;
                for (var level = 1; level < levels.Count; level++)
                {
                    yield return (comparison.Name, levels[level].Name, value(levels[level]) ?? double.NaN, counts.GetValueOrDefault(level) / total);
                }
            }
        }

        public void Dispose() => _warehouse.Dispose();

        /// <summary>A name compared exactly (weighted by how common the value is), by two Jaro-Winkler bands, and against the other name, which the duplicates sometimes swap.</summary>
        private static Comparison Names(string name, string other) => new(
            name,
            $"{name}: exact, Jaro-Winkler ≥ 0.9, ≥ 0.7, swapped with {other}",
            Null(name),
            [
                new("exact", $"l_{name} = r_{name}", 0.8),
                new("fuzzy", $"jaro_winkler_similarity(l_{name}, r_{name}) >= 0.9", 0.1),
                new("fuzzy_low", $"jaro_winkler_similarity(l_{name}, r_{name}) >= 0.7", 0.04),
                new("swapped", $"l_{name} = r_{other}", 0.03),
                new("different", null, 0.03),
            ],
            TermFrequencyColumn: $"r_tf_{name}");

        private static string Null(string field) => $"l_{field} is null or r_{field} is null";

        private void Load(string table, string file, string key)
        {
            var path = Path.Combine(FixtureCopy.RepositoryRoot, "tests", "data", "febrl", file);
            // The files' fields follow ", ": every value but the first starts with a space, and a blank one is empty.
            var fields = string.Join(", ", Fields.Select(f => $"nullif(trim({f}), '') as {f}"));
            _warehouse.Execute($"""
                create table {table} as
                select row_number() over (order by rec_id) as {key}, split_part(trim(rec_id), '-', 2)::int as number, {fields}
                from read_csv({Sql.Literal(path)}, header = true, all_varchar = true)
                """);
        }

        /// <summary>The pairs of <paramref name="pairs"/> with both records' fields as <c>l_*</c> and <c>r_*</c>, and each name's frequency among the duplicates.</summary>
        private static string Project(string pairs)
        {
            var columns = string.Join(", ", Fields.Select(f => $"l.{f} as l_{f}, r.{f} as r_{f}"));
            return $"""
                select p.left_key, p.right_key, {columns}, gn.tf as r_tf_given_name, sn.tf as r_tf_surname
                from {pairs} as p
                join original as l using (left_key)
                join duplicate as r using (right_key)
                left join (select given_name, count(*) / (select count(given_name) from duplicate) as tf from duplicate group by all) as gn on gn.given_name = r.given_name
                left join (select surname, count(*) / (select count(surname) from duplicate) as tf from duplicate group by all) as sn on sn.surname = r.surname
                """;
        }
    }
}
