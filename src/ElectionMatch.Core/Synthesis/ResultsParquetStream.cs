using DuckDB.NET.Data;
using DuckDB.NET.Data.DataChunk.Writer;
using ElectionMatch.Warehouse;
using ColumnInfo = DuckDB.NET.Data.ColumnInfo;

namespace ElectionMatch.Synthesis;

/// <summary>
/// Writes DDHQ results rows to parquet straight from the generator: the rows are a DuckDB table
/// function read by <c>copy … to 'x.parquet'</c>, so they are never stored in between (no scratch
/// table, memory flat) and DuckDB encodes parquet while the generator runs.
/// </summary>
internal static class ResultsParquetStream
{
    private const string FunctionName = "em_synth_results";

    private static readonly List<ColumnInfo> Columns =
    [
        new("race_id", typeof(long)),
        new("race_name", typeof(string)),
        new("candidate_id", typeof(long)),
        new("candidate", typeof(string)),
        new("candidate_party", typeof(string)),
        new("is_winner", typeof(bool)),
        new("votes", typeof(long)),
        new("election_date", typeof(DateOnly)),
        new("state", typeof(string)),
        new("election_type", typeof(string)),
        new("office", typeof(string)),
        new("district", typeof(string)),
        new("is_uncontested", typeof(bool)),
    ];

    public static void Write(IEnumerable<ResultRow> rows, ulong estimatedRows, string parquet)
    {
        // DuckDB reports a failure inside the table function as its own error; keep ours to rethrow.
        Exception? failure = null;
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        connection.RegisterTableFunction(
            FunctionName,
            () => new TableFunction(Columns, Guard(rows, e => failure = e), new CardinalityHint(estimatedRows, false)),
            (item, writers, row) => Map((ResultRow)item!, writers, row));
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                set preserve_insertion_order = true;
                copy (select * from {FunctionName}()) to {Sql.Literal(parquet)} (format parquet);
                """;
            command.ExecuteNonQuery();
        }
        catch (DuckDBException) when (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    private static IEnumerable<ResultRow> Guard(IEnumerable<ResultRow> rows, Action<Exception> failed)
    {
        using var enumerator = rows.GetEnumerator();
        while (true)
        {
            try
            {
                if (!enumerator.MoveNext())
                {
                    yield break;
                }
            }
            catch (Exception e)
            {
                failed(e);
                throw;
            }

            yield return enumerator.Current;
        }
    }

    private static void Map(ResultRow r, IDuckDBDataWriter[] writers, ulong row)
    {
        writers[0].WriteValue(r.RaceId, row);
        writers[1].WriteValue(r.RaceName, row);
        writers[2].WriteValue(r.CandidateId, row);
        writers[3].WriteValue(r.Candidate, row);
        writers[4].WriteValue(r.CandidateParty, row);
        writers[5].WriteValue(r.IsWinner, row);
        writers[6].WriteValue(r.Votes, row);
        writers[7].WriteValue(r.ElectionDate, row);
        writers[8].WriteValue(r.State, row);
        writers[9].WriteValue(r.ElectionType, row);
        writers[10].WriteValue(r.Office, row);
        if (r.District is null)
        {
            writers[11].WriteNull(row);
        }
        else
        {
            writers[11].WriteValue(r.District, row);
        }

        writers[12].WriteValue(r.IsUncontested, row);
    }
}
