using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Incremental;

/// <summary>
/// A partition run with no candidacy (the stateless partition when every candidacy has a state) cleans every results
/// row, for the whole results input's quarantine and row account, but parses none of their names: nothing could meet
/// them, and its surnames' frequencies are frozen, so nothing counts over them.
/// </summary>
public sealed class EmptyPartitionNamesTests : IDisposable
{
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_partition_with_no_candidacy_cleans_and_accounts_for_every_results_row_without_parsing_a_name()
    {
        // A results row with an empty id: quarantined, so the account has a quarantined line to compare.
        const string Right = "data/airbyte/ddhq_election_results.csv";
        var right = _fixture.Read(Right).TrimEnd('\n').Split('\n').ToList();
        right.Add(string.Join(',', right[1].Split(',').Select((field, i) => i == 2 ? "" : field)));
        _fixture.Write(Right, string.Join('\n', right) + "\n");
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "empty-partition.duckdb"));
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var match = context.Settings.Match("candidacy_ddhq_matches");
        var inputs = new RunOperation(context).ResolveInputs(warehouse, match);

        // A plain run: it trains the model and counts the surnames' frequencies over the names it parses.
        var plainRun = RunSchema.For(match.Name);
        var plain = new CandidacyDdhqMatcher(warehouse, match, plainRun).Run(inputs);
        var model = ModelParameters.FromJson(plain.ModelParametersJson!);
        // Frozen as the partition cache keeps them: with a row with no value, for one seen once.
        warehouse.Execute($"""
            create table frozen_surnames as select * from {plainRun.Table(CandidacyDdhqCleaning.SurnamesTable)} union all select null, 1e-6;
            create table frozen_words as select * from {plainRun.Table(CandidacyDdhqCleaning.SurnameWordsTable)} union all select null, 1e-6;
            """);
        var frozen = new SurnameFrequencies("frozen_surnames", "frozen_words");

        MatchResult Partition(RunSchema run, MatchInputs of) =>
            new CandidacyDdhqMatcher(warehouse, match, run) { Model = model, SurnameFrequencies = frozen }.RunPartition(of);

        var noCandidacy = inputs with { Left = inputs.Left with { Sql = $"(select * from {inputs.LeftRelation} limit 0)", Csv = null } };
        var empty = RunSchema.For(match.Name).Part("empty");
        var emptyResult = Partition(empty, noCandidacy);
        var whole = RunSchema.For(match.Name).Part("whole");
        Partition(whole, inputs);

        long Rows(RunSchema run, string where) => warehouse.Scalar<long>($"select count(*) from {run.Table("right_clean")} where {where}");
        var cleaned = Rows(plainRun, "true");
        Assert.True(cleaned > 800, $"{cleaned} results rows cleaned");
        // Every row cleaned, none with a name; a partition with candidacies parses them as a plain run does.
        Assert.Equal(cleaned, Rows(empty, "true"));
        Assert.Equal(0, Rows(empty, "first_name is not null or last_name is not null or middle_name is not null or nickname is not null or len(surname_words) > 0"));
        Assert.True(Rows(plainRun, "last_name is not null") > 800);
        Assert.Equal(Rows(plainRun, "last_name is not null"), Rows(whole, "last_name is not null"));
        Assert.Equal(0, warehouse.Scalar<long>($"select count(*) from {empty.Table("output")}"));

        // The results input's account and counts are the plain run's.
        var account = emptyResult.Accounts.Single(a => a.Input == "right" && a.Unit == InputRowAccount.Unit);
        Assert.True(account.Balances);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(plain.Accounts.Single(a => a.Input == "right" && a.Unit == InputRowAccount.Unit)), System.Text.Json.JsonSerializer.Serialize(account));
        foreach (var key in new[] { "right_rows_read", "right_rows_quarantined" })
        {
            Assert.Equal(plain.Counts[key], emptyResult.Counts[key]);
        }

        Assert.Equal(1, emptyResult.Counts["right_rows_quarantined"]);
        // With candidacies, the frozen frequencies are read for the names parsed; with none, there is no name to read them for.
        Assert.True(warehouse.Scalar<long>($"select count(*) from {whole.Table(CandidacyDdhqCleaning.SurnamesTable)}") > 100);
        Assert.Equal(0, warehouse.Scalar<long>($"select count(*) from {empty.Table(CandidacyDdhqCleaning.SurnamesTable)}"));

        Assert.Contains(emptyResult.Stages, s => s.Stage == "right_clean" && s.Note == "names not parsed: no candidacy to meet them");
    }
}
