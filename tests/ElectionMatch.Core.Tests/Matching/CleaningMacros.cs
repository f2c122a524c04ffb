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
        warehouse.Execute(new CandidacyDdhqCleaning(ElectionMatchSettings.Load(project).Match("candidacy_ddhq_matches"), run).MacrosSql());
        return warehouse;
    }
}
