using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// <c>date_format:</c> on a CSV input reads its dates in the order given, with the reject store kept: a US export whose
/// days are all 12 or less (EM0026 without it) is matched with its dates read month first, and a value that does not
/// fit the format is quarantined with its file, line and column. Before, the only way out of EM0026 was a
/// <c>read_csv(…, dateformat = …)</c> location, which reads without the store (one bad line fails the run). The same for
/// timestamps with <c>timestamp_format:</c>: before, a TIMESTAMP column of either order had no key at all.
/// </summary>
public sealed class DateFormatRunTests : IDisposable
{
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";
    private const string Header = "gp_candidacy_id,hubspot_contact_id,first_name,last_name,state,candidate_office,official_office_name,office_level,district,party_affiliation,primary_election_date,general_election_date,runoff_election_date\n";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    // time: written after every date (" 00:00:00" makes them timestamps), not after gpc-000249's primary date.
    private void WriteCandidacies(string gpc000249PrimaryDate, string time = "") => _fixture.Write(Candidacies, Header + $"""
        gpc-000144,80703262532,Ramona,Gonzales,MA,Judge,Worcester County District Court Judge - Seat 28,county,28,Independent,,11/05/2024{time},
        gpc-000153,672709366,William,Harris,TX,City Council,Plano City Council - District 4,local,4,Nonpartisan,03/05/2024{time},11/05/2024{time},
        gpc-000223,22971779359,Hannah,Jackson,CA,County Supervisor,Santa Clara County Board of Supervisors - District 4,county,4,Nonpartisan,03/05/2024{time},11/05/2024{time},
        gpc-000249,57266544477,Dolores,Jones,KS,School Board,Wichita Board of Education - District 6,local,6,Independent,{gpc000249PrimaryDate},11/05/2024{time},
        gpc-000251,81355192635,Elizabeth,Ortiz,NC,School Board,"Charlotte Board of Education, District 7",local,7,Nonpartisan,03/05/2024{time},11/05/2024{time},

        """);

    private void SetDateFormat(string format, string key = "date_format") => _fixture.Replace("electionmatch.yml",
        "      relation: source('airbyte_source', 'hubspot_api_candidacy')\n",
        $"      relation: source('airbyte_source', 'hubspot_api_candidacy')\n      {key}: \"{format}\"\n");

    private CliProcess.Result Run() => CliProcess.RunIn(_fixture.Directory, "run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", ".");

    [Theory]
    [InlineData("date_format", "%m/%d/%Y", "")]
    [InlineData("timestamp_format", "%m/%d/%Y %H:%M:%S", " 00:00:00")]
    public void Month_first_values_that_also_read_day_first_are_matched_month_first_with_the_inputs_format(string key, string format, string time)
    {
        WriteCandidacies("08/06/2024" + time, time);
        SetDateFormat(format, key);

        var run = Run();

        // Before, for timestamps EM0026 stopped the run whatever the input said: timestamp_format was an unknown key, and
        // date_format left the timestamps' order to the sniffer.
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("quarantined: 0 left, 0 right rows", run.Stdout, StringComparison.Ordinal);
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        var dates = warehouse.Query(
            "select distinct cast(hubspot_election_date as varchar) from model_predictions.candidacy_ddhq_matches_20260101 order by 1",
            r => r.GetString(0));
        // Read day first, 03/05 and 11/05 would be 3 May and 11 May.
        Assert.Equal(["2024-03-05", "2024-11-05"], dates);
    }

    [Theory]
    [InlineData("date_format", "%m/%d/%Y", "")]
    [InlineData("timestamp_format", "%m/%d/%Y %H:%M:%S", " 00:00:00")]
    public void A_value_written_in_the_format_in_a_column_of_no_date_role_is_read_as_text(string key, string format, string time)
    {
        WriteCandidacies("08/06/2024" + time, time);
        // The district of one candidacy written as a date: before, the format read the whole district column as dates,
        // and the four other candidacies' districts (28, 4, 4, 6) were rejects, each quarantined EMQ010.
        _fixture.Replace(Candidacies, "local,7,Nonpartisan", $"local,11/05/2024{time},Nonpartisan");
        SetDateFormat(format, key);

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("quarantined: 0 left, 0 right rows", run.Stdout, StringComparison.Ordinal);
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.Equal(5L, warehouse.Scalar<long>("select count(distinct gp_candidacy_id) from model_predictions.candidacy_ddhq_matches_20260101"));
    }

    [Theory]
    [InlineData("date_format", "%m/%d/%Y", "", "DATE", "a date")]
    [InlineData("timestamp_format", "%m/%d/%Y %H:%M:%S", " 00:00:00", "TIMESTAMP", "a timestamp")]
    public void A_value_that_does_not_fit_the_format_quarantines_its_row_with_file_line_and_column(string key, string format, string time, string type, string value)
    {
        // In the sniffer's sample: before the column was typed from the format, one such value left it text, every date unread.
        WriteCandidacies("TBD", time);
        SetDateFormat(format, key);

        var run = Run();

        Assert.True(run.ExitCode == 0, run.Output);
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        var quarantined = warehouse.Query(
            "select error_code, message from model_predictions.candidacy_ddhq_matches_20260101__quarantine where input = 'left'",
            r => (Code: r.GetString(0), Message: r.GetString(1)));
        var row = Assert.Single(quarantined);
        Assert.Equal("EMQ010", row.Code);
        Assert.Contains($"data/airbyte/hubspot_candidacy.csv line 5: Error when converting column \"primary_election_date\". Could not convert string \"TBD\" to '{type}'", row.Message, StringComparison.Ordinal);
        Assert.EndsWith($"({value} in the input's {key}, {format})", row.Message, StringComparison.Ordinal);
        Assert.Equal(4L, warehouse.Scalar<long>("select count(distinct gp_candidacy_id) from model_predictions.candidacy_ddhq_matches_20260101 where has_match"));
    }
}
