using DuckDB.NET.Data;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Synthesis;

/// <summary>
/// Streams generated rows into a scratch DuckDB database through appenders (the fastest way in),
/// then copies each table to a parquet file. The scratch file lives in the temp directory and is
/// deleted afterwards; DuckDB spills to it, so memory stays flat however many rows there are.
/// </summary>
internal sealed class SynthTableSink : IDisposable
{
    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"em-synth-{Environment.ProcessId}-{Guid.NewGuid():N}.duckdb");
    private readonly DuckDBConnection _connection;
    private DuckDBAppender? _candidacies;
    private DuckDBAppender? _results;

    public SynthTableSink()
    {
        _connection = new DuckDBConnection($"DataSource={_databasePath}");
        _connection.Open();
        Execute("""
            set memory_limit = '256MB';
            set preserve_insertion_order = true;

            create table hubspot_candidacy (
                gp_candidacy_id varchar,
                hubspot_contact_id bigint,
                first_name varchar,
                last_name varchar,
                state varchar,
                candidate_office varchar,
                official_office_name varchar,
                office_level varchar,
                district varchar,
                party_affiliation varchar,
                primary_election_date date,
                general_election_date date,
                runoff_election_date date
            );

            create table ddhq_election_results (
                race_id bigint,
                race_name varchar,
                candidate_id bigint,
                candidate varchar,
                candidate_party varchar,
                is_winner boolean,
                votes bigint,
                election_date date,
                state varchar,
                election_type varchar,
                office varchar,
                district varchar,
                is_uncontested boolean
            );
            """);
        _candidacies = _connection.CreateAppender("hubspot_candidacy");
        _results = _connection.CreateAppender("ddhq_election_results");
    }

    public void Append(SynthContest contest)
    {
        var candidacies = _candidacies ?? throw new InvalidOperationException("the tables were already copied out");
        var results = _results!;
        foreach (var c in contest.Candidacies)
        {
            candidacies.CreateRow()
                .AppendValue(c.GpCandidacyId)
                .AppendValue(c.HubspotContactId)
                .AppendValue(c.FirstName)
                .AppendValue(c.LastName)
                .AppendValue(c.State)
                .AppendValue(c.CandidateOffice)
                .AppendValue(c.OfficialOfficeName)
                .AppendValue(c.OfficeLevel)
                .AppendValue(c.District)
                .AppendValue(c.PartyAffiliation)
                .AppendValue(c.PrimaryElectionDate)
                .AppendValue(c.GeneralElectionDate)
                .AppendValue(c.RunoffElectionDate)
                .EndRow();
        }

        foreach (var r in contest.Results)
        {
            results.CreateRow()
                .AppendValue(r.RaceId)
                .AppendValue(r.RaceName)
                .AppendValue(r.CandidateId)
                .AppendValue(r.Candidate)
                .AppendValue(r.CandidateParty)
                .AppendValue(r.IsWinner)
                .AppendValue(r.Votes)
                .AppendValue(r.ElectionDate)
                .AppendValue(r.State)
                .AppendValue(r.ElectionType)
                .AppendValue(r.Office)
                .AppendValue(r.District)
                .AppendValue(r.IsUncontested)
                .EndRow();
        }
    }

    /// <summary>Closes the appenders and writes both tables as parquet, in the order the rows were generated.</summary>
    public void CopyTo(string candidacyParquet, string resultsParquet)
    {
        CloseAppenders();
        Execute($"""
            copy hubspot_candidacy to {Sql.Literal(candidacyParquet)} (format parquet);
            copy ddhq_election_results to {Sql.Literal(resultsParquet)} (format parquet);
            """);
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void CloseAppenders()
    {
        _candidacies?.Dispose();
        _results?.Dispose();
        _candidacies = null;
        _results = null;
    }

    public void Dispose()
    {
        CloseAppenders();
        _connection.Dispose();
        foreach (var path in new[] { _databasePath, _databasePath + ".wal" })
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // A scratch file the OS cleans up with the temp directory.
            }
        }

        var spill = _databasePath + ".tmp";
        if (Directory.Exists(spill))
        {
            Directory.Delete(spill, recursive: true);
        }
    }
}
