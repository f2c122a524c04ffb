using ElectionMatch.Operations;

namespace ElectionMatch.Tests.Matching;

public sealed class RowAccountingTests
{
    [Fact]
    public void Every_row_read_is_used_quarantined_or_excluded_and_the_manifest_says_which()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var path = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        File.AppendAllText(path, "gpc-q00001,1,,,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,\ngpc-q00002,2,Ann,Lee,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-02-30,\ngpc-q00003,3,Ann,Lee,TX,Mayor,Austin Mayor,local,,Nonpartisan,,,\n");
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        var run = new RunOperation(context).Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true });

        var accounts = run.Manifest.RowAccounting;
        Assert.All(accounts, a => Assert.True(a.Balances, $"{a.Input} {a.Unit}: {a.Read} read, {a.Accounted} accounted"));
        var left = accounts.Single(a => a.Input == "left" && a.Unit == "input rows");
        Assert.Equal(303, left.Read);
        Assert.Equal(301, left.Outcomes.Single(o => o.Outcome == "used").Rows);
        var cleaned = accounts.Single(a => a.Unit == "cleaned rows");
        Assert.Equal(1, cleaned.Outcomes.Single(o => o.Outcome == "excluded").Rows);
        Assert.Equal([("EMQ003", 1L), ("EMQ004", 1L)], left.Outcomes.Where(o => o.Outcome == "quarantined").Select(o => (o.Reason[..6], o.Rows)));
        var elections = accounts.Single(a => a.Unit == "election rows");
        Assert.Equal(153, elections.Outcomes.Single(o => o.Outcome == "excluded").Rows);
        Assert.Equal(run.Manifest.Rows, accounts.Single(a => a.Input == "output").Read);
    }
}
