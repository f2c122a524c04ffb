using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Evaluation;

/// <summary>
/// The ids of the lines a CSV reader rejected, as a snapshot's quarantine keeps them (their raw text only, no parsed id),
/// in the temp table <c>em_rejected_ids(input, row_number, id)</c>: the line split with RFC 4180 quoting at the input's
/// delimiter, and the field at the header's position of the id column taken. Only where that field is shown to be the
/// id's: a line with the header's number of fields; one with more or fewer only when the field counted from the end is
/// the same value (the surplus, or the missing field, is then on either side of it). A field of a line that is not UTF-8
/// holding a replaced byte, and a blank field, name no id. A line that cannot be told is left out: evaluate claims nothing of it.
/// </summary>
internal static class RejectedLineIds
{
    public const string Table = "em_rejected_ids";

    /// <summary>Fills <see cref="Table"/> with the rejected lines of both sides whose id can be told; empty when none or when the inputs cannot be read.</summary>
    public static void Load(DuckDbWarehouse warehouse, string? quarantine, EvaluatedInputs? inputs)
    {
        warehouse.Execute($"create or replace temp table {Table} (input varchar, row_number bigint, id varchar)");
        if (quarantine is null || inputs is null)
        {
            return;
        }

        foreach (var (side, csv, id) in new[] { ("left", inputs.LeftCsv, inputs.Left.Id), ("right", inputs.RightCsv, inputs.Right.Id) })
        {
            var lines = warehouse.Query(
                $"select row_number, error_code, json_extract_string(original, '$.csv_line') from {quarantine} where input = {Sql.Literal(side)} and json_extract_string(original, '$.csv_line') is not null",
                r => (Row: r.GetInt64(0), Code: r.GetString(1), Text: r.GetString(2)));
            if (lines.Count == 0 || Header(csv) is not { } header)
            {
                continue;
            }

            var index = header.Names.FindIndex(n => n.Trim().Equals(id, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                continue;
            }

            // One statement per thousand lines: a file with many rejected lines is not a statement per line.
            var rows = lines
                .Select(line => (line.Row, line.Code, Value: IdOf(line.Text, header.Delimiter, index, header.Names.Count)))
                .Where(l => l.Value is { } value && !(l.Code == QuarantineCodes.InvalidUtf8 && (value.Contains('?', StringComparison.Ordinal) || value.Contains('\uFFFD', StringComparison.Ordinal))))
                .Select(l => $"({Sql.Literal(side)}, {l.Row.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {IdText.Of(Sql.Literal(l.Value!))})");
            foreach (var chunk in rows.Chunk(1000))
            {
                warehouse.Execute($"insert into {Table} values {string.Join(", ", chunk)}");
            }
        }
    }

    /// <summary>The field at <paramref name="index"/> of one raw line with <paramref name="fields"/> header names, when it is shown to be that column's; else null.</summary>
    internal static string? IdOf(string text, char delimiter, int index, int fields)
    {
        using var reader = new StreamReader(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)));
        var records = CsvRecords.Read(reader, delimiter, _ => { }).Take(2).ToList();
        if (records is not [var (_, values)] || index >= values.Count)
        {
            return null;
        }

        var value = values[index].Trim();
        var fromEnd = values.Count - (fields - index);
        return value.Length == 0 || (values.Count != fields && (fromEnd < 0 || values[fromEnd].Trim() != value)) ? null : value;
    }

    private static (List<string> Names, char Delimiter)? Header(Lazy<CsvInput?>? csv)
    {
        try
        {
            if (csv?.Value is not { Files: [var first, ..] })
            {
                return null;
            }

            using var reader = CsvRecords.Open(first);
            if (reader.ReadLine() is not { } line)
            {
                return null;
            }

            var delimiter = CsvRecords.Delimiter(line);
            using var header = new StreamReader(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(line)));
            return CsvRecords.Read(header, delimiter, _ => { }).FirstOrDefault() is { Fields: { } names } ? (names, delimiter) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Diagnostics.DiagnosticException or DuckDB.NET.Data.DuckDBException)
        {
            return null; // the input cannot be read now: no rejected line is claimed
        }
    }
}
