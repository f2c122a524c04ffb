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

    [Fact]
    public void Results_rows_whose_election_type_no_candidacy_has_are_excluded_with_the_values_in_plain_and_incremental_runs()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var path = fixture.PathOf("data/airbyte/ddhq_election_results.csv");
        var lines = File.ReadAllLines(path);
        var type = Array.IndexOf(lines[0].Split(','), "election_type");
        string WithType(string line, string value)
        {
            var fields = line.Split(',');
            fields[type] = value;
            return string.Join(',', fields);
        }

        // Rows 1-4 have no quoted field, so a split by comma is the CSV's.
        Assert.All(lines[1..5], l => Assert.DoesNotContain('"', l));
        lines[1] = WithType(lines[1], "primray");
        lines[2] = WithType(lines[2], "Primray");
        lines[3] = WithType(lines[3], "special");
        lines[4] = WithType(lines[4], "");
        File.WriteAllLines(path, lines);

        // The candidacies of two states and those with no state (all three election types among them) keep the
        // incremental run to three partitions; the results stay whole, and the account is over them.
        var left = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        File.WriteAllLines(left, File.ReadAllLines(left).Where((l, i) => i == 0 || (!l.Contains('"') && l.Split(',')[4] is "TX" or "GA" or "")));
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        var plain = new RunOperation(context).Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2026, 6, 3)));
        var incremental = new RunOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory)))
            .Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2026, 6, 4)) { Incremental = true });

        foreach (var run in new[] { plain, incremental })
        {
            var account = run.Manifest.RowAccounting.Single(a => a.Unit == "cleaned rows by election type");
            Assert.True(account.Balances);
            Assert.Equal(857, account.Read);
            Assert.Equal(
                [
                    ("used", "an election type a candidacy can have", 853L),
                    ("excluded", "no election type", 1L),
                    ("excluded", "election type no candidacy has: 'primray' 2 (like 'primary'), 'special' 1", 3L),
                ],
                account.Outcomes.Select(o => (o.Outcome, o.Reason, o.Rows)));
        }
    }

    [Fact]
    public void A_candidacy_with_a_date_quarantined_alone_is_used_and_accounted_alike_in_plain_and_incremental_runs()
    {
        // gpc-000133 (IL) keeps its primary and general and loses its runoff date; gpc-q00002 has no other date, so it is quarantined whole.
        // IL's and TX's candidacies alone: an incremental run is a pipeline per state partition, and the whole fixture's
        // 32 took most of this test's time (the accounting is the same per row however many states there are).
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.KeepCandidaciesOf("IL", "TX");
        var path = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        var kept = File.ReadAllLines(path).Length - 1;
        const string line = "gpc-000133,9806365351,Gabriel,Hensarling,IL,School Board,Naperville Board of Education - District 5,local,5,Nonpartisan,2024-03-19,2024-11-05,";
        var text = File.ReadAllText(path);
        Assert.Contains(line + "\n", text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace(line + "\n", line + "sometime in Dec\n", StringComparison.Ordinal)
            + "gpc-q00002,2,Ann,Lee,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-02-30,\n");

        var plain = new RunOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2026, 6, 3)));
        var incremental = new RunOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory)))
            .Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2026, 6, 4)) { Incremental = true });

        foreach (var run in new[] { plain, incremental })
        {
            Assert.All(run.Manifest.RowAccounting, a => Assert.True(a.Balances, $"{a.Input} {a.Unit}: {a.Read} read, {a.Accounted} accounted"));
            var left = run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows");
            Assert.Equal(
                [
                    // The kept rows and gpc-q00002, less gpc-000133 (used without its runoff date) and gpc-q00002.
                    ("used", "parsed and cleaned", (long)kept - 1),
                    ("used", "EMQ004 a date is missing or is not a valid date, quarantined alone: the row used without it", 1L),
                    ("quarantined", "EMQ004 a date is missing or is not a valid date", 1L),
                ],
                left.Outcomes.Select(o => (o.Outcome, o.Reason, o.Rows)));
            Assert.Equal(1L, run.Manifest.Counts["left_rows_quarantined"]);
            Assert.Equal(1L, run.Manifest.Counts["left_rows_used_with_values_quarantined"]);
            Assert.Equal(2L, run.Manifest.QuarantineRows);
        }

        // The same quarantine, the incremental run's rows numbered by their place in the whole input as a plain run's.
        Assert.Equal(plain.Manifest.QuarantineContentSha256, incremental.Manifest.QuarantineContentSha256);
    }
}
