using ElectionMatch.Matches.CandidacyDdhq;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A CRM first name with its nickname in full-width quotes (<c>Richard ＂Buddy＂</c>, U+FF02, typed with a Japanese or
/// Chinese input method) or in curly quotes reads as <c>Richard "Buddy"</c> does: first name Richard, nickname Buddy,
/// linked at the first name's exact level to the ballot's BUDDY HUDSON. Before, the full-width quotes were no quotes, so
/// Buddy was read as a middle name. A nickname column quoted so is shown by explain as the plain one is.
/// </summary>
public sealed class FullWidthNicknameRunTests : IClassFixture<FullWidthNicknameRunTests.NicknameRun>
{
    private readonly MatcherRun _run;

    public FullWidthNicknameRunTests(NicknameRun run) => _run = run.Run;

    [Fact]
    public void A_nickname_in_full_width_or_curly_quotes_is_parsed_as_one_in_plain_quotes()
    {
        var parsed = _run.Warehouse.Query(
            $"""
            select left_id, first_name, coalesce(middle_name, ''), coalesce(nickname, '')
            from {_run.Table("left_clean")}
            where left_id like 'H001067-%'
            order by left_id
            """,
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));

        Assert.Equal(
            [
                ("H001067-2012", "richard", "", "buddy"),
                ("H001067-2014", "richard", "", "buddy"),
                ("H001067-2016", "richard", "", "buddy"),
            ],
            parsed);
    }

    [Fact]
    public void A_nickname_in_full_width_or_curly_quotes_links_to_its_own_years_results_row_as_one_in_plain_quotes()
    {
        var rows = _run.Warehouse.Query(
            $"""
            select gp_candidacy_id, coalesce(ddhq_candidate, ''), coalesce(cast(ddhq_race_id as varchar), ''), has_match,
                json_extract_string(match_explanation, '$.first_name.level')
            from {_run.Table("output")}
            where gp_candidacy_id like 'H001067-%'
            order by gp_candidacy_id
            """,
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetString(4)));

        Assert.Equal(
            [
                ("H001067-2012", "BUDDY HUDSON", "2012-NC-08", true, "exact"),
                ("H001067-2014", "BUDDY HUDSON", "2014-NC-08", true, "exact"),
                ("H001067-2016", "BUDDY HUDSON", "2016-NC-08", true, "exact"),
            ],
            rows);
    }

    [Fact]
    public void A_nickname_column_in_full_width_or_curly_quotes_is_named_as_the_plain_one_by_explain()
    {
        // The name explain's header shows (CandidacyDdhqCleaning.NameAsReadSql), read from the run's left_input.
        var names = _run.Warehouse.Query(
            $"select left_id, {CandidacyDdhqCleaning.NameAsReadSql("i.")} from {_run.Table("left_input")} as i where left_id like 'C001087-%' order by left_id",
            r => (r.GetString(0), r.GetString(1)));
        var parsed = _run.Warehouse.Query(
            $"select nickname from {_run.Table("left_clean")} where left_id like 'C001087-%' order by left_id",
            r => r.GetString(0));

        Assert.Equal(
            [
                ("C001087-2012", "Eric A. \"Rick\" Crawford"),
                ("C001087-2014", "Eric A. \"Rick\" Crawford"),
                ("C001087-2016", "Eric A. \"Rick\" Crawford"),
            ],
            names);
        Assert.Equal(["rick", "rick", "rick"], parsed);
    }

    /// <summary>
    /// The legislators fixture with Hudson's three CRM first names Richard "Buddy" in plain (2012), full-width (2014) and
    /// curly (2016) quotes against ballots BUDDY HUDSON, and Crawford's nickname column quoted the same three ways, run once.
    /// </summary>
    public sealed class NicknameRun : IDisposable
    {
        public NicknameRun()
        {
            var fixture = FixtureCopy.Of("legislators");
            var left = fixture.PathOf("data/left.csv");
            File.WriteAllText(left, File.ReadAllText(left)
                .Replace("H001067-2012,H001067,Richard,", "H001067-2012,H001067,\"Richard \"\"Buddy\"\"\",", StringComparison.Ordinal)
                .Replace("H001067-2014,H001067,Richard,", "H001067-2014,H001067,Richard ＂Buddy＂,", StringComparison.Ordinal)
                .Replace("H001067-2016,H001067,Richard,", "H001067-2016,H001067,Richard “Buddy”,", StringComparison.Ordinal)
                .Replace("C001087-2012,C001087,Eric,A.,Crawford,,Rick,", "C001087-2012,C001087,Eric,A.,Crawford,,\"\"\"Rick\"\"\",", StringComparison.Ordinal)
                .Replace("C001087-2014,C001087,Eric,A.,Crawford,,Rick,", "C001087-2014,C001087,Eric,A.,Crawford,,＂Rick＂,", StringComparison.Ordinal)
                .Replace("C001087-2016,C001087,Eric,A.,Crawford,,Rick,", "C001087-2016,C001087,Eric,A.,Crawford,,“Rick”,", StringComparison.Ordinal));
            var right = fixture.PathOf("data/right.csv");
            File.WriteAllText(right, File.ReadAllText(right).Replace("general,RICHARD HUDSON,", "general,BUDDY HUDSON,", StringComparison.Ordinal));
            Run = MatcherRun.Of(fixture);
        }

        internal MatcherRun Run { get; }

        public void Dispose() => Run.Dispose();
    }
}
