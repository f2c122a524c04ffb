using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>
/// Position and district names typed with a Japanese or Chinese input method, in full-width letters and digits
/// (U+FF01–FF5E) and an ideographic space: their place words and numbers are read as those of the plain spelling, so each
/// links where the plain spelling links, and is published as written. Before, such a name passed quarantine but named no
/// place and no number: ＡＵＳＴＩＮ … ＤＩＳＴＲＩＣＴ ５ was not linked to AUSTIN CITY CNCL 05, nor Los Angeles District 1 to
/// ＬＯＳ ＡＮＧＥＬＥＳ ＣＩＴＹ ＣＮＣＬ ０１. One run, read by every test.
/// </summary>
public sealed class FullWidthDistrictNameRunTests(FullWidthDistrictNameRunTests.Run run) : IClassFixture<FullWidthDistrictNameRunTests.Run>
{
    private const string FullWidthAustin = "ＣＩＴＹ ＯＦ ＡＵＳＴＩＮ ＣＯＵＮＣＩＬ ＤＩＳＴＲＩＣＴ ５";
    private const string FullWidthLosAngeles = "ＬＯＳ ＡＮＧＥＬＥＳ ＣＩＴＹ ＣＮＣＬ ０１";
    private const string FullWidthCityCouncil = "Ｃｉｔｙ＿Ｃｏｕｎｃｉｌ＿Ｃｏｍｍｉｓｓｉｏｎｅｒ＿Ｄｉｓｔｒｉｃｔ";

    private static string Table(string stage) => RunSchema.For(DistrictMatcherRun.Match).Table(stage);

    private string? Linked(long position) => run.Warehouse.Scalar<string>(
        $"select cast(l2_district_id as varchar) from {Table("output")} where br_database_id = {position} and is_matched");

    [Theory]
    [InlineData(163_170)] // the fixture's Austin City Council - District 5, sub-area District 5
    [InlineData(900_300)] // its full-width spelling, sub-area full-width too
    [InlineData(900_301)] // its full-width spelling, no sub-area: the number is the name's
    [InlineData(900_302)] // ＣＩＴＹ ＯＦ ＡＵＳＴＩＮ ＣＯＵＮＣＩＬ ＤＩＳＴＲＩＣＴ ５
    [InlineData(900_303)] // CITY OF AUSTIN COUNCIL DISTRICT 5, its plain spelling
    [InlineData(900_304)] // its plain spelling in state ＴＸ, level ｃｉｔｙ
    public void A_full_width_position_links_to_the_district_its_plain_spelling_links_to(long position) =>
        Assert.Equal("1549", Linked(position));

    [Fact]
    public void A_full_width_positions_place_words_and_number_are_the_plain_spellings_and_its_name_is_published_as_written()
    {
        var read = run.Warehouse.Query(
            $"select left_id, district_number, array_to_string(place_words, ' ') from {Table("left_clean")} where left_id in ('900302', '900303') order by left_id",
            r => (r.GetString(0), r.GetString(1), r.GetString(2)));
        Assert.Equal([("900302", "5", "austin"), ("900303", "5", "austin")], read);
        Assert.Equal(FullWidthAustin, run.Warehouse.Scalar<string>($"select name from {Table("output")} where br_database_id = 900302"));
    }

    [Fact]
    public void A_full_width_district_is_linked_as_its_plain_spelling_was_and_published_as_written()
    {
        // DistrictMatcherTests: Los Angeles City Council - District 1 → LOS ANGELES CITY CNCL 01, Houston ISD District IV
        // → HOUSTON ISD TRUSTEE DIST 4. Here the two districts' names are full-width.
        Assert.Equal("1073", Linked(143_300));
        Assert.Equal("1601", Linked(165_529));
        Assert.Equal(FullWidthLosAngeles, run.Warehouse.Scalar<string>($"select l2_district_name from {Table("output")} where br_database_id = 143300"));
        Assert.Equal(
            [("1073", "1", "angeles los")],
            run.Warehouse.Query(
                $"select right_id, district_number, array_to_string(list_sort(place_words), ' ') from {Table("right_clean")} where right_id = '1073'",
                r => (r.GetString(0), r.GetString(1), r.GetString(2))));
    }

    [Fact]
    public void A_full_width_spelling_of_a_district_is_a_repeat_of_it()
    {
        var quarantined = run.Warehouse.Query(
            $"select error_code, message from {Table("quarantine")} where input = 'right' and original like '%5999%'",
            r => (r.GetString(0), r.GetString(1)));

        var (code, message) = Assert.Single(quarantined);
        Assert.Equal(QuarantineCodes.RepeatedDistrict, code);
        Assert.Contains("district 1549 (AUSTIN CITY CNCL 05) is the one used", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_width_state_and_level_of_a_position_are_read_as_their_plain_spelling()
    {
        var read = run.Warehouse.Query(
            $"select left_id, state, level, office_kind from {Table("left_clean")} where left_id in ('900303', '900304') order by left_id",
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));

        Assert.Equal(2, read.Count);
        Assert.Equal(("TX", "city"), (read[1].Item2, read[1].Item3));
        Assert.Equal(read[0] with { Item1 = "900304" }, read[1]);
    }

    [Fact]
    public void A_full_width_state_and_district_type_are_read_as_their_plain_spelling_and_the_type_published_as_written()
    {
        var read = run.Warehouse.Query(
            $"select right_id, state, district_kind, district_type, district_number from {Table("right_clean")} where right_id in ('1549', '5997') order by right_id",
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4)));

        Assert.Equal(
            [
                ("1549", "TX", read[0].Item3, "City_Council_Commissioner_District", "5"),
                ("5997", "TX", read[0].Item3, FullWidthCityCouncil, "11"),
            ],
            read);
        Assert.Equal(QuarantineCodes.RepeatedDistrict, run.Warehouse.Scalar<string>($"select error_code from {Table("quarantine")} where input = 'right' and original like '%5998%'"));
    }

    [Fact]
    public void A_district_number_joined_to_a_fraction_reads_no_district_and_does_not_link_to_the_number_its_fold_would_make()
    {
        // NFKC folds ½ to 1⁄2: District 4½ read as 41 once folded (4 before), and linked AUSTIN CITY CNCL 41.
        var read = run.Warehouse.Query(
            $"select left_id, coalesce(district_number, ''), names_number from {Table("left_clean")} where left_id in ('900305', '900306') order by left_id",
            r => (r.GetString(0), r.GetString(1), r.GetBoolean(2)));

        Assert.Equal([("900305", "", true), ("900306", "", true)], read);
        Assert.Null(Linked(900_305));
        Assert.Null(Linked(900_306));
    }

    /// <summary>
    /// The goodparty fixture with Austin's council district 5 asked for in full-width positions, two districts renamed
    /// full-width, a full-width repeat of AUSTIN CITY CNCL 05, a position and two districts whose state (ＴＸ), level or
    /// district type is full-width, and a district 4½ (with AUSTIN CITY CNCL 41, which its fold once read as), matched once.
    /// </summary>
    public sealed class Run : IDisposable
    {
        public Run()
        {
            (Fixture, Warehouse) = DistrictInputVariantTests.RunOn(f =>
            {
                File.AppendAllText(f.PathOf("data/airbyte/ballotready_positions.csv"), $"""
                    900300,X,Ａｕｓｔｉｎ Ｃｉｔｙ Ｃｏｕｎｃｉｌ － Ｄｉｓｔｒｉｃｔ ５,TX,city,City Legislature,Ｄｉｓｔｒｉｃｔ,５,4
                    900301,X,Ａｕｓｔｉｎ　Ｃｉｔｙ　Ｃｏｕｎｃｉｌ　－　Ｄｉｓｔｒｉｃｔ　５,TX,city,City Legislature,,,4
                    900302,X,{FullWidthAustin},TX,city,City Legislature,,,4
                    900303,X,CITY OF AUSTIN COUNCIL DISTRICT 5,TX,city,City Legislature,,,4
                    900304,X,CITY OF AUSTIN COUNCIL DISTRICT 5,ＴＸ,ｃｉｔｙ,City Legislature,,,4
                    900305,X,Austin City Council - District 4½,TX,city,City Legislature,,,4
                    900306,X,Austin City Council - District 4 1/2,TX,city,City Legislature,,,4

                    """);
                var districts = f.PathOf("data/airbyte/l2_districts.csv");
                var text = File.ReadAllText(districts);
                Assert.Contains("\n1073,CA,City_Council_Commissioner_District,LOS ANGELES CITY CNCL 01\n", text, StringComparison.Ordinal);
                Assert.Contains("\n1601,TX,School_Board_District,HOUSTON ISD TRUSTEE DIST 4\n", text, StringComparison.Ordinal);
                File.WriteAllText(districts, text
                    .Replace(",LOS ANGELES CITY CNCL 01\n", $",{FullWidthLosAngeles}\n", StringComparison.Ordinal)
                    .Replace(",HOUSTON ISD TRUSTEE DIST 4\n", ",ＨＯＵＳＴＯＮ ＩＳＤ ＴＲＵＳＴＥＥ ＤＩＳＴ ４\n", StringComparison.Ordinal)
                    + "5999,TX,City_Council_Commissioner_District,ＡＵＳＴＩＮ ＣＩＴＹ ＣＮＣＬ ０５\n"
                    + $"5998,ＴＸ,{FullWidthCityCouncil},AUSTIN CITY CNCL 05\n"
                    + $"5997,ＴＸ,{FullWidthCityCouncil},AUSTIN CITY CNCL 11\n"
                    + "5996,TX,City_Council_Commissioner_District,AUSTIN CITY CNCL 41\n");
            });
        }

        public FixtureCopy Fixture { get; }

        internal DuckDbWarehouse Warehouse { get; }

        public void Dispose()
        {
            Warehouse.Dispose();
            Fixture.Dispose();
        }
    }
}
