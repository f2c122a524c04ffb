using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// A CSV input's column whose <c>data_type</c> the sources YAML declares is read as that type, not as DuckDB's sniffer
/// guesses it from the file: a value that does not fit is its row's quarantine (EMQ010, naming the declaration), and the
/// published type stays the one declared. Before, the sniffer read every row of a small file, one race id that is no
/// number made the whole column text, and the snapshot published it as VARCHAR where the one before had BIGINT (EM0619
/// warned, and downstream joins on it broke). A type DuckDB does not know, or one no CSV column is read as, is EM0029 at
/// the value; a declaration for a column the file lacks is EM0029 as a warning.
/// </summary>
public sealed class DeclaredColumnTypeRunTests : IDisposable
{
    private const string Results = "data/airbyte/ddhq_election_results.csv";
    private const string Location = "          external_location: \"data/airbyte/ddhq_election_results.csv\"\n";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public DeclaredColumnTypeRunTests()
    {
        // Line 3's race id is no number: the sniffer, which reads the whole of a file this small, makes race_id text.
        var lines = _fixture.Read(Results).Split('\n');
        lines[2] = "28x028" + lines[2][lines[2].IndexOf(',', StringComparison.Ordinal)..];
        _fixture.Write(Results, string.Join('\n', lines));
    }

    public void Dispose() => _fixture.Dispose();

    // The results source's columns: block, each (column, data_type) on its own lines (the first data_type on line 27).
    private void Declare(params (string Column, string Type)[] columns) =>
        _fixture.Replace("models/staging/__sources.yaml", Location,
            Location + "        columns:\n" + string.Concat(columns.Select(c => $"          - name: {c.Column}\n            data_type: {c.Type}\n")));

    private CliProcess.Result Run() => CliProcess.RunIn(_fixture.Directory, "run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", ".");

    private string PublishedType(string column)
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        return warehouse.Describe($"select {column} from model_predictions.candidacy_ddhq_matches_20260101").Single().DataType;
    }

    [Fact]
    public void Without_a_declaration_one_race_id_that_is_no_number_makes_the_published_column_text()
    {
        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("quarantined: 0 left, 0 right rows", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("VARCHAR", PublishedType("ddhq_race_id"));
    }

    [Fact]
    public void A_declared_bigint_keeps_the_published_type_and_quarantines_the_row_whose_value_does_not_fit_naming_the_declaration()
    {
        Declare(("race_id", "bigint"));

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("quarantined: 0 left, 1 right rows", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("BIGINT", PublishedType("ddhq_race_id"));
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.Equal(
            "a value on the CSV line does not fit the type its column is read as: data/airbyte/ddhq_election_results.csv line 3: Error when converting column \"race_id\". Could not convert string \"28x028\" to 'BIGINT' (the data_type BIGINT that models/staging/__sources.yaml line 27 declares for it)",
            warehouse.Scalar<string>("select message from model_predictions.candidacy_ddhq_matches_20260101__quarantine where error_code = 'EMQ010'"));
    }

    [Fact]
    public void A_declared_varchar_reads_a_column_of_numbers_as_text()
    {
        // The sniffer types candidate_id BIGINT, which would drop an id's leading zeros.
        Declare(("candidate_id", "varchar"), ("race_id", "int8"));

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal("VARCHAR", PublishedType("ddhq_candidate_id"));
        Assert.Equal("BIGINT", PublishedType("ddhq_race_id"));
    }

    [Fact]
    public void A_data_type_written_with_jinja_is_rendered_as_dbt_renders_it()
    {
        // dbt renders a column's data_type; before, the braces were taken for the type's name and refused (EM0029).
        Declare(("race_id", "\"{{ env_var('EM_TEST_UNSET_RACE_ID_TYPE', 'bigint') }}\""));

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("quarantined: 0 left, 1 right rows", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("BIGINT", PublishedType("ddhq_race_id"));
    }

    [Fact]
    public void A_column_declared_twice_with_two_types_is_EM0029_at_the_second()
    {
        // dbt keeps the last of a column's declarations; before, the reader took the first (VARCHAR) without a word.
        Declare(("race_id", "varchar"), ("RACE_ID", "bigint"));

        var run = Run();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("models/staging/__sources.yaml(29,24): error EM0029: data_type BIGINT of column 'RACE_ID' of source('airbyte_source', 'ddhq_gdrive_election_results') differs from the data_type VARCHAR that models/staging/__sources.yaml line 27 declares for column 'race_id', which DuckDB reads as the same column; declare the column's type once", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20260101.json")));
    }

    [Fact]
    public void A_date_column_declared_timestamp_with_time_zone_is_EM0029_as_its_dates_would_be_read_in_UTC()
    {
        // Before, each +02:00 date was read as the day before, and the temporal filter removed almost every election.
        _fixture.Write(Results, System.Text.RegularExpressions.Regex.Replace(_fixture.Read(Results), @",(\d{4}-\d\d-\d\d),", ",$1T00:00:00+02:00,"));
        Declare(("election_date", "timestamptz"));

        var run = Run();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("models/staging/__sources.yaml(27,24): error EM0029: data_type TIMESTAMP WITH TIME ZONE of column 'election_date' of source('airbyte_source', 'ddhq_gdrive_election_results') (data/airbyte/ddhq_election_results.csv) would read the dates the match takes from it as instants, which keep no offset: '2024-11-05T00:00:00+02:00' would be 4 November, its day in UTC, not the date written; declare it timestamp or date, which read the date written, or varchar", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20260101.json")));
    }

    [Fact]
    public void A_date_column_declared_timestamp_reads_the_date_written()
    {
        _fixture.Write(Results, System.Text.RegularExpressions.Regex.Replace(_fixture.Read(Results), @",(\d{4}-\d\d-\d\d),", ",$1T00:00:00+02:00,"));
        Declare(("election_date", "timestamp"));

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("quarantined: 0 left, 0 right rows", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("(360 rows, 299 matched)", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("race_id", "interval", "INTERVAL", "reads each id as a length of time", "race_id", 38)]
    [InlineData("race_id", "timestamp", "TIMESTAMP", "reads each id as a date or a time", "race_id", 38)]
    [InlineData("race_id", "date", "DATE", "reads each id as a date or a time", "race_id", 38)]
    [InlineData("race_id", "boolean", "BOOLEAN", "keeps of each id only true or false", "race_id", 38)]
    [InlineData("candidate_id", "double", "DOUBLE", "rounds an id of more digits than it holds and publishes each id as a floating number", "id", 35)]
    [InlineData("candidate_id", "real", "FLOAT", "rounds an id of more digits than it holds and publishes each id as a floating number", "id", 35)]
    [InlineData("candidate_id", "\"decimal(10,2)\"", "DECIMAL(10,2)", "publishes each id as a number with a fraction", "id", 35)]
    [InlineData("candidate_id", "blob", "BLOB", "is neither a whole number, text nor a UUID", "id", 35)]
    public void An_identifier_column_declared_a_type_no_identifier_can_be_is_EM0029_at_the_data_type(string column, string declared, string type, string why, string key, int keyLine)
    {
        // Before, DuckDB cast every id it could: race ids declared interval were read and published as lengths of time.
        Declare((column, declared));

        var run = Run();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"models/staging/__sources.yaml(27,24): error EM0029: data_type {type} of column '{column}' of source('airbyte_source', 'ddhq_gdrive_election_results') (data/airbyte/ddhq_election_results.csv) {why}, and the match reads the column as an identifier ({key}: in electionmatch.yml line {keyLine}); declare it an integer type such as bigint, varchar (which keeps an id's leading zeros) or uuid, or remove data_type to let DuckDB's sniffer choose", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20260101.json")));
    }

    [Theory]
    [InlineData("race_id", "hugeint", "HUGEINT")]
    [InlineData("race_id", "uhugeint", "UHUGEINT")]
    [InlineData("race_id", "integer", "INTEGER")]
    [InlineData("race_id", "\"decimal(18,0)\"", "DECIMAL(18,0)")]
    [InlineData("race_id", "\"char(6)\"", "VARCHAR")]
    [InlineData("race_id", "string", "VARCHAR")]
    [InlineData("race_id", "text", "VARCHAR")]
    public void An_identifier_column_declared_a_whole_number_or_text_type_is_read_as_declared(string column, string declared, string published)
    {
        Declare((column, declared));

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        // Line 3's race id, 28x028, fits only text.
        Assert.Contains(published == "VARCHAR" ? "quarantined: 0 left, 0 right rows" : "quarantined: 0 left, 1 right rows", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(published, PublishedType("ddhq_race_id"));
    }

    [Fact]
    public void An_id_column_declared_uuid_is_read_and_published_as_uuids()
    {
        // UUID is a type made for identifiers: accepted, and only a value that is one is read into it.
        _fixture.Write(Results, System.Text.RegularExpressions.Regex.Replace(_fixture.Read(Results), @"(?m)^([^,\n]*,[^,\n""]*,)(\d{7}),", "${1}00000000-0000-4000-8000-00000$2,"));
        Declare(("candidate_id", "uuid"));

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal("UUID", PublishedType("ddhq_candidate_id"));
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.Equal("00000000-0000-4000-8000-000001402004", warehouse.Scalar<string>("select cast(ddhq_candidate_id as varchar) from model_predictions.candidacy_ddhq_matches_20260101 where ddhq_candidate_id = '00000000-0000-4000-8000-000001402004'"));
    }

    [Fact]
    public void The_left_input_id_of_an_l2_ballotready_match_declared_interval_is_EM0029_at_the_data_type()
    {
        const string Positions = "          external_location: \"data/airbyte/ballotready_positions.csv\"\n";
        _fixture.Replace("models/staging/__sources.yaml", Positions, Positions + "        columns:\n          - name: br_database_id\n            data_type: interval\n");

        var run = CliProcess.RunIn(_fixture.Directory, "run", "llm_l2_br_match", "--snapshot-date", "2026-01-01", "--project-dir", ".");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("models/staging/__sources.yaml(32,24): error EM0029: data_type INTERVAL of column 'br_database_id' of source('airbyte_source', 'ballotready_api_position') (data/airbyte/ballotready_positions.csv) reads each id as a length of time, and the match reads the column as an identifier (id: in electionmatch.yml line 64);", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("boolean", "BOOLEAN", "holds no calendar date")]
    [InlineData("interval", "INTERVAL", "holds no calendar date")]
    [InlineData("time", "TIME", "holds no calendar date")]
    [InlineData("bigint", "BIGINT", "reads each date as a number, and a number (20241105) is no date the match reads; it reads the date written at a value's start, 2024-11-05")]
    public void A_date_column_declared_a_type_that_holds_no_date_is_EM0029_at_the_data_type(string declared, string type, string why)
    {
        // Before, every row's date failed the type (EMQ010) or the date (EMQ004) and the run stopped at EM0500, at the
        // source's name, not at the declaration.
        Declare(("election_date", declared));

        var run = Run();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"models/staging/__sources.yaml(27,24): error EM0029: data_type {type} of column 'election_date' of source('airbyte_source', 'ddhq_gdrive_election_results') (data/airbyte/ddhq_election_results.csv) {why}, and the match takes dates from it; declare it date, timestamp or varchar, or remove data_type to let DuckDB's sniffer choose", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_date_column_declared_date_reads_its_dates()
    {
        Declare(("election_date", "date"));

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("(360 rows, 299 matched)", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_refuses_an_identifier_column_declared_interval_as_run_does()
    {
        Declare(("race_id", "interval"));

        var check = CliProcess.RunIn(_fixture.Directory, "check", "--project-dir", ".");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("models/staging/__sources.yaml(27,24): error EM0029: data_type INTERVAL of column 'race_id' of source('airbyte_source', 'ddhq_gdrive_election_results') (data/airbyte/ddhq_election_results.csv) reads each id as a length of time, and the match reads the column as an identifier (race_id: in electionmatch.yml line 38);", check.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_whose_path_the_sniffers_read_cannot_carry_is_still_read_as_declared()
    {
        // The sniffer's written-out read holds the path unquoted, so a path with a quote keeps detection; before, the run
        // read such a file as it did before the sniffer had found its columns, without the declared types.
        const string Quoted = "data/o'x/ddhq_election_results.csv";
        Directory.CreateDirectory(_fixture.PathOf("data/o'x"));
        File.Move(_fixture.PathOf(Results), _fixture.PathOf(Quoted));
        _fixture.Replace("models/staging/__sources.yaml", Location,
            $"          external_location: \"{Quoted}\"\n        columns:\n          - name: race_id\n            data_type: bigint\n          - name: votes\n            data_type: bigint\n");
        // A column the match does not read stays as detected, declared or not: its N/A quarantines nothing.
        _fixture.Write(Quoted, _fixture.Read(Quoted).Replace(",10319,", ",N/A,", StringComparison.Ordinal));

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("quarantined: 0 left, 1 right rows", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("BIGINT", PublishedType("ddhq_race_id"));
    }

    [Fact]
    public void A_type_duckdb_does_not_know_is_EM0029_at_the_data_type_with_its_suggestion()
    {
        Declare(("race_id", "bigintt"));

        var run = Run();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("models/staging/__sources.yaml(27,24): error EM0029: data_type 'bigintt' of column 'race_id' of source('airbyte_source', 'ddhq_gdrive_election_results') is not a type DuckDB knows (Type with name bigintt does not exist! Did you mean \"bigint\"?);", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20260101.json")));
    }

    [Fact]
    public void A_type_written_between_quotes_inside_the_value_is_EM0029_naming_the_type_to_write()
    {
        // YAML's double quotes around SQL's single ones: the value is 'bigint', quotes and all.
        Declare(("race_id", "\"'bigint'\""));

        var run = Run();

        // Before, it was said to be no type a CSV column can be read as, "a list, a struct or a map".
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("models/staging/__sources.yaml(27,24): error EM0029: data_type ''bigint'' of column 'race_id' of source('airbyte_source', 'ddhq_gdrive_election_results') is written between quotes that are part of the value; write the type's name alone, data_type: bigint;", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_type_is_EM0029_as_no_csv_column_is_read_as_one()
    {
        Declare(("race_id", "\"bigint[]\""));

        var run = Run();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("models/staging/__sources.yaml(27,24): error EM0029: data_type 'bigint[]' of column 'race_id' of source('airbyte_source', 'ddhq_gdrive_election_results') is not the name of a type a CSV column can be read as (a list, a struct or a map cannot);", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_declaration_for_a_column_the_file_lacks_is_a_warning_naming_the_column_meant()
    {
        Declare(("race_idd", "bigint"));

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("models/staging/__sources.yaml(27,24): warning EM0029: data_type BIGINT is not used: column 'race_idd' is not in source('airbyte_source', 'ddhq_gdrive_election_results') (data/airbyte/ddhq_election_results.csv); did you mean 'race_id'?", run.Output, StringComparison.Ordinal);
        Assert.Equal("VARCHAR", PublishedType("ddhq_race_id"));
    }

    [Fact]
    public void Check_warns_for_a_declaration_of_a_column_the_file_lacks_as_run_does()
    {
        // Before, only run said it: check, the pull request's gate, passed without a word on the misspelt name.
        Declare(("race_idd", "bigint"));

        var check = CliProcess.RunIn(_fixture.Directory, "check", "--project-dir", ".");

        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("models/staging/__sources.yaml(27,24): warning EM0029: data_type BIGINT is not used: column 'race_idd' is not in source('airbyte_source', 'ddhq_gdrive_election_results') (data/airbyte/ddhq_election_results.csv); did you mean 'race_id'?", check.Output, StringComparison.Ordinal);
    }
}
