using ElectionMatch.Dbt;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>An in-memory warehouse holding the goodparty fixture's cleaning macros, the SQL reference a C# function is compared with.</summary>
internal static class CleaningMacros
{
    public static DuckDbWarehouse Warehouse(string runName)
    {
        var warehouse = DuckDbWarehouse.InMemory();
        var project = DbtProject.Load(Path.Combine(FixtureCopy.RepositoryRoot, "dbt_fixtures", "goodparty"));
        var run = RunSchema.For(runName);
        warehouse.Execute($"create schema {Sql.Identifier(run.Name)}");
        ReferenceData.LoadStates(warehouse, run, "states");
        CompatibilityFold.Register(warehouse);
        warehouse.Execute(new CandidacyDdhqCleaning(ElectionMatchSettings.Load(project).Match("candidacy_ddhq_matches"), run).MacrosSql());
        return warehouse;
    }

    /// <summary>
    /// Each text with the macro's result and the C# function's, in the order given: the texts are appended to a
    /// temporary table <paramref name="table"/> and both are called on every row in one query.
    /// </summary>
    public static List<(string Text, string? Macro, string? CSharp)> Compare(DuckDbWarehouse warehouse, string table, IReadOnlyList<string> texts, string macro, string function) =>
        CompareSql(warehouse, table, texts, $"{macro}(t)", $"{function}(t)").Select(c => (c.Text!, c.Macro, c.CSharp)).ToList();

    /// <summary>
    /// <see cref="Compare"/> for two SQL expressions over the text column <c>t</c> (a text may be null).
    /// </summary>
    public static List<(string? Text, string? Macro, string? CSharp)> CompareSql(DuckDbWarehouse warehouse, string table, IReadOnlyList<string?> texts, string macroSql, string csharpSql)
    {
        warehouse.Execute($"create temp table {table} (i integer, t varchar)");
        using (var appender = warehouse.Connection.CreateAppender(table))
        {
            for (var i = 0; i < texts.Count; i++)
            {
                appender.CreateRow().AppendValue(i).AppendValue(texts[i]).EndRow();
            }
        }

        return warehouse.Query(
            $"select t, {macroSql}, {csharpSql} from {table} order by i",
            r => (r.IsDBNull(0) ? null : r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)));
    }
}
