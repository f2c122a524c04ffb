using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// Names the file of a quarantined row read from a glob of files. A row's <c>row_number</c> is its place in the whole
/// input, the files one after the other (docs/configuration.md), which tells a user nothing about where to look in
/// <c>data/hs/part2.csv</c>; so each such row's message ends with its file and its place there
/// (<c>(data/hs/part2.csv, its row 9)</c>). A line the CSV reader rejected already names its file and line, and a
/// single file or a table needs nothing: its row number is its place.
/// </summary>
internal static class QuarantinePlaces
{
    private const string FileColumn = "em_file";

    /// <summary>
    /// Adds the file and place to the messages of <paramref name="side"/>'s quarantined rows in <paramref name="quarantine"/>
    /// (a table of the run), when the input is a glob and any of its read rows were quarantined. Reads the input's files
    /// once more to count their rows, only then.
    /// </summary>
    /// <returns>The rows named.</returns>
    public static long Name(DuckDbWarehouse warehouse, string quarantine, string side, InputRelation input)
    {
        if (Reader(input) is not { } reader
            || !warehouse.Scalar<bool>($"select exists (select 1 from {quarantine} where input = {Sql.Literal(side)} and {ReadRow})"))
        {
            return 0;
        }

        var counts = warehouse.Query($"select {FileColumn}, count(*) from {reader} group by {FileColumn}", r => (File: r.GetString(0), Rows: r.GetInt64(1)))
            .ToDictionary(c => c.File, c => c.Rows, StringComparer.Ordinal);
        var places = new List<string>();
        var first = 1L;
        foreach (var file in input.LocalFiles(warehouse))
        {
            var rows = counts.GetValueOrDefault(file);
            if (rows > 0)
            {
                places.Add($"when row_number between {first} and {first + rows - 1} then {Sql.Literal(Display(input, file))} || ', its row ' || (row_number - {first - 1})");
            }

            first += rows;
        }

        return places.Count == 0 ? 0 : warehouse.Execute($"""
            update {quarantine}
            set message = message || ' (' || case {string.Join(" ", places)} end || ')'
            where input = {Sql.Literal(side)} and {ReadRow} and row_number < {first}
            """);
    }

    // A row the reader read, not a line it rejected (those are numbered after every read row and name their own line).
    private static string ReadRow =>
        $"error_code not in ({Sql.Literal(QuarantineCodes.InvalidUtf8)}, {Sql.Literal(QuarantineCodes.RaggedRow)}, {Sql.Literal(QuarantineCodes.ValueDoesNotFitColumn)})";

    // The input read again with each row's file: a CSV glob by its own reader (its rejects kept apart from the run's,
    // which quarantine and the input hash read), a parquet glob by the parquet reader. Null for anything else.
    private static string? Reader(InputRelation input)
    {
        if (input.Csv is { IsGlob: true } csv)
        {
            var read = csv.Relation
                .Replace(Sql.Literal(csv.RejectsTable), Sql.Literal(csv.RejectsTable + "_places"), StringComparison.Ordinal)
                .Replace(Sql.Literal(csv.RejectsScanTable), Sql.Literal(csv.RejectsScanTable + "_places"), StringComparison.Ordinal);
            return read.EndsWith(')') ? $"{read[..^1]}, filename = {Sql.Literal(FileColumn)})" : null;
        }

        return input.Glob is { } glob && glob.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)
            ? $"read_parquet({Sql.Literal(glob)}, filename = {Sql.Literal(FileColumn)})"
            : null;
    }

    private static string Display(InputRelation input, string file) => input.Csv is { } csv ? csv.DisplayOf(file) : Dbt.DisplayPath.For(file);
}
