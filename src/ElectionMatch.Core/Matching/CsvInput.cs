using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// An input read from a CSV file with DuckDB's reject store: a row that cannot be read (a wrong number of fields,
/// invalid UTF-8, a value that does not fit the column's type) is skipped by the reader and kept with its line in
/// <see cref="RejectsTable"/>, so the run quarantines it instead of failing on the whole file.
/// </summary>
/// <param name="Side">left or right; each side has its own reject tables in the run's connection.</param>
/// <param name="DisplayPath">The file as the user wrote it, for messages.</param>
public sealed record CsvInput(string Side, string Path, string DisplayPath)
{
    /// <summary>The files DuckDB's CSV reader is used for; any other external file is read by its own reader.</summary>
    public static bool IsCsv(string path) =>
        new[] { ".csv", ".tsv", ".csv.gz", ".tsv.gz" }.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    public string RejectsTable => "em_rejects_" + Side;

    public string RejectsScanTable => "em_rejects_scan_" + Side;

    public string Relation =>
        $"read_csv({Sql.Literal(Path)}, store_rejects = true, rejects_table = {Sql.Literal(RejectsTable)}, rejects_scan = {Sql.Literal(RejectsScanTable)})";

    /// <summary>
    /// Appends the rejected rows of the latest scan to <paramref name="inputTable"/>, after the rows read, one per line:
    /// the reject code, the file, line and DuckDB's reason as detail, and the raw line as the original.
    /// </summary>
    public string AppendRejectsSql(string inputTable) => $"""
        insert into {inputTable} by name
        with
            latest as (
                select *
                from {RejectsTable}
                where scan_id = (select max(scan_id) from {RejectsScanTable})
            ),

            -- One row per line: an unreadable line can fail several ways; the first that applies names it.
            coded as (
                select
                    line,
                    csv_line,
                    error_message,
                    column_name,
                    case error_type
                        when 'INVALID ENCODING' then {Sql.Literal(QuarantineCodes.InvalidUtf8)}
                        when 'CAST' then {Sql.Literal(QuarantineCodes.ValueDoesNotFitColumn)}
                        else {Sql.Literal(QuarantineCodes.RaggedRow)}
                    end as code,
                    case error_type when 'INVALID ENCODING' then 1 when 'CAST' then 3 else 2 end as priority
                from latest
            ),

            per_line as (
                select line, arg_min(code, priority) as code, arg_min(error_message, priority) as reason, any_value(csv_line) as csv_line
                from coded
                group by line
            )

        select
            (select coalesce(max(row_number), 0) from {inputTable}) + row_number() over (order by line) as row_number,
            code as reject_code,
            {Sql.Literal(DisplayPath)} || ' line ' || line || ': ' || reason as reject_detail,
            json_object('file', {Sql.Literal(DisplayPath)}, 'line', line, 'csv_line', csv_line) as original
        from per_line
        """;
}
