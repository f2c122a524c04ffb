using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests.Districts;

/// <summary>electionmatch.yml for the district match and the zip code models.</summary>
public sealed class DistrictSettingsTests
{
    [Fact]
    public void A_district_match_keeps_spec_000s_top_10_unless_told_otherwise()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("electionmatch.yml", string.Join('\n', fixture.Read("electionmatch.yml").Split('\n').Where(l => !l.Contains("top_k: 10", StringComparison.Ordinal))));

        var settings = ProjectContext.Load(new ProjectOptions(fixture.Directory)).Settings;

        Assert.Equal(10, settings.Match("llm_l2_br_match").TopK);
        Assert.Equal(5, settings.Match("candidacy_ddhq_matches").TopK);
        Assert.Equal(0.95, settings.Match("llm_l2_br_match").Threshold("accept"));
        Assert.Equal(19, settings.ZipCodes!.DistrictTypes.Count);
    }

    [Fact]
    public void Zip_codes_must_read_a_district_match()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var text = fixture.Read("electionmatch.yml").Replace("  match: llm_l2_br_match", "  match: candidacy_ddhq_matches", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", text);
        var line = text.Split('\n').ToList().FindIndex(l => l == "  match: candidacy_ddhq_matches") + 1;

        var error = Assert.Single(Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics);

        Assert.Equal(Codes.InvalidSetting, error.Code);
        Assert.Equal(line, error.Line);
        Assert.Contains("must name a match of kind l2_ballotready; defined: llm_l2_br_match", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zip_codes_say_when_no_district_match_is_defined_rather_than_list_none()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var text = fixture.Read("electionmatch.yml");
        // Without the district match, no match of kind l2_ballotready is left for zip_codes to read.
        var from = text.IndexOf("  # L2 voter-file", StringComparison.Ordinal);
        var to = text.IndexOf("# Zip code ->", StringComparison.Ordinal);
        text = string.Concat(text.AsSpan(0, from), text.AsSpan(to));
        fixture.Write("electionmatch.yml", text);
        var line = text.Split('\n').ToList().FindIndex(l => l == "  match: llm_l2_br_match") + 1;

        var errors = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics;

        var error = Assert.Single(errors, e => e.Line == line);
        Assert.Equal(Codes.InvalidSetting, error.Code);
        Assert.EndsWith("must name a match of kind l2_ballotready; none is defined", error.Message, StringComparison.Ordinal);
    }
}
