using ElectionMatch.Dbt;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Benchmarks.Cleaning;

/// <summary>
/// An in-memory DuckDB holding the goodparty fixture's candidacy and results rows repeated to a fixed size
/// (ids made unique), the reference tables, the cleaning macros and C# functions, as the matcher's
/// first stages leave them.
/// </summary>
internal sealed class FixtureWarehouse : IDisposable
{
    public FixtureWarehouse(int leftRows, int rightRows)
    {
        var project = DbtProject.Load(Path.Combine(RepositoryRoot(), "dbt_fixtures", "goodparty"));
        Settings = ElectionMatchSettings.Load(project).Match("candidacy_ddhq_matches");
        Run = RunSchema.For("bench");
        Cleaning = new CandidacyDdhqCleaning(Settings, Run);
        Warehouse = DuckDbWarehouse.InMemory();
        Warehouse.Execute($"create schema {Sql.Identifier(Run.Name)}");
        ReferenceData.LoadNicknames(Warehouse, Run, "nicknames");
        ReferenceData.DeriveFirstNameGroups(Warehouse, Run, "nicknames", "first_name_groups");
        ReferenceData.LoadFirstNameSex(Warehouse, Run, "first_name_sex");
        ReferenceData.LoadStates(Warehouse, Run, "states");
        Cleaning.CreateFunctions(Warehouse);

        var data = Path.Combine(project.Directory, "data", "airbyte");
        Warehouse.Execute($"""
            create table left_source as
            select * replace (gp_candidacy_id || '-' || copy as gp_candidacy_id)
            from read_csv({Sql.Literal(Path.Combine(data, "hubspot_candidacy.csv"))}, all_varchar = true), range(0, 1000000) as r(copy)
            limit {leftRows};
            create table right_source as
            select * replace (candidate_id || '-' || copy as candidate_id)
            from read_csv({Sql.Literal(Path.Combine(data, "ddhq_election_results.csv"))}, all_varchar = true), range(0, 1000000) as r(copy)
            limit {rightRows};
            """);
        Warehouse.Execute(Cleaning.LeftInputSql("left_source"));
        Warehouse.Execute(Cleaning.RightInputSql("right_source"));
        Warehouse.Execute(Cleaning.QuarantineSql());
    }

    public MatchSettings Settings { get; }

    public RunSchema Run { get; }

    public CandidacyDdhqCleaning Cleaning { get; }

    public DuckDbWarehouse Warehouse { get; }

    public void Dispose() => Warehouse.Dispose();

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ElectionMatch.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ElectionMatch.sln not found above " + AppContext.BaseDirectory);
    }
}
