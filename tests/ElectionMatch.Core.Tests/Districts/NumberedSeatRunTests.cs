using System.Globalization;
using System.Text;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>
/// Seats whose number a position's name writes as a Roman numeral past XX, or under a sub-area its board elects by
/// ("Trustee Area", "Region"). Before: Ward XXI read no number, so the seat was taken for at-large and linked to the
/// whole city; a Trustee Area was linked to the whole school district beside its own district; and among forty wards
/// the embedding's n-grams, which cannot tell that XIV is 14, did not bring the right ward into the candidates. One run,
/// read by every test.
/// </summary>
public sealed class NumberedSeatRunTests(NumberedSeatRunTests.Run run) : IClassFixture<NumberedSeatRunTests.Run>
{
    private const int Wards = 40;

    private static string Table(string stage) => RunSchema.For(DistrictMatcherRun.Match).Table(stage);

    private string? Linked(long position) => run.Warehouse.Scalar<string>(
        $"select cast(l2_district_id as varchar) from {Table("output")} where br_database_id = {position} and is_matched");

    private static string Roman(int n) =>
        new[] { "", "X", "XX", "XXX", "XL" }[n / 10] + new[] { "", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX" }[n % 10];

    [Fact]
    public void Every_ward_written_in_roman_numerals_is_linked_to_its_own_ward()
    {
        // The fixture's ST LOUIS CITY WARD 08 is 1733; the others are appended as 5000 + n.
        var wrong = Enumerable.Range(1, Wards)
            .Select(n => (Ward: Roman(n), Expected: n == 8 ? "1733" : (5000 + n).ToString(CultureInfo.InvariantCulture), Linked: Linked(900_000 + n)))
            .Where(w => w.Linked != w.Expected)
            .ToList();
        Assert.Empty(wrong);
        Assert.Equal(
            ["21", "40"],
            run.Warehouse.Query($"select district_number from {Table("left_clean")} where left_id in ('900021', '900040') order by left_id", r => r.GetString(0)));
    }

    [Fact]
    public void A_number_written_in_letters_is_queried_in_digits_too_and_one_written_in_digits_is_not()
    {
        Assert.Equal(
            ["race name: St. Louis Board of Aldermen - Ward XIV (14)", "race name: Berkeley Unified School District Board of Education - Trustee Area 3"],
            run.Warehouse.Query($"select embedding_queried_term from {Table("left_clean")} where left_id in ('900014', '900100') order by left_id", r => r.GetString(0)));
    }

    [Theory]
    [InlineData(900_100)] // sub-area Trustee Area, 3
    [InlineData(900_101)] // the name's "Region 3", no sub-area
    [InlineData(900_102)] // the name's "Area 3", no sub-area
    public void A_trustee_area_or_region_is_a_district_not_the_whole_school_district(long position) =>
        Assert.Equal("3001", Linked(position));

    [Fact]
    public void A_district_written_as_the_letter_l_or_c_stays_a_letter()
    {
        Assert.Equal(
            ["c", "l"],
            run.Warehouse.Query($"select district_number from {Table("left_clean")} where left_id in ('900103', '900104') order by left_id", r => r.GetString(0)));
    }

    /// <summary>The fixture with forty St. Louis wards, Berkeley's trustee area 3, and positions for them appended, matched once.</summary>
    public sealed class Run() : AppendedRowsRun(Positions(), Districts())
    {
        private static string Positions()
        {
            var lines = new StringBuilder();
            for (var n = 1; n <= Wards; n++)
            {
                lines.Append(CultureInfo.InvariantCulture, $"{900_000 + n},X,St. Louis Board of Aldermen - Ward {Roman(n)},MO,city,City Legislature,Ward,{Roman(n)},4\n");
            }

            return lines + """
                900100,X,Berkeley Unified School District Board of Education - Trustee Area 3,CA,local,Local School Board,Trustee Area,3,4
                900101,X,Berkeley Unified School District Board of Education - Region 3,CA,local,Local School Board,,,4
                900102,X,Berkeley Unified School District Board of Education - Area 3,CA,local,Local School Board,,,4
                900103,X,Houston City Council - District C,TX,city,City Legislature,District,C,4
                900104,X,Houston City Council - District L,TX,city,City Legislature,District,L,4

                """;
        }

        private static string Districts()
        {
            var lines = new StringBuilder();
            foreach (var n in Enumerable.Range(1, Wards).Where(n => n != 8))
            {
                lines.Append(CultureInfo.InvariantCulture, $"{5000 + n},MO,City_Ward,ST LOUIS CITY WARD {n:00}\n");
            }

            return lines + "3001,CA,School_Board_District,BERKELEY UNIFIED TRUSTEE AREA 3\n";
        }
    }
}
