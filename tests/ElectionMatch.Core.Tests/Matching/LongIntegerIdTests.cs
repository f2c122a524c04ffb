using ElectionMatch.Matches;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// Ids are compared as text (docs/configuration.md). A CSV id column of integers past BIGINT's range was typed DOUBLE
/// by the sniffer, so two results rows whose ids differ in the twentieth digit read as one id, and the second was
/// quarantined as a repeat of an id written nowhere (EMQ002). A race id, which makes the judge's contests, was read the
/// same way: two races whose ids differ there were one contest.
/// </summary>
public sealed class LongIntegerIdTests : IDisposable
{
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_run_reads_twenty_digit_ids_of_a_csv_input_as_written()
    {
        const string Results = "data/airbyte/ddhq_election_results.csv";
        var lines = _fixture.Read(Results).Split('\n');
        // candidate_id is the third field; the fixture's first two results rows get ids that differ in the last digit only.
        lines[1] = string.Join(',', lines[1].Split(',').Select((f, i) => i == 2 ? "12345678901234567891" : f));
        lines[2] = string.Join(',', lines[2].Split(',').Select((f, i) => i == 2 ? "12345678901234567892" : f));
        _fixture.Write(Results, string.Join('\n', lines));


        Assert.Equal(
            ["12345678901234567891", "12345678901234567892"],
            ResultsAsARunReadsThem(right => $"select cast(candidate_id as varchar) from {right} where cast(candidate_id as varchar) like '1234567890%' order by 1"));
    }

    [Fact]
    public void A_run_reads_twenty_digit_race_ids_of_a_csv_input_as_written()
    {
        const string Results = "data/airbyte/ddhq_election_results.csv";
        var lines = _fixture.Read(Results).Split('\n');
        // race_id is the first field: the fixture's first two races get ids that differ in the last digit only.
        var races = lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().Take(2).ToList();
        lines = [.. lines.Select((line, n) =>
        {
            var fields = line.Split(',');
            return n == 0 || !races.Contains(fields[0])
                ? line
                : string.Join(',', [fields[0] == races[0] ? "12345678901234567891" : "12345678901234567892", .. fields[1..]]);
        })];
        _fixture.Write(Results, string.Join('\n', lines));


        Assert.Equal(
            ["12345678901234567891", "12345678901234567892"],
            ResultsAsARunReadsThem(right => $"select distinct race_id from {right} where race_id like '1234567890%' order by 1"));
    }

    // The query's one text column, over the results relation resolved as a run resolves its inputs.
    private List<string> ResultsAsARunReadsThem(Func<string, string> query)
    {
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var match = context.Settings.Match("candidacy_ddhq_matches");
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "ids.duckdb"));
        var inputs = new RunOperation(context).ResolveInputs(warehouse, match);
        return warehouse.Query(query(inputs.RightRelation), r => r.GetString(0));
    }
}
