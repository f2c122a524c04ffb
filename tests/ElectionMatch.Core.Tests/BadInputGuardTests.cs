using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>The small guards behind the bad-input corpus (tests/corpus), checked on many inputs at unit speed.</summary>
public sealed class BadInputGuardTests
{
    [Theory]
    [InlineData("read_csv('a.csv')")]
    [InlineData("read_csv('a.csv', header = true, delim = ';')")]
    [InlineData("  read_parquet(['a.parquet', 'b.parquet'], union_by_name = true)  ")]
    [InlineData("read_csv('it''s; fine -- really.csv')")]
    [InlineData("read_csv('a.csv); drop table t; --')")] // all one string literal: a strange file name, not a statement
    [InlineData("main.read_json(\"x)y.json\")")]
    public void One_table_function_call_is_accepted_as_an_external_location(string location) =>
        Assert.True(TableFunctionCall.IsSingleCall(location));

    [Theory]
    [InlineData("read_csv('a.csv'); drop table t")]
    [InlineData("read_csv('a.csv') -- comment")]
    [InlineData("read_csv('a.csv' /* comment */)")]
    [InlineData("read_csv('a.csv') union all select * from secrets")]
    [InlineData("(select 1)")]
    [InlineData("read_csv('a.csv'")]
    [InlineData("read_csv('a.csv')); drop table t; --")]
    [InlineData("1read_csv('a.csv')")]
    public void Anything_more_than_one_call_is_refused(string location) =>
        Assert.False(TableFunctionCall.IsSingleCall(location));

    [Fact]
    public void A_match_quarantine_block_overrides_the_top_level_one_key_by_key()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var settings = fixture.Read("electionmatch.yml")
            .Replace("engine:\n", "quarantine:\n  max_text_length: 200\n  warn_share: 0.2\n\nengine:\n", StringComparison.Ordinal)
            .Replace("    kind: l2_ballotready\n", "    kind: l2_ballotready\n    quarantine:\n      warn_share: 0.5\n", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", settings);

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal(new Settings.QuarantineSettings(200, 0.2), context.Settings.Match("candidacy_ddhq_matches").Quarantine);
        Assert.Equal(new Settings.QuarantineSettings(200, 0.5), context.Settings.Match("llm_l2_br_match").Quarantine);
    }

    [Fact]
    public void Without_a_quarantine_block_the_cap_is_1000_characters_and_check_warns_above_5_percent()
    {
        using var fixture = FixtureCopy.Of("goodparty");

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal(new Settings.QuarantineSettings(1000, 0.05), context.Settings.Match("llm_l2_br_match").Quarantine);
    }
}
