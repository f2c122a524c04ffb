using System.Globalization;
using System.Text;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching.Scoring;

/// <summary>
/// Fellegi–Sunter scoring: m and u per comparison as its <see cref="ParameterSource"/> says (u from random pairs
/// inside partitions, m and u from candidate pairs by rule, or m from the domain), λ first from a deterministic rule,
/// then λ and the rest by expectation maximisation; each pair's match
/// weight is the prior plus the weight of every comparison's level, with a term-frequency adjustment
/// on exact values that are rare or common, and a penalty on a looser level's shared value that is common.
/// </summary>
internal sealed class FellegiSunter
{
    /// <summary>A term-frequency adjustment is bounded so one rare surname cannot decide a pair alone.</summary>
    private const double TermFrequencyCap = 4;

    private readonly IReadOnlyList<Comparison> _comparisons;
    private readonly string _deterministicRule;
    private readonly string _nonMatchRule;
    private readonly bool _byRule;

    /// <param name="deterministicRule">SQL over the gamma columns selecting pairs that are almost surely matches.</param>
    /// <param name="nonMatchRule">SQL over the gamma columns selecting pairs that are surely not matches.</param>
    /// <param name="byRule">
    /// No EM: λ is the deterministic rule's share of the candidate pairs (as Splink estimates the prior from
    /// deterministic rules), and a <see cref="ParameterSource.FixedM"/> comparison's u is counted over the candidate
    /// pairs outside that rule. For a model whose m are all fixed, where EM on λ and u together cannot tell a level
    /// that marks the one match in each candidate list from a level common among non-matches: it settles with a share
    /// of every match counted in u, or drifts to λ near 0 (docs/quality.md, "a state of many numbered council districts").
    /// </param>
    public FellegiSunter(IReadOnlyList<Comparison> comparisons, string deterministicRule, string nonMatchRule, bool byRule = false)
    {
        _comparisons = comparisons;
        _deterministicRule = deterministicRule;
        _nonMatchRule = nonMatchRule;
        _byRule = byRule;
    }

    public IReadOnlyList<Comparison> Comparisons => _comparisons;

    /// <summary>SQL over the gamma columns: true unless some comparison is at a veto level.</summary>
    public string AcceptableByScoreSql()
    {
        var vetoes = Vetoes().Select(v => v.Condition).ToList();
        return vetoes.Count == 0 ? "true" : $"not ({string.Join(" or ", vetoes)})";
    }

    /// <summary>
    /// SQL naming the veto levels the pair in <paramref name="alias"/> is at, comma-separated (<c>first_name different</c>),
    /// or an empty string: why a pair above the accept threshold was not linked by score.
    /// </summary>
    public string VetoWordsSql(string alias)
    {
        var vetoes = Vetoes().Select(v => $"case when {alias}.{v.Condition} then {Sql.Literal(v.Words)} end").ToList();
        return vetoes.Count == 0 ? "''" : $"concat_ws(', ', {string.Join(", ", vetoes)})";
    }

    private IEnumerable<(string Condition, string Words)> Vetoes() => _comparisons
        .SelectMany(c => c.Levels.Select((level, i) => (c, level, i)))
        .Where(x => x.level.Veto)
        .Select(x => (string.Create(CultureInfo.InvariantCulture, $"{x.c.GammaColumn} = {x.i + 1}"), $"{x.c.Name} {x.level.Name}"));

    /// <summary>SQL expressions, comma-separated, naming each comparison's level of the pair in <paramref name="alias"/>: <c>first_name exact</c>.</summary>
    /// <remarks>Each level's words are one literal (no concatenation per row); a level out of range is null, as before.</remarks>
    public string LevelWordsSql(string alias) => string.Join(", ", _comparisons.Select(c =>
        ByLevel(alias + "." + c.GammaColumn, c.LevelNames.Select(level => Sql.Literal(c.Name + " " + level)))));

    /// <summary>A CASE over a gamma column giving each level's value, level 0 (null) first.</summary>
    private static string ByLevel(string gamma, IEnumerable<string> values) =>
        $"(case {gamma} {string.Join(" ", values.Select((v, i) => string.Create(CultureInfo.InvariantCulture, $"when {i} then {v}")))} end)";

    /// <summary>The level of each comparison by name, read from a row whose gamma columns start at <paramref name="firstGamma"/>, in comparison order.</summary>
    public IReadOnlyDictionary<string, string> ReadLevels(System.Data.Common.DbDataReader row, int firstGamma) =>
        _comparisons.Select((c, i) => (c.Name, Level: c.LevelNames[Convert.ToInt32(row.GetValue(firstGamma + i), CultureInfo.InvariantCulture)]))
            .ToDictionary(x => x.Name, x => x.Level, StringComparer.Ordinal);

    /// <summary>The gamma columns, for a select list over a relation with the <c>l_*</c>/<c>r_*</c> columns.</summary>
    public string GammaSelect() => string.Join(",\n", _comparisons.Select(c => $"cast({c.GammaSql()} as utinyint) as {c.GammaColumn}"));

    /// <param name="candidates">Table of candidate pairs with gamma columns.</param>
    /// <param name="sample">Table of random pairs inside partitions with gamma columns.</param>
    public ModelParameters Train(DuckDbWarehouse warehouse, string candidates, string sample)
    {
        var count = _comparisons.Count;
        var gammas = string.Join(", ", _comparisons.Select(c => c.GammaColumn));
        var sampled = warehouse.Scalar<long>($"select count(*) from {sample}");
        var candidatePairs = warehouse.Scalar<long>($"select count(*) from {candidates}");

        var u = new double[count][];
        var m = new double[count][];
        var atLevel = new long[count][];
        for (var c = 0; c < count; c++)
        {
            var comparison = _comparisons[c];
            var levels = comparison.Levels.Count + 1;
            u[c] = new double[levels];
            m[c] = new double[levels];
            atLevel[c] = new long[levels];
            var candidateCounts = LevelCounts(warehouse, candidates, comparison.GammaColumn, levels);
            atLevel[c] = candidateCounts;
            var (mSource, uSource) = comparison.Source switch
            {
                ParameterSource.CandidatePairs => (
                    LevelCounts(warehouse, $"(select * from {candidates} where {_deterministicRule})", comparison.GammaColumn, levels),
                    LevelCounts(warehouse, $"(select * from {candidates} where {_nonMatchRule})", comparison.GammaColumn, levels)),

                // By rule: the candidate pairs the deterministic rule leaves, as good as all non-matches. Otherwise EM
                // trains u from this start: all candidate pairs, nearly all of them non-matches.
                ParameterSource.FixedM when _byRule => ((long[]?)null, LevelCounts(warehouse, $"(select * from {candidates} where not ({_deterministicRule}))", comparison.GammaColumn, levels)),
                ParameterSource.FixedM => ((long[]?)null, candidateCounts),
                _ => (null, LevelCounts(warehouse, sample, comparison.GammaColumn, levels)),
            };
            var known = Math.Max(1, uSource.Skip(1).Sum());
            var matched = mSource is null ? 0 : Math.Max(1, mSource.Skip(1).Sum());
            for (var level = 1; level < levels; level++)
            {
                // Laplace smoothing: a level no counted pair reached is rare, not impossible.
                u[c][level] = (uSource[level] + 0.5) / (known + (0.5 * (levels - 1)));
                m[c][level] = mSource is null
                    ? comparison.Levels[level - 1].InitialM
                    : (mSource[level] + 0.5) / (matched + (0.5 * (levels - 1)));
            }
        }

        // Patterns in a fixed order, so EM sums in the same order and a re-run publishes the same bytes.
        var patterns = warehouse.Query(
            $"select {gammas}, count(*) from {candidates} group by all order by all",
            r => new ComparisonPattern(Enumerable.Range(0, count).Select(i => Convert.ToByte(r.GetValue(i), CultureInfo.InvariantCulture)).ToArray(), r.GetInt64(count)));

        var deterministic = warehouse.Scalar<long>($"select count(*) from {candidates} where {_deterministicRule}");
        var initialLambda = Math.Clamp(deterministic / (double)Math.Max(1, candidatePairs), 0.01, 0.5);
        var trainM = _comparisons.Select(c => c.Source == ParameterSource.RandomPairs).ToArray();
        var trainU = _comparisons.Select(c => c.Source == ParameterSource.FixedM).ToArray();
        var (lambda, iterations, converged) = patterns.Count == 0 || _byRule
            ? (initialLambda, 0, true)
            : ExpectationMaximisation.Train(patterns, initialLambda, m, u, trainM, trainU);

        // log2(m/u), but a level bounded by an earlier one (ComparisonLevel.NotAbove) shares its weight when it would outweigh it.
        var weights = _comparisons.Select((c, i) => LevelOrder.Weights(c.Levels, m[i], u[i])).ToArray();
        return new ModelParameters
        {
            Lambda = lambda,
            Comparisons = _comparisons.Select((c, i) => new ComparisonParameters(
                c.Name,
                c.Description,
                c.LevelNames.Select((name, level) => level == 0
                    ? new LevelParameters(name, null, null, 0, atLevel[i][0])
                    : new LevelParameters(name, m[i][level], u[i][level], weights[i][level], atLevel[i][level])).ToList(),
                c.Source,
                c.HasTermFrequencies ? u[i][1] : null)).ToList(),
            Training = new TrainingReport(sampled, candidatePairs, patterns.Count, initialLambda, iterations, converged, _deterministicRule, _nonMatchRule),
        };
    }

    /// <summary>
    /// Select-list expressions over a relation with gamma columns (and any term-frequency columns):
    /// <c>w_&lt;comparison&gt;</c> per field, <c>match_weight</c>, <c>match_probability</c> and <c>match_explanation</c> JSON.
    /// </summary>
    public string ScoreSelect(ModelParameters parameters)
    {
        var total = $"{Sql.Number(parameters.PriorWeight)} + " + string.Join(" + ", _comparisons.Select(c => $"w_{c.Name}"));
        return $"""
            {WeightSelect(parameters)},
            {total} as match_weight,
            1 / (1 + pow(2, -({total}))) as match_probability,
            {ExplanationSql(parameters, null)} as match_explanation
            """;
    }

    /// <summary>
    /// A query over <paramref name="relation"/> (gamma columns and any term-frequency columns) adding
    /// <c>w_&lt;comparison&gt;</c> per field, <c>match_weight</c> and <c>match_probability</c>, without the JSON
    /// explanation (build it with <see cref="ExplanationSql"/> for the rows that are shown). Each weight is computed
    /// once: a select-list alias referenced by a later expression is inlined and evaluated again, so the sum and
    /// the probability sit in their own projections.
    /// </summary>
    /// <param name="columns">The relation's columns to keep, comma-separated.</param>
    public string WeightsQuery(ModelParameters parameters, string relation, string columns)
    {
        var total = $"{Double(parameters.PriorWeight)} + " + string.Join(" + ", _comparisons.Select(c => $"w_{c.Name}"));
        return $"""
            select *, 1 / (1 + pow(2, -match_weight)) as match_probability
            from (
                select *, {total} as match_weight
                from (select {columns}, {WeightSelect(parameters)} from {relation})
            )
            """;
    }

    /// <summary>The <c>match_explanation</c> JSON of a row with gamma and <c>w_*</c> columns, qualified by <paramref name="alias"/> when given.</summary>
    /// <remarks>
    /// One struct turned into JSON once gives the text nested <c>json_object</c> calls gave (each inner object was JSON
    /// text the outer call parsed again): on the 100k bench output, every row the same and the stage about 20 % cheaper.
    /// </remarks>
    /// <param name="more">Further fields of the same object, as <c>name := value</c>: one object built once costs less than merging two.</param>
    public string ExplanationSql(ModelParameters parameters, string? alias, string? more = null)
    {
        var a = alias is null ? "" : alias + ".";
        var explanation = new StringBuilder($"to_json(struct_pack(prior := {Sql.Number(parameters.PriorWeight)}");
        foreach (var comparison in _comparisons)
        {
            var level = ByLevel(a + comparison.GammaColumn, parameters.For(comparison.Name).Levels.Select(l => Sql.Literal(l.Name)));
            explanation.Append(CultureInfo.InvariantCulture, $", {Sql.Identifier(comparison.Name)} := struct_pack(level := {level}, weight := round({a}w_{comparison.Name}, 3))");
        }

        return (more is null ? explanation : explanation.Append(", ").Append(more)).Append("))").ToString();
    }

    /// <summary>
    /// The text <see cref="ExplanationSql"/> builds, for rows whose <c>w_*</c> columns are the weights
    /// <see cref="WeightsQuery"/> computed from their levels (the output's shown pairs). A comparison's part of the
    /// object is then the same for every row at one level, so it is a constant per level, rendered by the same
    /// <c>to_json</c> once when DuckDB folds the constant; only the term-frequency weights and <paramref name="more"/>
    /// are rendered per row, and the parts are concatenated. At a million candidacies (1.5M explanations, 760 MB)
    /// 1.8-2.3 CPU-s against 3.4-3.9 for the struct turned into JSON per row, the same text on every row.
    /// </summary>
    /// <param name="more">Further fields of the object, in order, as (name, SQL value).</param>
    public string ExplanationByLevelSql(ModelParameters parameters, string alias, IReadOnlyList<(string Name, string Value)> more)
    {
        var a = alias + ".";
        var parts = new List<string> { "'{'", JsonKey("prior"), $"cast(to_json({Sql.Number(parameters.PriorWeight)}) as varchar)" };
        foreach (var comparison in _comparisons)
        {
            var p = parameters.For(comparison.Name);
            var gamma = a + comparison.GammaColumn;
            var levelNames = ByLevel(gamma, p.Levels.Select(l => Sql.Literal(l.Name)));
            parts.Add("','");
            parts.Add(JsonKey(comparison.Name));
            if (comparison.HasTermFrequencies && p.TermFrequencyUExact is not null)
            {
                // A level's weight depends on the value's frequency: rendered per row.
                var levelJson = ByLevel(gamma, p.Levels.Select(l => $"cast(to_json({Sql.Literal(l.Name)}) as varchar)"));
                parts.Add($"'{{'||{JsonKey("level")}||coalesce({levelJson}, 'null')||','||{JsonKey("weight")}||coalesce(cast(to_json(round({a}w_{comparison.Name}, 3)) as varchar), 'null')||'}}'");
                continue;
            }

            var perRow = $"cast(to_json(struct_pack(level := {levelNames}, weight := round({a}w_{comparison.Name}, 3))) as varchar)";
            var byLevel = p.Levels.Select((l, i) => string.Create(CultureInfo.InvariantCulture,
                $"when {i} then cast(to_json(struct_pack(level := {Sql.Literal(l.Name)}, weight := round({Double(l.Weight)}, 3))) as varchar)"));
            parts.Add($"(case {gamma} {string.Join(" ", byLevel)} else {perRow} end)");
        }

        foreach (var (name, value) in more)
        {
            parts.Add("','");
            parts.Add(JsonKey(name));
            parts.Add($"coalesce(cast(to_json({value}) as varchar), 'null')");
        }

        parts.Add("'}'");
        return $"cast(concat({string.Join(", ", parts)}) as json)";
    }

    /// <summary>A JSON object key and its colon, as <c>to_json</c> writes it (a constant DuckDB folds).</summary>
    private static string JsonKey(string name) => $"(cast(to_json({Sql.Literal(name)}) as varchar) || ':')";

    /// <summary>
    /// A weight as a DOUBLE literal. A plain literal such as 6.8529384231154635 is a DECIMAL(17,16) in DuckDB, and a
    /// CASE over such literals computes in 128-bit decimals: ten times slower over millions of pairs, same values.
    /// </summary>
    private static string Double(double value) => $"cast({Sql.Number(value)} as double)";

    private string WeightSelect(ModelParameters parameters)
    {
        var weights = new List<string>();
        foreach (var comparison in _comparisons)
        {
            var p = parameters.For(comparison.Name);
            var weight = new StringBuilder(ByLevel(comparison.GammaColumn, p.Levels.Select(l => Double(l.Weight))));
            if (p.TermFrequencyUExact is { } uExact)
            {
                // Splink's adjustment at gamma: the exact level's u becomes the value's frequency, capped both ways, or only
                // downward (at most 0) for a level's penalty.
                string Adjustment(int gamma, string frequency, double most) =>
                    $" + (case when {comparison.GammaColumn} = {gamma} and {frequency} > 0 then least(greatest(log2({Sql.Number(uExact)} / {frequency}), -{Sql.Number(TermFrequencyCap)}), {Sql.Number(most)}) else 0 end)";

                if (comparison.TermFrequencyColumn is { } tf)
                {
                    weight.Append(Adjustment(1, tf, TermFrequencyCap));
                }

                // A penalty from the same u, only ever downward: a value at least as common as the exact level's then weighs
                // no more here than there, while a rare one keeps the level's trained weight, which its bound (LevelOrder)
                // holds under the exact level's.
                for (var level = 0; level < comparison.Levels.Count; level++)
                {
                    if (comparison.Levels[level].TermFrequencyPenaltyColumn is { } shared)
                    {
                        weight.Append(Adjustment(level + 1, shared, 0));
                    }
                }
            }

            weights.Add($"cast({weight} as double) as w_{comparison.Name}");
        }

        return string.Join(",\n", weights);
    }

    private static long[] LevelCounts(DuckDbWarehouse warehouse, string table, string column, int levels)
    {
        var counts = new long[levels];
        foreach (var (level, n) in warehouse.Query($"select {column}, count(*) from {table} group by all", r => (Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), r.GetInt64(1))))
        {
            counts[level] = n;
        }

        return counts;
    }
}
