using ElectionMatch.Dbt;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// How common each candidacy surname is among the results' surnames (<c>left_surnames</c>), which lowers the surname's
/// close spellings: the frequency the exact level reads for a results row of that surname, in a plain run and in an
/// incremental run's partition, whose frequencies are frozen with the model.
/// </summary>
public sealed class LeftSurnamesTests
{
    [Fact]
    public void A_candidacy_surname_is_as_common_as_the_exact_level_counts_a_results_row_of_it()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var run = RunSchema.For("left_surnames");
        warehouse.Execute($"""
            create schema {Sql.Identifier(run.Name)};
            create table {run.Table("left_clean")} as select * from (values ('garcia'), ('quimbye'), ('olson'), (null)) as t(last_name);
            -- This run's results surnames: GARCIA is rare in this state's rows, QUIMBYE is new since the model was trained.
            create table {run.Table(CandidacyDdhqCleaning.SurnamesTable)} as select * from (values ('garcia', 0.1::double), ('quimbye', 0.001::double)) as t(last_name, tf_last);
            -- Frozen with the model: GARCIA common over the whole input, and the row with no surname, one seen once.
            create table frozen as select * from (values ('garcia', 0.3::double), (null, 0.001::double)) as t(last_name, tf_last);
            """);
        var project = DbtProject.Load(Path.Combine(FixtureCopy.RepositoryRoot, "dbt_fixtures", "goodparty"));
        var cleaning = new CandidacyDdhqCleaning(ElectionMatchSettings.Load(project).Match("candidacy_ddhq_matches"), run);

        Dictionary<string, double> Frequencies(SurnameFrequencies? frozen)
        {
            warehouse.Execute($"drop table if exists {run.Table(CandidacyDdhqCleaning.LeftSurnamesTable)}");
            warehouse.Execute(cleaning.LeftSurnamesSql(frozen));
            return warehouse.Query($"select last_name, tf_last from {run.Table(CandidacyDdhqCleaning.LeftSurnamesTable)}", r => (r.GetString(0), r.GetDouble(1)))
                .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
        }

        // A plain run: this run's counts; a surname no results row bears is left out (nothing penalises it).
        Assert.Equal(new Dictionary<string, double> { ["garcia"] = 0.1, ["quimbye"] = 0.001 }, Frequencies(null));
        // A partition: the frozen frequency where there is one; a surname new since then is what this run's right_surnames
        // gives it (a surname seen once), as the exact level reads it for a results row of that surname.
        Assert.Equal(new Dictionary<string, double> { ["garcia"] = 0.3, ["quimbye"] = 0.001 }, Frequencies(new SurnameFrequencies("frozen", "unused")));
    }
}
