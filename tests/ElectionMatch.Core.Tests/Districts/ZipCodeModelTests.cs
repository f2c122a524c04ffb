using ElectionMatch.Dbt;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Districts;

/// <summary>
/// The generated zip code models, compiled as check compiles them and run in DuckDB on the fixture, after a run of
/// the L2 → BallotReady match has moved the stable model to a new snapshot (no edit of the models).
/// </summary>
public sealed class ZipCodeModelTests(ZipCodeModelTests.PublishedRun published) : IClassFixture<ZipCodeModelTests.PublishedRun>, IDisposable
{
    // A copy of the run's project per test: two tests add voter-file rows.
    private readonly FixtureCopy _fixture = published.Fixture.Clone();

    public void Dispose() => _fixture.Dispose();

    private List<(string Zip, string State, string Type, string Names)> ZipToDistrict(string where) => Query(
        "int__zip_code_to_l2_district",
        $"select zip_code, state_postal_code, district_type, array_to_string(district_names, '|') from model where {where} order by all",
        r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));

    private List<(string Zip, string State, string Name, long? Position)> ZipToOffice(string where) => Query(
        "int__zip_code_to_br_office",
        $"select zip_code, state_postal_code, district_name, br_database_id from model where {where} order by all",
        r => (r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? (long?)null : r.GetInt64(3)));

    private List<T> Query<T>(string model, string sql, Func<System.Data.Common.DbDataReader, T> read)
    {
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        using var warehouse = DuckDbWarehouse.Open(context.Target.DatabasePath, readOnly: true);
        var relation = context.Resolver(warehouse).Ref(model, Diagnostics.SourceSpan.None);
        return warehouse.Query($"with model as (select * from {relation}) {sql}", read);
    }

    [Fact]
    public void District_names_are_gathered_per_zip_code_state_and_type()
    {
        var council = ZipToDistrict("zip_code = '90012' and district_type = 'City_Council_Commissioner_District'");

        Assert.Equal([("90012", "CA", "City_Council_Commissioner_District", "LOS ANGELES CITY CNCL 01|LOS ANGELES CITY CNCL 04")], council);
    }

    [Fact]
    public void A_four_digit_zip_code_is_padded_to_five()
    {
        Assert.Equal([("02134", "MA", "City", "BOSTON")], ZipToDistrict("state_postal_code = 'MA' and district_type = 'City'"));
        // Inside Massachusetts' range once padded, so it survives the state filter.
        Assert.Single(ZipToOffice("zip_code = '02134' and district_name = 'BOSTON'"));
    }

    [Fact]
    public void A_zip_plus_four_keeps_its_first_five_digits_and_lost_leading_zeros_come_back()
    {
        // As exports write them: ZIP+4 with and without its hyphen, a number that lost its zero (the ZIP+4 too), a float.
        File.AppendAllText(_fixture.PathOf("data/l2/l2_nationwide_uniform.csv"), string.Concat(
            new[] { ("MA", "02134-1234"), ("MA", "021341234"), ("MA", "21341234"), ("MA", "2134.0"), ("CT", "6103-0001"), ("CT", "61030001"), ("MA", "ABCDE"), ("MA", "213412") }
                .Select((v, i) => $"LALZIP{i},{v.Item1},{v.Item2},,,,,,,,CITY {i},,,,,,,,,,,\n")));

        Assert.Equal(
            [("02134", "MA", "City", "BOSTON|CITY 0|CITY 1|CITY 2|CITY 3"), ("06103", "CT", "City", "CITY 4|CITY 5")],
            ZipToDistrict("district_type = 'City' and state_postal_code in ('MA', 'CT')"));
        // Inside Connecticut's range once read right (61030 is no Connecticut zip code), so it reaches the office model.
        Assert.Equal([("06103", "CT", "CITY 4", (long?)null), ("06103", "CT", "CITY 5", (long?)null)], ZipToOffice("state_postal_code = 'CT'"));
    }

    [Fact]
    public void A_number_with_an_exponent_is_read_exactly_and_one_with_a_fraction_is_no_zip_code()
    {
        // A ZIP+4 or zip code stored as a float and exported with an exponent, or with zeros after the point, is its
        // integer; a value with a non-zero fraction is no zip code. Before, every non-digit was dropped: 2.1341234E7
        // became 21341, 6.103E3 61033, 90012.50 00900 and 02134.50 00021, all real-looking zip codes.
        File.AppendAllText(_fixture.PathOf("data/l2/l2_nationwide_uniform.csv"), string.Concat(
            new[] { "2.1341234E7", "2.1341234e+07", "21341234.0", "2134.00", "0.0021341234E10", "6.103E3", "90012.50", "02134.50", "2.13412345E7", "2.1341234E-7", "1E999999999999", "ABCDE" }
                .Select((zip, i) => $"LALZIPF{i},MA,{zip},,,,,,,,FLOAT {i},,,,,,,,,,,\n")));
        // The model as the template renders it now, whatever the committed copy holds.
        new GenerateOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute();

        Assert.Equal(
            [("02134", "MA", "City", "BOSTON|FLOAT 0|FLOAT 1|FLOAT 2|FLOAT 3|FLOAT 4"), ("06103", "MA", "City", "FLOAT 5")],
            ZipToDistrict("district_type = 'City' and state_postal_code = 'MA'"));
    }

    [Fact]
    public void A_value_with_letters_among_its_digits_is_no_zip_code_and_a_space_before_the_plus_four_is_read()
    {
        // A Canadian postal code, a typo and a unit letter, and a cut ZIP+4 (02134-12): before, every non-digit was dropped, and K1A 0B1 became
        // 00101, A2134 and 1234X became 02134 and 01234, the last two inside Massachusetts' range.
        File.AppendAllText(_fixture.PathOf("data/l2/l2_nationwide_uniform.csv"), string.Concat(
            new[] { "K1A 0B1", "A2134", "1234X", "02134-12A4", "02134 1234", "02134-", "02134-12" }
                .Select((zip, i) => $"LALZIPL{i},MA,{zip},,,,,,,,LETTERS {i},,,,,,,,,,,\n")));
        new GenerateOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute();

        Assert.Equal(
            [("02134", "MA", "City", "BOSTON|LETTERS 4|LETTERS 5")],
            ZipToDistrict("district_type = 'City' and state_postal_code = 'MA'"));
        Assert.Empty(ZipToDistrict("array_to_string(district_names, '|') like '%LETTERS 0%' or array_to_string(district_names, '|') like '%LETTERS 1%' or array_to_string(district_names, '|') like '%LETTERS 2%' or array_to_string(district_names, '|') like '%LETTERS 3%'"));
    }

    [Fact]
    public void An_exponent_with_no_digit_before_it_or_zero_is_no_zip_code()
    {
        // Read as numbers, E5 and e3 were 0 × 10⁵ and 0e5 was zero: each became the zip code 00000.
        File.AppendAllText(_fixture.PathOf("data/l2/l2_nationwide_uniform.csv"), string.Concat(
            new[] { "E5", "e3", "0e5", "0.0E2", ".2134E5" }.Select((zip, i) => $"LALZIPE{i},MA,{zip},,,,,,,,EXP {i},,,,,,,,,,,\n")));
        new GenerateOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute();

        Assert.Empty(ZipToDistrict("zip_code = '00000'"));
        Assert.Equal([("21340", "MA", "City", "EXP 4")], ZipToDistrict("array_to_string(district_names, '|') like '%EXP %'"));
    }

    [Fact]
    public void A_state_written_as_its_name_is_read_as_its_postal_code()
    {
        // Before, the state was only upper-cased: California and D.C. matched no range, and their rows were left out
        // of the office model without a word.
        File.AppendAllText(_fixture.PathOf("data/l2/l2_nationwide_uniform.csv"), string.Concat(
            new[] { ("California", "94704"), ("NEW YORK", "10001"), ("d.c.", "20001") }.Select((v, i) => $"LALZIPS{i},{v.Item1},{v.Item2},,,,,,,,STATE NAME {i},,,,,,,,,,,\n")));
        new GenerateOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute();

        Assert.Equal(
            [("10001", "NY", "City", "STATE NAME 1"), ("20001", "DC", "City", "STATE NAME 2"), ("94704", "CA", "City", "BERKELEY|STATE NAME 0")],
            ZipToDistrict("array_to_string(district_names, '|') like '%STATE NAME%'"));
        Assert.Contains(("94704", "CA", "STATE NAME 0", (long?)null), ZipToOffice("zip_code = '94704'"));
    }

    [Fact]
    public void A_column_named_as_a_keyword_is_quoted_in_the_models()
    {
        // Group is a keyword: unquoted, the model did not parse (check: EM0301, syntax error at or near "Group").
        const string Voters = "data/l2/l2_nationwide_uniform.csv";
        _fixture.Write(Voters, _fixture.Read(Voters).Replace("state_postal_code,", "Group,", StringComparison.Ordinal));
        _fixture.Replace("electionmatch.yml", "  state: state_postal_code ", "  state: Group ");
        new GenerateOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute();

        Assert.Contains("cast(\"Group\" as varchar)", _fixture.Read(PublishedRun.DistrictModel), StringComparison.Ordinal);
        Assert.Equal([("90012", "CA", "City_Council_Commissioner_District", "LOS ANGELES CITY CNCL 01|LOS ANGELES CITY CNCL 04")], ZipToDistrict("zip_code = '90012' and district_type = 'City_Council_Commissioner_District'"));
    }

    [Fact]
    public void The_borderlands_a_Missouri_address_in_a_Kansas_zip_code_is_filtered_out()
    {
        Assert.NotEmpty(ZipToDistrict("zip_code = '66103' and state_postal_code = 'MO'"));

        Assert.Empty(ZipToOffice("zip_code = '66103'"));
        // The same district reached from a Missouri zip code keeps its office.
        Assert.Contains(("64106", "MO", "KANSAS CITY CITY CNCL 04", (long?)170600), ZipToOffice("zip_code = '64106'"));
    }

    [Fact]
    public void A_California_district_with_a_Florida_zip_code_is_filtered_out()
    {
        Assert.NotEmpty(ZipToDistrict("zip_code = '33139' and state_postal_code = 'CA'"));

        Assert.Empty(ZipToOffice("zip_code = '33139'"));
        Assert.Contains(("90012", "CA", "LOS ANGELES CITY CNCL 04", (long?)143398), ZipToOffice("zip_code = '90012'"));
    }

    [Fact]
    public void A_new_snapshot_reaches_the_office_model_with_no_edit_to_it()
    {
        // Missouri positions exist only in the new snapshot, which the office model reads through the stable model.
        Assert.Contains(("63101", "MO", "ST LOUIS CITY WARD 08", (long?)170800), ZipToOffice("zip_code = '63101'"));
        Assert.Equal(published.DistrictModelBefore, _fixture.Read(PublishedRun.DistrictModel));
        Assert.Equal(published.OfficeModelBefore, _fixture.Read(PublishedRun.OfficeModel));
        Assert.Contains("ref('stg_model_predictions__llm_l2_br_match_20300701')", _fixture.Read("models/staging/model_predictions_source/stg_model_predictions__llm_l2_br_match.sql"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_office_join_ignores_the_case_of_district_names_and_states()
    {
        // A voter-file row written in lower case, as some state exports are.
        File.AppendAllText(_fixture.PathOf("data/l2/l2_nationwide_uniform.csv"), "LALTX1000009,tx,77010,,,,,,,,,houston city cncl dist c,,,,,,,,,,\n");

        // Texas' Railroad Commissioner too, a statewide office, under every Texas zip code.
        Assert.Equal([("77010", "TX", "TEXAS", (long?)158000), ("77010", "TX", "houston city cncl dist c", (long?)162575)], ZipToOffice("zip_code = '77010'"));
    }

    [Fact]
    public void A_zip_code_in_two_overlapping_ranges_of_its_state_is_kept_once()
    {
        // California's range written as two that overlap on 93000-93999, and Missouri's repeated: a state may have
        // several rows. Before, the range filter was a join, and 93501 came out once per range that holds it.
        const string Ranges = "data/reference/states_zip_code_range.csv";
        var ranges = _fixture.Read(Ranges).Replace("CA,90000,96199\n", "CA,90000,93999\nCA,93000,96199\n", StringComparison.Ordinal);
        var missouri = ranges.Split('\n').Single(l => l.StartsWith("MO,", StringComparison.Ordinal));
        File.WriteAllText(_fixture.PathOf(Ranges), ranges + missouri + "\n");
        File.AppendAllText(_fixture.PathOf("data/l2/l2_nationwide_uniform.csv"), "LALCA1000090,CA,93501,STATE HOUSE 054,,,,,,,,,,,,,,,,,,\n");
        new GenerateOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute();

        // The statewide offices of the whole state too, each once (A_statewide_office_reaches_every_zip_code_of_its_state).
        Assert.Equal(
            [("93501", "CA", "CALIFORNIA", (long?)142588), ("93501", "CA", "CALIFORNIA", (long?)142600), ("93501", "CA", "STATE HOUSE 054", (long?)140944)],
            ZipToOffice("zip_code = '93501'"));
        Assert.Equal([("63101", "MO", "ST LOUIS CITY WARD 08", (long?)170800)], ZipToOffice("zip_code = '63101' and district_name = 'ST LOUIS CITY WARD 08'"));
    }

    [Fact]
    public void District_names_differing_only_in_case_are_one_district_and_one_office_row()
    {
        // The same district written in lower case by another export, its zip code with spaces around it. Before, both
        // spellings were listed, and each joined the office on its lower-cased name: two rows for one office.
        File.AppendAllText(_fixture.PathOf("data/l2/l2_nationwide_uniform.csv"), "LALCA1000091,CA, 90012 ,state house 054,,,,,,,,,,,,,,,,,,\n");
        new GenerateOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute();

        Assert.Equal([("90012", "CA", "State_House", "STATE HOUSE 054")], ZipToDistrict("zip_code = '90012' and district_type = 'State_House'"));
        Assert.Equal([("90012", "CA", "STATE HOUSE 054", (long?)140944)], ZipToOffice("zip_code = '90012' and lower(district_name) = 'state house 054'"));
    }

    [Fact]
    public void A_voter_file_name_the_match_read_as_another_spelling_of_a_district_finds_its_office()
    {
        // AUSTIN CITY CNCL DIST 5 beside AUSTIN CITY CNCL 05 in the district list is one district twice: the match keeps
        // the first and quarantines the other (EMQ301). Before, a voter whose row wrote the other spelling found no
        // office, as the office model joined on the name the match kept.
        File.AppendAllText(_fixture.PathOf("data/airbyte/l2_districts.csv"), "9951,TX,City_Council_Commissioner_District,AUSTIN CITY CNCL DIST 5\n");
        File.AppendAllText(_fixture.PathOf("data/l2/l2_nationwide_uniform.csv"), "LALTX1000010,TX,78701,,,,,,,,,AUSTIN CITY CNCL DIST 5,,,,,,,,,,\n");
        new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory)))
            .Execute(new RunOptions("llm_l2_br_match", new DateOnly(2030, 7, 1), Replace: true) { AllowFutureDate = true });

        Assert.Equal(
            [("78701", "TX", "AUSTIN CITY CNCL 05", (long?)163170), ("78701", "TX", "AUSTIN CITY CNCL DIST 5", (long?)163170)],
            ZipToOffice("zip_code = '78701' and district_name like 'AUSTIN CITY CNCL%'"));
        Assert.Equal(published.OfficeModelBefore, _fixture.Read(PublishedRun.OfficeModel));
    }

    [Fact]
    public void A_statewide_office_reaches_every_zip_code_of_its_state()
    {
        // The Governor of California and California's Secretary of State are linked to CALIFORNIA (type State), which no
        // voter-file column names. Before, the office model joined on the columns alone and carried no statewide office.
        new GenerateOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute();
        var california = ZipToOffice("state_postal_code = 'CA' and district_name <> 'CALIFORNIA'").Select(z => z.Zip).Distinct().Order().ToList();
        var statewide = ZipToOffice("state_postal_code = 'CA' and district_name = 'CALIFORNIA'");

        Assert.NotEmpty(california);
        Assert.Equal(
            california.SelectMany(zip => new[] { (zip, "CA", "CALIFORNIA", (long?)142588), (zip, "CA", "CALIFORNIA", (long?)142600) }).ToList(),
            statewide);
        Assert.Equal(
            ["State"],
            Query("int__zip_code_to_br_office", "select distinct district_type from model where district_name = 'CALIFORNIA'", r => r.GetString(0)));
        // Georgia's Secretary of State, Texas' Railroad Commissioner and Missouri's Auditor too, each in its own state only.
        Assert.Equal(
            [("GA", 149000L), ("MO", 170500L), ("TX", 158000L)],
            Query("int__zip_code_to_br_office", "select distinct state_postal_code, br_database_id from model where district_type = 'State' and state_postal_code <> 'CA' order by all", r => (r.GetString(0), r.GetInt64(1))));
    }

    /// <summary>The committed fixture after the run, made once for the class (the run is most of a test's time).</summary>
    public sealed class PublishedRun : IDisposable
    {
        public const string DistrictModel = "models/intermediate/l2/int__zip_code_to_l2_district.sql";
        public const string OfficeModel = "models/intermediate/l2/int__zip_code_to_br_office.sql";

        public PublishedRun()
        {
            DistrictModelBefore = Fixture.Read(DistrictModel);
            OfficeModelBefore = Fixture.Read(OfficeModel);
            var run = new RunOperation(ProjectContext.Load(new ProjectOptions(Fixture.Directory)))
                .Execute(new RunOptions("llm_l2_br_match", new DateOnly(2030, 7, 1), Replace: false) { AllowFutureDate = true });
            Assert.Equal("llm_l2_br_match_20300701", run.Snapshot.Table);
        }

        public FixtureCopy Fixture { get; } = FixtureCopy.Of("goodparty");

        public string DistrictModelBefore { get; }

        public string OfficeModelBefore { get; }

        public void Dispose() => Fixture.Dispose();
    }
}
