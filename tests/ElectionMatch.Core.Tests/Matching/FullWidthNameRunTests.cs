namespace ElectionMatch.Tests.Matching;

/// <summary>
/// Names typed with a Japanese or Chinese input method come in full-width Latin letters (U+FF21–FF5A), a full-width
/// comma and an ideographic space: through a whole run they are the plain names they stand for. Before, the CRM's
/// Ｈｕｄｓｏｎ was quarantined EMQ003 as having "no Latin letter", and the ballot's ＨＵＤＳＯＮ，ＲＩＣＨＡＲＤ too.
/// </summary>
public sealed class FullWidthNameRunTests : IClassFixture<FullWidthNameRunTests.HudsonRun>
{
    private readonly MatcherRun _run;

    public FullWidthNameRunTests(HudsonRun run) => _run = run.Run;

    [Fact]
    public void Full_width_names_on_either_side_link_to_their_plain_counterparts()
    {
        var rows = _run.Warehouse.Query(
            $"""
            select gp_candidacy_id, coalesce(ddhq_candidate, ''), has_match,
                json_extract_string(match_explanation, '$.first_name.level'), json_extract_string(match_explanation, '$.last_name.level')
            from {_run.Table("output")}
            where gp_candidacy_id like 'H001067-%'
            order by gp_candidacy_id
            """,
            r => (r.GetString(0), r.GetString(1), r.GetBoolean(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));

        Assert.Equal(
            [
                ("H001067-2012", "RICHARD HUDSON", true, "exact", "exact"),
                ("H001067-2014", "ＨＵＤＳＯＮ，ＲＩＣＨＡＲＤ", true, "exact", "exact"),
                ("H001067-2016", "ＲＩＣＨＡＲＤ\u3000ＨＵＤＳＯＮ", true, "exact", "exact"),
            ],
            rows);
    }

    [Fact]
    public void Full_width_names_are_not_quarantined()
    {
        var quarantined = _run.Warehouse.Query(
            $"select input, row_number, error_code, message from {_run.Table("quarantine")} where original like '%ＨＵＤＳＯＮ%' or original like '%Ｈｕｄｓｏｎ%'",
            r => $"{r.GetString(0)} {r.GetInt64(1)} {r.GetString(2)} {r.GetString(3)}");

        Assert.Empty(quarantined);
    }

    /// <summary>The legislators fixture with Hudson's 2012 CRM surname and his 2014 and 2016 ballot names full-width, run once.</summary>
    public sealed class HudsonRun : IDisposable
    {
        public HudsonRun()
        {
            var fixture = FixtureCopy.Of("legislators");
            var left = fixture.PathOf("data/left.csv");
            File.WriteAllText(left, File.ReadAllText(left).Replace("H001067-2012,H001067,Richard,,Hudson", "H001067-2012,H001067,Richard,,Ｈｕｄｓｏｎ", StringComparison.Ordinal));
            var right = fixture.PathOf("data/right.csv");
            File.WriteAllText(right, File.ReadAllText(right)
                .Replace("2014-11-04,general,RICHARD HUDSON,", "2014-11-04,general,\"ＨＵＤＳＯＮ，ＲＩＣＨＡＲＤ\",", StringComparison.Ordinal)
                .Replace("2016-11-08,general,RICHARD HUDSON,", "2016-11-08,general,ＲＩＣＨＡＲＤ\u3000ＨＵＤＳＯＮ,", StringComparison.Ordinal));
            Run = MatcherRun.Of(fixture);
        }

        internal MatcherRun Run { get; }

        public void Dispose() => Run.Dispose();
    }
}
