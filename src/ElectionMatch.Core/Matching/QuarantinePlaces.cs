using System.Globalization;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// Names the file and line of a quarantined row read from a CSV file or a glob of files, or from a parquet glob. A row's
/// <c>row_number</c> is its place in the whole input, the files one after the other (docs/configuration.md), which is
/// not its line in the file once blank lines, a value that spans lines or a rejected line came before it, and tells a
/// user nothing about where to look in <c>data/hs/part2.csv</c>; so each such row's message ends with its file and line
/// (<c>(data/hs/part2.csv line 11)</c>), or its place in a file whose lines cannot be told (a parquet file's row:
/// <c>(data/pq/part2.parquet, its row 9)</c>). A line the CSV reader rejected already names its file and line, and a
/// table needs nothing: its row number is its place.
/// </summary>
internal static class QuarantinePlaces
{
    private const string FileColumn = "em_file";

    /// <summary>
    /// One warning per quote a CSV file left open (EM0508), at the line it opened on: DuckDB's reader reads the lines
    /// after it into its value up to the next quote, and each of them is quarantined as a line of its own (EMQ009), so
    /// the run names the one line to mend instead of leaving it to be found among many.
    /// </summary>
    public static IReadOnlyList<Diagnostics.Diagnostic> OpenQuotes(DuckDbWarehouse warehouse, string quarantine, string side, string input) =>
        warehouse.Query($"""
            select original->>'file', cast(opened as bigint), count(*), max(cast(original->>'line' as bigint))
            from (
                select *, regexp_extract(message, {Sql.Literal(OpenedQuotePattern)}, 1) as opened
                from {quarantine}
                where input = {Sql.Literal(side)} and error_code = {Sql.Literal(QuarantineCodes.RaggedRow)}
            )
            where opened <> ''
            group by all
            order by all
            """,
            r => Diagnostics.Diagnostic.Warning(Diagnostics.Codes.UnterminatedQuote, new Diagnostics.SourceSpan(r.GetString(0), (int)r.GetInt64(1), 1),
                string.Create(CultureInfo.InvariantCulture,
                    $"a quote opened on line {r.GetInt64(1)} of the {input} is not closed on that line, so the {(r.GetInt64(2) == 1 ? "line after it was" : $"{r.GetInt64(2)} lines after it, to line {r.GetInt64(3)}, were")} read into its value: " +
                    $"{r.GetInt64(2) + 1} lines quarantined (EMQ009); close the quote, or double a quote inside a value (\"\")")));

    // The words of a line read into an open quote's value (CsvInput's per_line), with the line the quote opened on.
    private const string OpenedQuotePattern = CsvInput.SwallowedLineWords + "([0-9]+) ";

    /// <summary>
    /// Adds the file and line (or place) to the messages of <paramref name="side"/>'s quarantined rows in
    /// <paramref name="quarantine"/> (a table of the run), when the input is a CSV file or glob, or a parquet glob, and any
    /// of its read rows were quarantined. Reads the input's files once more to count their rows, only then, and a CSV
    /// file with such rows once more to find each record's line.
    /// </summary>
    /// <returns>The rows named.</returns>
    public static long Name(DuckDbWarehouse warehouse, string quarantine, string side, InputRelation input)
    {
        if (Reader(input) is not { } reader
            || !warehouse.Scalar<bool>($"select exists (select 1 from {quarantine} where input = {Sql.Literal(side)} and {ReadRow})"))
        {
            return 0;
        }

        // count(s), the whole row: a count(*) reads no column, so DuckDB's reader rejects no line (not UTF-8) and counts it.
        var counts = warehouse.Query($"select {FileColumn}, count(s) from {reader} as s group by {FileColumn}", r => (File: r.GetString(0), Rows: r.GetInt64(1)))
            .ToDictionary(c => c.File, c => c.Rows, StringComparer.Ordinal);
        var quarantined = warehouse.Query($"select distinct row_number from {quarantine} where input = {Sql.Literal(side)} and {ReadRow} order by row_number", r => r.GetInt64(0));
        // A repeated id's message names the earlier row it repeats (EMQ002, 'as on left input row 5'): that row's line too.
        var repeated = RepeatedRowPattern(side);
        var earlier = warehouse.Query(
            $"select distinct try_cast(regexp_extract(message, {Sql.Literal(repeated)}, 1) as bigint) as earlier from {quarantine} where input = {Sql.Literal(side)} and error_code = {Sql.Literal(QuarantineCodes.DuplicateId)} and regexp_matches(message, {Sql.Literal(repeated)})",
            r => r.IsDBNull(0) ? 0L : r.GetInt64(0));
        quarantined = [.. quarantined.Union(earlier.Where(e => e > 0)).Order()];
        var places = new List<(long Row, string Place)>();
        var first = 1L;
        foreach (var file in input.LocalFiles(warehouse))
        {
            var rows = counts.GetValueOrDefault(file);
            var inFile = quarantined.Where(q => q >= first && q < first + rows).ToList();
            if (inFile.Count > 0)
            {
                var shown = Display(input, file);
                var lines = input.Csv?.ReadRowLines(file, RejectedLines(warehouse, quarantine, side, shown));
                places.AddRange(inFile.Select(q => (q, lines is { } l && l.Count == rows
                    ? string.Create(CultureInfo.InvariantCulture, $"{shown} line {l[(int)(q - first)]}")
                    : string.Create(CultureInfo.InvariantCulture, $"{shown}, its row {q - first + 1}"))));
            }

            first += rows;
        }

        if (places.Count == 0)
        {
            return 0;
        }

        // The places as a table of the run's connection, joined on the row number: a CASE per row would grow with them.
        const string Places = "em_quarantine_places";
        warehouse.Execute($"create or replace temp table {Places} (row_number bigint, place varchar)");
        foreach (var chunk in places.Chunk(1000))
        {
            warehouse.Execute($"insert into {Places} values {string.Join(", ", chunk.Select(p => $"({p.Row.ToString(CultureInfo.InvariantCulture)}, {Sql.Literal(p.Place)})"))}");
        }

        // The earlier row first, its place after its number ('as on left input row 5 at data/hs.csv line 6'), so the
        // row's own place, added at the message's end below, is not read as the earlier row's.
        warehouse.Execute($"""
            update {quarantine}
            set message = regexp_replace(message, {Sql.Literal(repeated)}, '\0 at ' || (select p.place from {Places} as p where p.row_number = try_cast(regexp_extract({quarantine}.message, {Sql.Literal(repeated)}, 1) as bigint)))
            where input = {Sql.Literal(side)} and error_code = {Sql.Literal(QuarantineCodes.DuplicateId)}
                and try_cast(regexp_extract(message, {Sql.Literal(repeated)}, 1) as bigint) in (select row_number from {Places})
            """);

        // A correlated read, not UPDATE … FROM: DuckDB 1.5's join update recasts the table's JSON column and fails.
        var named = warehouse.Execute($"""
            update {quarantine}
            set message = message || ' (' || (select p.place from {Places} as p where p.row_number = {quarantine}.row_number) || ')'
            where input = {Sql.Literal(side)} and {ReadRow} and row_number in (select row_number from {Places})
            """);
        warehouse.Execute($"drop table {Places}");
        return named;
    }

    // QuarantineCodes.DuplicateIdDetailSql's words for the earlier row, its number captured.
    private static string RepeatedRowPattern(string side) => $", as on {side} input row ([0-9]+)";

    // A row the reader read, not a line it rejected (those are numbered after every read row and name their own line).
    private static string ReadRow =>
        $"error_code not in ({Sql.Literal(QuarantineCodes.InvalidUtf8)}, {Sql.Literal(QuarantineCodes.RaggedRow)}, {Sql.Literal(QuarantineCodes.ValueDoesNotFitColumn)})";

    // The lines of the file the reader rejected, as the quarantine names them (their original's file and line).
    private static HashSet<long> RejectedLines(DuckDbWarehouse warehouse, string quarantine, string side, string file) =>
        [.. warehouse.Query(
            $"select distinct cast(json_extract_string(original, '$.line') as bigint) from {quarantine} where input = {Sql.Literal(side)} and not ({ReadRow}) and json_extract_string(original, '$.file') = {Sql.Literal(file)} and json_extract_string(original, '$.line') is not null",
            r => r.GetInt64(0))];

    // The input read again with each row's file: a CSV file or glob by its own reader (its rejects kept apart from the
    // run's, which quarantine and the input hash read), a parquet glob by the parquet reader. Null for anything else.
    private static string? Reader(InputRelation input)
    {
        if (input.Csv is { } csv)
        {
            return csv.RelationWithRejectsApart("_places", FileColumn);
        }

        return input.Glob is { } glob && glob.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)
            ? $"read_parquet({Sql.Literal(glob)}, filename = {Sql.Literal(FileColumn)})"
            : null;
    }

    private static string Display(InputRelation input, string file) => input.Csv is { } csv ? csv.DisplayOf(file) : Dbt.DisplayPath.For(file);
}
