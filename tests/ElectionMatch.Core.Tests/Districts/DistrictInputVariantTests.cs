using ElectionMatch.Matches.L2BallotReady;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>
/// The L2 → BallotReady match on inputs written as real exports write them, beyond the fixture's cases: district
/// numbers abbreviated or spelt out on either side, the same district listed twice under two ids, a position with
/// no state, and a judge's choice below <c>judge_accept</c>. Each test runs the matcher in-process on its own copy
/// of the committed fixture, changed as the test says.
/// </summary>
public sealed class DistrictInputVariantTests
{
    // BallotReady positions with no sub-area, so the number is read from the name alone.
    private const string PositionsWithNumbersInTheName = """
        900001,x,Los Angeles City Council - Dist. 04,CA,city,City Legislature,,,4
        900002,x,Los Angeles City Council District #4,CA,city,City Legislature,,,4
        900003,x,Los Angeles City Council - District Four,CA,city,City Legislature,,,4
        900004,x,Los Angeles City Council Dist 1,CA,city,City Legislature,,,4
        900005,x,St. Louis Board of Aldermen - 8th Ward,MO,city,City Legislature,,,4
        900006,x,Harris County Commissioners Court - Pct. 4,TX,county,County Legislature,,,3
        900007,x,Los Angeles City Council - District No.4,CA,city,City Legislature,,,4
        900008,x,Springfield City Council - Ward 8,IL,city,City Legislature,Ward,8,4
        900009,x,Springfield City Council - Ward 4,IL,city,City Legislature,Ward,4,4
        900010,x,Los Angeles City Council - District 11A,CA,city,City Legislature,,,4
        900011,x,Los Angeles City Council - District 4A,CA,city,City Legislature,,,4
        900012,x,Los Angeles City Council - District 4th,CA,city,City Legislature,,,4

        """;

    // L2 district names with a Roman numeral or a number sign.
    private const string DistrictsWithNumbersWrittenOtherwise = """
        2001,IL,State,ILLINOIS
        2002,IL,City,SPRINGFIELD
        2003,IL,City_Ward,SPRINGFIELD CITY WARD VIII
        2004,IL,City_Ward,SPRINGFIELD CITY CNCL DIST #4
        2005,CA,City_Council_Commissioner_District,LOS ANGELES CITY CNCL 11A

        """;

    private static (FixtureCopy Fixture, DuckDbWarehouse Warehouse) RunOn(Action<FixtureCopy> change)
    {
        var fixture = FixtureCopy.AsCommitted("goodparty");
        change(fixture);
        var warehouse = DuckDbWarehouse.Open(fixture.PathOf("target/district-variants.duckdb"));
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        var settings = context.Settings.Match(DistrictMatcherRun.Match);
        var inputs = new RunOperation(context).ResolveInputs(warehouse, settings);
        new L2BallotReadyMatcher(warehouse, settings, RunSchema.For(DistrictMatcherRun.Match)) { Threads = 2 }.Run(inputs);
        return (fixture, warehouse);
    }

    private static string Table(string stage) => RunSchema.For(DistrictMatcherRun.Match).Table(stage);

    private static string? Linked(DuckDbWarehouse warehouse, long position) => warehouse.Scalar<string>(
        $"select cast(l2_district_id as varchar) from {Table("output")} where br_database_id = {position} and is_matched");

    [Fact]
    public void District_numbers_abbreviated_or_spelt_out_are_read_on_both_sides()
    {
        var (fixture, warehouse) = RunOn(f =>
        {
            File.AppendAllText(f.PathOf("data/airbyte/ballotready_positions.csv"), PositionsWithNumbersInTheName);
            File.AppendAllText(f.PathOf("data/airbyte/l2_districts.csv"), DistrictsWithNumbersWrittenOtherwise);
        });
        using (fixture)
        using (warehouse)
        {
            var positions = warehouse.Query(
                $"select left_id, district_number from {Table("left_clean")} where left_id like '9000%' order by left_id",
                r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)));
            var districts = warehouse.Query(
                $"select right_id, district_number from {Table("right_clean")} where right_id in ('2003', '2004', '2005') order by right_id",
                r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)));

            Assert.Equal(
                [
                    ("900001", "4"), ("900002", "4"), ("900003", "4"), ("900004", "1"), ("900005", "8"), ("900006", "4"), ("900007", "4"),
                    ("900008", "8"), ("900009", "4"), ("900010", "11a"), ("900011", "4a"), ("900012", null),
                ],
                positions);
            Assert.Equal([("2003", "8"), ("2004", "4"), ("2005", "11a")], districts);
        }
    }

    [Fact]
    public void A_council_seat_whose_number_is_abbreviated_takes_its_district_not_the_whole_city()
    {
        var (fixture, warehouse) = RunOn(f =>
        {
            File.AppendAllText(f.PathOf("data/airbyte/ballotready_positions.csv"), PositionsWithNumbersInTheName);
            File.AppendAllText(f.PathOf("data/airbyte/l2_districts.csv"), DistrictsWithNumbersWrittenOtherwise);
        });
        using (fixture)
        using (warehouse)
        {
            // Read as no number, these took LOS ANGELES (1110), ST LOUIS (1742) and TRAVIS (1611) as if at large, or nothing.
            Assert.Equal("1071", Linked(warehouse, 900001)); // Dist. 04 → LOS ANGELES CITY CNCL 04
            Assert.Equal("1071", Linked(warehouse, 900002)); // District #4
            Assert.Equal("1071", Linked(warehouse, 900003)); // District Four
            Assert.Equal("1073", Linked(warehouse, 900004)); // Dist 1 → LOS ANGELES CITY CNCL 01
            Assert.Equal("1733", Linked(warehouse, 900005)); // 8th Ward → ST LOUIS CITY WARD 08
            Assert.Equal("1522", Linked(warehouse, 900006)); // Pct. 4 → HARRIS CNTY COMM PCT 4
            Assert.Equal("2003", Linked(warehouse, 900008)); // Ward 8 → SPRINGFIELD CITY WARD VIII
            Assert.Equal("2004", Linked(warehouse, 900009)); // Ward 4 → SPRINGFIELD CITY CNCL DIST #4
            Assert.Equal("2005", Linked(warehouse, 900010)); // District 11A → LOS ANGELES CITY CNCL 11A
            Assert.NotEqual("1071", Linked(warehouse, 900011)); // District 4A is not District 4
        }
    }

    [Fact]
    public void A_seat_whose_district_number_cannot_be_read_is_not_taken_for_an_at_large_seat()
    {
        var (fixture, warehouse) = RunOn(f => File.AppendAllText(f.PathOf("data/airbyte/ballotready_positions.csv"), PositionsWithNumbersInTheName));
        using (fixture)
        using (warehouse)
        {
            // "District 4th" names a district whose number the reader cannot read; an unnumbered council seat is elected
            // at large and takes the whole city, but this one is not unnumbered.
            Assert.Null(Linked(warehouse, 900012)); // not LOS ANGELES (1110), the whole city
            Assert.Equal("1388", Linked(warehouse, 154950)); // Savannah's at-large post still takes the whole city
        }
    }

    [Fact]
    public void A_district_listed_again_under_another_id_is_quarantined_and_its_positions_still_link()
    {
        var (fixture, warehouse) = RunOn(f =>
            File.AppendAllText(f.PathOf("data/airbyte/l2_districts.csv"), "2011,CA,City_Council_Commissioner_District,Oakland City Cncl 02 \n"));
        using (fixture)
        using (warehouse)
        {
            var quarantined = warehouse.Query(
                $"select input, error_code, message from {Table("quarantine")}",
                r => (r.GetString(0), r.GetString(1), r.GetString(2)));

            var (input, code, message) = Assert.Single(quarantined);
            Assert.Equal(("right", QuarantineCodes.RepeatedDistrict), (input, code));
            Assert.Contains("district 1093 has the same state, type and name", message, StringComparison.Ordinal);
            // Kept, the two tied for Oakland's District 2 and the judge, unsure, answered 0.
            Assert.Equal("1093", Linked(warehouse, 144850));
        }
    }

    [Fact]
    public void A_position_with_a_blank_state_is_quarantined_as_blank_not_as_misspelt()
    {
        var (fixture, warehouse) = RunOn(f =>
            File.AppendAllText(f.PathOf("data/airbyte/ballotready_positions.csv"), "900103,x,California State Assembly - District 15,,state,State Representative,District,15,2\n"));
        using (fixture)
        using (warehouse)
        {
            var message = warehouse.Scalar<string>($"select message from {Table("quarantine")} where error_code = '{QuarantineCodes.UnknownState}'");

            Assert.NotNull(message);
            Assert.Contains("column state is blank", message, StringComparison.Ordinal);
            Assert.DoesNotContain("column state = ", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_judge_choice_below_judge_accept_is_unlinked_with_its_confidence_in_no_district()
    {
        var (fixture, warehouse) = RunOn(f => f.Write("electionmatch.yml", f.Read("electionmatch.yml").Replace(
            "    retrieval:\n      top_k: 10",
            "    thresholds:\n      judge_accept: 95\n    retrieval:\n      top_k: 10",
            StringComparison.Ordinal)));
        using (fixture)
        using (warehouse)
        {
            // Savannah's at-large post takes the whole city at the rule judge's 90, under 95.
            var row = warehouse.Query(
                $"select is_matched, confidence, cast(match_explanation->'selection'->>'selection_confidence' as integer), llm_reason from {Table("output")} where br_database_id = 154950",
                r => (Matched: r.GetBoolean(0), Confidence: r.GetInt32(1), Judge: r.GetInt32(2), Reason: r.GetString(3))).Single();

            Assert.False(row.Matched);
            Assert.Equal(90, row.Judge);
            Assert.Equal(10, row.Confidence);
            Assert.StartsWith("judge did not accept (confidence below 95)", row.Reason, StringComparison.Ordinal);
        }
    }
}
