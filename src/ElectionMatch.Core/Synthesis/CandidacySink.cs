using DuckDB.NET.Data;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Synthesis;

/// <summary>
/// Collects the HubSpot candidacies in a scratch DuckDB database through an appender while the
/// results stream past, then copies them to a parquet file. The scratch file lives in the folder synth
/// builds the project in and is deleted afterwards; DuckDB spills to it, so memory stays flat. A synth
/// that is killed leaves it there, and the next synth removes that folder whole.
/// </summary>
internal sealed class CandidacySink : IDisposable
{
    private readonly string _databasePath;
    private readonly DuckDBConnection _connection;
    private DuckDBAppender? _candidacies;

    /// <param name="directory">The folder the project is built in (<see cref="SynthProjectWriter.PartialDirectory"/>).</param>
    public CandidacySink(string directory)
    {
        _databasePath = Path.Combine(directory, "candidacies.scratch.duckdb");
        _connection = new DuckDBConnection($"DataSource={_databasePath}");
        _connection.Open();
        Execute("""
            set memory_limit = '128MB';
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
            """);
        _candidacies = _connection.CreateAppender("hubspot_candidacy");
    }

    public void Append(SynthContest contest)
    {
        var candidacies = _candidacies ?? throw new InvalidOperationException("the candidacies were already copied out");
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
    }

    /// <summary>Closes the appender and writes the table as parquet, in the order the rows were generated.</summary>
    public void CopyTo(string parquet)
    {
        CloseAppender();
        Execute($"copy hubspot_candidacy to {Sql.Literal(parquet)} (format parquet)");
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void CloseAppender()
    {
        _candidacies?.Dispose();
        _candidacies = null;
    }

    public void Dispose()
    {
        CloseAppender();
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
