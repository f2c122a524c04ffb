using ElectionMatch.Matching.Scoring;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// <c>match_explanation</c> is built as one struct turned into JSON, which must give the bytes the nested
/// <c>json_object</c> calls gave (published snapshots and their content hashes stay the same), for every kind of
/// weight a model can hold: fractions, zero, negative zero, huge and tiny numbers, infinities, NaN, and nulls.
/// </summary>
public sealed class ExplanationJsonTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    public void Dispose() => _warehouse.Dispose();

    [Fact]
    public void The_explanation_struct_renders_the_text_nested_json_objects_rendered()
    {
        var comparisons = new Comparison[]
        {
            new("first_name", "first name", "l is null", [new("exact", "l = r", 0.9), new("different", null, 0.1)]),
            new("last_name", "last name", "l is null", [new("exact", "l = r", 0.9), new("fuzzy", "true", 0.05), new("different", null, 0.05)]),
        };
        var model = new FellegiSunter(comparisons, "gamma_first_name = 1", "gamma_first_name = 2");
        var parameters = new ModelParameters
        {
            Lambda = 0.1234567890123,
            Comparisons = comparisons.Select(c => new ComparisonParameters(c.Name, c.Description,
                c.LevelNames.Select((l, i) => new LevelParameters(l, null, null, i * 1.5, 0)).ToList(), ParameterSource.RandomPairs, null)).ToList(),
            Training = new TrainingReport(0, 0, 0, 0, 0, true, "", ""),
        };
        _warehouse.Execute("""
            create table pairs as
            select g1 as gamma_first_name, g2 as gamma_last_name, w as w_first_name, -w * 3.3 as w_last_name,
                ['embedding_top_k', 'surname "sound"'] as rules, w > 0 as flag, 7 as compared
            from (select unnest([0, 1, 2, 3, null]) as g1), (select unnest([0, 1, 2, 3]) as g2),
                (select unnest([0.0, -0.0, 0.0004, -0.0004, 1.2345, -7.63, 10.027, 15.86, 1e-7, 1e15, 1e16, 1e21, 1e300,
                    'nan', 'inf', '-inf', null]::double[]) as w);
            """);

        var nested = $"json_object('prior', {ElectionMatch.Warehouse.Sql.Number(parameters.PriorWeight)}, "
            + string.Join(", ", comparisons.Select(c => $"'{c.Name}', json_object('level', (case gamma_{c.Name} {string.Join(" ", c.LevelNames.Select((l, i) => $"when {i} then '{l}'"))} end), 'weight', round(w_{c.Name}, 3))"))
            + ", 'candidates_compared', compared, 'found_by', rules, 'flag', flag)";
        var built = model.ExplanationSql(parameters, null, "candidates_compared := compared, found_by := rules, flag := flag");

        var rows = _warehouse.Query($"select cast({nested} as varchar), cast({built} as varchar), typeof({built}) from pairs", r => (Nested: r.GetString(0), Built: r.GetString(1), Type: r.GetString(2)));

        Assert.Equal(5 * 4 * 17, rows.Count);
        Assert.All(rows, r => Assert.Equal(r.Nested, r.Built));
        Assert.All(rows, r => Assert.Equal("JSON", r.Type));
        Assert.Contains(rows, r => r.Built.Contains("\"weight\":null", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Built.Contains("\"level\":null", StringComparison.Ordinal));
    }

    [Fact]
    public void The_explanation_by_level_renders_the_text_of_the_struct_turned_into_json()
    {
        // Level weights of every kind a model holds (fractions, zero, negative, large, tiny); the last name's exact
        // level is adjusted by a term frequency per row, as in the candidacy model.
        var comparisons = new Comparison[]
        {
            new("first_name", "first name", "l is null", [new("exact", "l = r", 0.9), new("fuzzy", "true", 0.05), new("different", null, 0.05)]),
            new("last_name", "last name", "l is null", [new("exact", "l = r", 0.9), new("different", null, 0.1)], ParameterSource.RandomPairs, "r_tf_last"),
            new("office", "office", "l is null", [new("same", "l = r", 0.9), new("different", null, 0.1)]),
        };
        double[][] weights = [[0, 7.806915633407802, -0.0004, -6.8004092122072], [0, 8.44142250447421, -0.6988945565296318], [0, 1e15, 1e-7]];
        var model = new FellegiSunter(comparisons, "gamma_first_name = 1", "gamma_first_name = 3");
        var parameters = new ModelParameters
        {
            Lambda = 0.1234567890123,
            Comparisons = comparisons.Select((c, ci) => new ComparisonParameters(c.Name, c.Description,
                c.LevelNames.Select((l, i) => new LevelParameters(l, null, null, weights[ci][i], 0)).ToList(), ParameterSource.RandomPairs,
                c.TermFrequencyColumn is null ? null : 0.000977492668804984)).ToList(),
            Training = new TrainingReport(0, 0, 0, 0, 0, true, "", ""),
        };
        _warehouse.Execute("""
            create table levels as
            select g1 as gamma_first_name, g2 as gamma_last_name, g3 as gamma_office, tf as r_tf_last,
                ['embedding_top_k', 'surname "sound"'] as rules, flag, compared
            from (select unnest([0, 1, 2, 3, 4, null]) as g1), (select unnest([0, 1, 2, 3, null]) as g2), (select unnest([0, 1, 2, null]) as g3),
                (select unnest([0.0, 1e-9, 0.0003, 0.02, 0.5, null]::double[]) as tf), (select unnest([true, false, null]) as flag),
                (select unnest([7, null]) as compared);
            """);
        var scored = model.WeightsQuery(parameters, "levels", "gamma_first_name, gamma_last_name, gamma_office, r_tf_last, rules, flag, compared");
        var more = "candidates_compared := s.compared, found_by := s.rules, flag := s.flag";
        var byLevel = model.ExplanationByLevelSql(parameters, "s", [("candidates_compared", "s.compared"), ("found_by", "s.rules"), ("flag", "s.flag")]);

        var rows = _warehouse.Query($"select cast({model.ExplanationSql(parameters, "s", more)} as varchar), cast({byLevel} as varchar), typeof({byLevel}) from ({scored}) as s",
            r => (Struct: r.GetString(0), ByLevel: r.GetString(1), Type: r.GetString(2)));

        Assert.Equal(6 * 5 * 4 * 6 * 3 * 2, rows.Count);
        Assert.All(rows, r => Assert.Equal(r.Struct, r.ByLevel));
        Assert.All(rows, r => Assert.Equal("JSON", r.Type));
        Assert.Contains(rows, r => r.ByLevel.Contains("\"level\":null", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.ByLevel.Contains("\"weight\":1000000000000000.0", StringComparison.Ordinal) || r.ByLevel.Contains("\"weight\":1e15", StringComparison.Ordinal));
    }
}
