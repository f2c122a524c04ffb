namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A candidacy's or a results row's state in full-width letters (ＮＣ, typed with a Japanese or Chinese input method) is
/// the state its plain spelling is: the row is matched in North Carolina as NC's is. Before, the states lookup read only
/// ASCII letters, found no state and quarantined the row (EMQ005). The district match reads states by the same key.
/// </summary>
public sealed class FullWidthStateRunTests : IClassFixture<FullWidthStateRunTests.StateRun>
{
    private readonly MatcherRun _run;

    public FullWidthStateRunTests(StateRun run) => _run = run.Run;

    [Fact]
    public void A_full_width_state_on_either_side_is_read_as_its_plain_spelling_and_the_rows_link()
    {
        var rows = _run.Warehouse.Query(
            $"""
            select gp_candidacy_id, coalesce(cast(ddhq_race_id as varchar), ''), has_match
            from {_run.Table("output")}
            where gp_candidacy_id like 'H001067-%'
            order by gp_candidacy_id
            """,
            r => (r.GetString(0), r.GetString(1), r.GetBoolean(2)));

        Assert.Equal(
            [
                ("H001067-2012", "2012-NC-08", true),
                ("H001067-2014", "2014-NC-08", true),
                ("H001067-2016", "2016-NC-08", true),
            ],
            rows);
        Assert.Equal(0, _run.Warehouse.Scalar<long>($"select count(*) from {_run.Table("quarantine")} where original like '%Ｎ%'"));
    }

    /// <summary>The legislators fixture with Hudson's 2014 candidacy in state ＮＣ and his 2016 results row in state ＮＣ, run once.</summary>
    public sealed class StateRun : IDisposable
    {
        public StateRun()
        {
            var fixture = FixtureCopy.Of("legislators");
            var left = fixture.PathOf("data/left.csv");
            var leftText = File.ReadAllText(left);
            Assert.Contains("H001067-2014,H001067,Richard,,Hudson,,,M,NC,", leftText, StringComparison.Ordinal);
            File.WriteAllText(left, leftText.Replace("H001067-2014,H001067,Richard,,Hudson,,,M,NC,", "H001067-2014,H001067,Richard,,Hudson,,,M,ＮＣ,", StringComparison.Ordinal));
            var right = fixture.PathOf("data/right.csv");
            var rightText = File.ReadAllText(right);
            Assert.Contains("rde571f4b09c4,2016-NC-08,US House NC-8,NC,", rightText, StringComparison.Ordinal);
            File.WriteAllText(right, rightText.Replace("rde571f4b09c4,2016-NC-08,US House NC-8,NC,", "rde571f4b09c4,2016-NC-08,US House NC-8,ＮＣ,", StringComparison.Ordinal));
            Run = MatcherRun.Of(fixture);
        }

        internal MatcherRun Run { get; }

        public void Dispose() => Run.Dispose();
    }
}
