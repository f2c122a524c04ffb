using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// An input read from a CSV file, or a glob of them, with DuckDB's reject store: a row that cannot be read (a wrong
/// number of fields, invalid UTF-8, a value that does not fit the column's type) is skipped by the reader and kept with
/// its file and line in <see cref="RejectsTable"/>, so the run quarantines it instead of failing on the whole input.
/// </summary>
/// <param name="Side">left or right; each side has its own reject tables in the run's connection.</param>
/// <param name="Path">The file, or a glob's pattern (<c>data/hs/*.csv</c>), in full.</param>
/// <param name="DisplayPath">The file or pattern as the user wrote it, for messages.</param>
public sealed record CsvInput(string Side, string Path, string DisplayPath)
{
    /// <summary>
    /// The files read, in the order DuckDB reads them: <see cref="Path"/>, or the files a glob matched when it was
    /// resolved (<see cref="Warehouse.DuckDbWarehouse.Glob"/>). The first names the columns of them all.
    /// </summary>
    public IReadOnlyList<string> Files { get; init; } = [Path];

    /// <summary>Whether <see cref="Path"/> is a glob (<see cref="Warehouse.DuckDbWarehouse.IsGlob"/>).</summary>
    public bool IsGlob => Warehouse.DuckDbWarehouse.IsGlob(Path);

    /// <summary>The files DuckDB's CSV reader is used for; any other external file is read by its own reader.</summary>
    public static bool IsCsv(string path) =>
        new[] { ".csv", ".tsv", ".csv.gz", ".tsv.gz", ".csv.zst", ".tsv.zst" }.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    public string RejectsTable => "em_rejects_" + Side;

    /// <summary>The input's <c>encoding:</c> (latin-1, utf-16), given to every read; null reads UTF-8.</summary>
    public string? Encoding { get; init; }

    public string RejectsScanTable => "em_rejects_scan_" + Side;

    /// <summary>
    /// The reader with the dialect and column types its sniffer found, written out (set by <see cref="Sniff"/>): every
    /// later read of the file skips sniffing. Null reads with detection each time.
    /// </summary>
    public string? Sniffed { get; init; }

    public string Relation => WithoutSurplusFieldRows(Sniffed ?? AutoDetected);

    /// <summary>
    /// The columns the sniffer found, with their types: those <see cref="Sniffed"/> reads, and those a detecting read
    /// finds when the input keeps detection (the same sniffer, given the same options). Empty when the file could not be
    /// sniffed. Before, an input that kept detection had none, so its id's type was unknown and a text id was not trimmed.
    /// </summary>
    public IReadOnlyList<Warehouse.ColumnInfo> SniffedColumns { get; init; } = [];

    // A read with detection still takes the declared types of the columns the sniffer found (DuckDB's types option
    // refuses a name the file lacks): a header or path the written-out read cannot carry keeps the declaration too.
    private string AutoDetected =>
        DeclaredOf(SniffedColumns.Select(c => c.Name), ReadColumns).ToList() is { Count: > 0 } declared
            ? $"{Reader(Path)[..^1]}, types = {{{string.Join(", ", declared.Select(d => $"{Sql.Literal(d.Name)}: {Sql.Literal(d.Declared.Type)}"))}}})"
            : Reader(Path);

    // Every read of the file (the run's, its sniffed read, verify's rehash) goes through this reader, so all see the
    // same columns and types.
    private string Reader(string path) =>
        $"read_csv({Sql.Literal(path)}, comment = '', store_rejects = true, rejects_table = {Sql.Literal(RejectsTable)}, rejects_scan = {Sql.Literal(RejectsScanTable)}, auto_type_candidates = {TypeCandidates}{(Encoding is { } e ? ", encoding = " + Sql.Literal(e) : "")}{(DateFormat is { } f ? ", dateformat = " + Sql.Literal(f) : "")}{(TimestampFormat is { } t ? ", timestampformat = " + Sql.Literal(t) : "")})";

    /// <summary>
    /// The input's <c>date_format:</c> (<c>%m/%d/%Y</c>), given to every read: the sniffer then reads dates in that order
    /// only, and <see cref="DatesOfEitherOrder"/> has nothing to ask. Null lets the sniffer find the format.
    /// </summary>
    public string? DateFormat { get; init; }

    /// <summary>
    /// The input's <c>timestamp_format:</c> (<c>%m/%d/%Y %H:%M:%S</c>), given to every read as <c>timestampformat</c>: as
    /// <see cref="DateFormat"/> for the columns the sniffer types TIMESTAMP. Null lets the sniffer find the format.
    /// </summary>
    public string? TimestampFormat { get; init; }

    /// <summary>
    /// The <c>data_type</c> the sources YAML declares for the input's columns, each as DuckDB names the type
    /// (<see cref="RelationResolver"/> checks them): <see cref="Sniff"/> reads each such column the match reads or keeps
    /// as that type, whatever the sniffer guessed from the file's first rows. So a value that does not fit is its row's
    /// quarantine (EMQ010) instead of turning the whole column into text and changing the published type (EM0619), and a
    /// column of zip codes or ids declared <c>varchar</c> keeps its leading zeros.
    /// </summary>
    public IReadOnlyList<Dbt.DeclaredColumnType> DeclaredTypes { get; init; } = [];

    // The columns the match reads or keeps, as Sniff was given them (null for all): only these are read as declared.
    private IReadOnlyCollection<string>? ReadColumns { get; init; }

    /// <summary>The <c>data_type</c> declared for a column, named in any case (one column to DuckDB), or null.</summary>
    public Dbt.DeclaredColumnType? DeclaredFor(string column) =>
        DeclaredTypes.FirstOrDefault(d => string.Equals(d.Column, column, StringComparison.OrdinalIgnoreCase));

    // The declarations of the header's columns (as the header spells them) that are read as typed (all when typed is null).
    private IEnumerable<(string Name, Dbt.DeclaredColumnType Declared)> DeclaredOf(IEnumerable<string> names, IReadOnlyCollection<string>? typed) =>
        names.Where(n => typed is null || typed.Contains(n, StringComparer.OrdinalIgnoreCase))
            .Select(n => (Name: n, Declared: DeclaredFor(n)))
            .Where(x => x.Declared is not null)
            .Select(x => (x.Name, x.Declared!));

    // The formats the input sets, each with the type of the columns it reads and the key that sets it.
    private IEnumerable<(string Format, TemporalFormat Kind)> GivenFormats =>
        new[] { (DateFormat, TemporalFormat.Date), (TimestampFormat, TemporalFormat.Timestamp) }
            .Where(f => f.Item1 is not null).Select(f => (f.Item1!, f.Item2));

    /// <summary>
    /// This input's read with its reject store in tables of their own (<paramref name="suffix"/> after the run's names):
    /// a read made beside the run's (to count a glob's rows per file, to try its kept columns' types) leaves the run's
    /// rejects, which the quarantine and the input hash take from the latest scan, as they were.
    /// </summary>
    /// <param name="filename">When given, each row also has its file in a column of this name (DuckDB's <c>filename</c>).</param>
    public string RelationWithRejectsApart(string suffix, string? filename = null)
    {
        var read = (Sniffed ?? AutoDetected)
            .Replace(Sql.Literal(RejectsTable), Sql.Literal(RejectsTable + suffix), StringComparison.Ordinal)
            .Replace(Sql.Literal(RejectsScanTable), Sql.Literal(RejectsScanTable + suffix), StringComparison.Ordinal);
        return WithoutSurplusFieldRows(filename is null ? read : $"{read[..^1]}, filename = {Sql.Literal(filename)})");
    }

    /// <summary>
    /// The records DuckDB's reader reads as rows though they have one field more than the header, the last one empty
    /// (<see cref="SurplusFieldRow"/>): left out of every read of the input, and quarantined as ragged rows (EMQ009) with
    /// the lines the reader rejects. Found by <see cref="WithSurplusFieldRowsApart"/>.
    /// </summary>
    internal IReadOnlyList<SurplusFieldRow> SurplusFieldRows { get; init; } = [];

    // The read without the rows of SurplusFieldRows, by their place among the rows it reads (as the input's row_number).
    private string WithoutSurplusFieldRows(string read) =>
        SurplusFieldRows.Count == 0
            ? read
            : $"(select * exclude ({ReadRowColumn}) from (select *, row_number() over () as {ReadRowColumn} from {read}) where {ReadRowColumn} not in ({string.Join(", ", SurplusFieldRows.Select(r => r.Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture)))}))";

    private const string ReadRowColumn = "em_read_row";

    /// <summary>
    /// This input with the records that have one field more than the header, the last one empty, set apart
    /// (<see cref="SurplusFieldRows"/>). DuckDB's reader takes such a line's last delimiter for a trailing one and reads
    /// the line, so a value holding an unquoted delimiter on a line whose last field is blank (no runoff date) shifted
    /// every field after it, and the row was used with a party for its primary date; the same value on a line whose last
    /// field is not blank is the reader's reject (EMQ009). A file none of whose lines ends in its delimiter (the common
    /// case) costs one pass over its text; only one that has such a line is parsed (RFC 4180) and read once more by
    /// DuckDB, with its rejects apart, to place the records among the rows read. When every record of the input ends so
    /// (an export that writes a delimiter after every row's last field), the fields are where the header says, and the
    /// input is read as before.
    /// </summary>
    public CsvInput WithSurplusFieldRowsApart(DuckDbWarehouse warehouse)
    {
        if (Sniffed is null || !HeaderFound || Files.Count == 0 || !Files.Any(AnyLineEndsInDelimiter))
        {
            return this;
        }

        var records = Files.Select(Records).ToList();
        var data = records.SelectMany(r => r.Skip(1)).ToList();
        if (!data.Any(r => r.Surplus) || data.All(r => r.Surplus))
        {
            return this;
        }

        // The lines the reader rejects (every column read, so every cast made), which it reads no row for.
        const string Suffix = "_surplus";
        var (rejects, scans) = (RejectsTable + Suffix, RejectsScanTable + Suffix);
        warehouse.Execute($"select {string.Join(", ", SniffedColumns.Select(c => $"count({Sql.Identifier(c.Name)})"))} from {RelationWithRejectsApart(Suffix)}");
        var rejected = warehouse.Query(
            $"""
            select distinct s.file_path, {CsvLines.Function}(s.file_path, cast(line_byte_position + length(csv_line) - length(ltrim(csv_line, chr(13) || chr(10))) as bigint))
            from {Sql.Identifier(rejects)} as r
            join {Sql.Identifier(scans)} as s using (scan_id, file_id)
            where r.scan_id = (select max(scan_id) from {Sql.Identifier(scans)})
            """,
            r => (File: r.GetString(0), Line: r.IsDBNull(1) ? -1 : r.GetInt64(1))).ToHashSet();

        var surplus = new List<SurplusFieldRow>();
        var ordinal = 0L;
        for (var i = 0; i < Files.Count; i++)
        {
            var header = records[i].FirstOrDefault().Fields;
            foreach (var record in records[i].Skip(1).Where(r => !rejected.Contains((Files[i], r.Line))))
            {
                ordinal++;
                if (record.Surplus)
                {
                    surplus.Add(new SurplusFieldRow(Files[i], i, record.Line, "", ordinal, header));
                }
            }
        }

        return surplus.Count == 0
            ? this
            : this with { SurplusFieldRows = [.. surplus.GroupBy(s => s.FileIndex).SelectMany(g => WithText(Files[g.Key], g, records[g.Key]))] };
    }

    // Each record of a file: the line it starts on, its number of fields, the lines it spans, and whether it has one
    // field more than the file's first record (its header), the last one empty.
    private List<(long Line, int Fields, int Lines, bool Surplus)> Records(string file)
    {
        using var reader = Open(file, Encoding);
        var found = new List<(long Line, int Fields, int Lines, bool Surplus)>();
        foreach (var (line, fields) in CsvRecords.Read(reader, Delimiter, _ => { }))
        {
            var surplus = found.Count > 0 && fields.Count == found[0].Fields + 1 && fields[^1].Length == 0;
            found.Add((line, fields.Count, 1 + fields.Sum(f => f.Count(c => c == '\n')), surplus));
        }

        return found;
    }

    // The records' text as written (their lines, joined by LF).
    private IEnumerable<SurplusFieldRow> WithText(string file, IEnumerable<SurplusFieldRow> rows, List<(long Line, int Fields, int Lines, bool Surplus)> records)
    {
        var spans = records.ToDictionary(r => r.Line, r => r.Lines);
        var wanted = rows.ToList();
        var texts = new Dictionary<long, List<string>>();
        var last = wanted.Max(r => r.Line + spans[r.Line] - 1);
        using var reader = Open(file, Encoding);
        var at = 0L;
        while (at < last && reader.ReadLine() is { } text)
        {
            at++;
            foreach (var row in wanted.Where(r => at >= r.Line && at < r.Line + spans[r.Line]))
            {
                if (!texts.TryGetValue(row.Line, out var lines))
                {
                    texts[row.Line] = lines = [];
                }

                lines.Add(text);
            }
        }

        return wanted.Select(r => r with { Text = string.Join('\n', texts.GetValueOrDefault(r.Line) ?? []) });
    }

    // Whether a line of the file (its text in the input's encoding) ends in the delimiter: one pass, line ends found
    // vectorised, that most files finish without finding one.
    private bool AnyLineEndsInDelimiter(string file)
    {
        var delimiter = Delimiter;
        using var reader = Open(file, Encoding);
        var buffer = new char[1 << 16];
        var previous = '\0';
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            for (var i = span.IndexOfAny('\n', '\r'); i >= 0; i = span[(i + 1)..].IndexOfAny('\n', '\r') is var next and >= 0 ? i + 1 + next : -1)
            {
                if ((i > 0 ? span[i - 1] : previous) == delimiter)
                {
                    return true;
                }
            }

            previous = span[^1];
        }

        return previous == delimiter;
    }

    /// <summary>
    /// The types the sniffer may give a column: DuckDB's own candidates but TIMESTAMP WITH TIME ZONE. A column of zoned
    /// timestamps (<c>2026-11-03T00:00:00+02:00</c>) is read as its text: as an instant it keeps no offset, and its date
    /// in UTC is the day before the date written (<see cref="InputDate"/> reads the written one). Every other column is
    /// typed as before: the sniffer orders the candidates itself, and adds VARCHAR and NULL to any list.
    /// </summary>
    internal const string TypeCandidates = "['BOOLEAN', 'BIGINT', 'DOUBLE', 'TIME', 'DATE', 'TIMESTAMP', 'VARCHAR']";

    /// <summary>
    /// This input with the sniffer's findings written into its reader, found once for the run. A run reads each input
    /// several times (its columns, whether it has rows, the repeated ids, the rows, the input hash), and DuckDB's reader
    /// sniffs the file on every read: with the reject store 70-120 ms each for the fixture's 300- and 857-row files,
    /// 0-10 ms with the options given. DuckDB's <c>sniff_csv</c>, given the same options as the reader, returns the read
    /// it would make (<c>Prompt</c>): the same sample, so the same delimiter, quoting, header, types and date format.
    /// The prompt writes names and the path between quotes without escaping them, so it is used only when it reads back
    /// the columns the sniffer found (names and types, which are what a detecting read describes); otherwise, and for a
    /// file the sniffer cannot read, the input keeps detection and its reads fail or succeed as they always did, with the
    /// reader's own messages. <c>sniff_csv</c> refuses a glob: its first file is sniffed, and the read it finds is made
    /// of the glob, as DuckDB's detecting read of a glob takes the first file's dialect and columns for every file.
    /// </summary>
    /// <param name="typed">
    /// The columns the match reads (its id, mapped and kept columns; null for all): only these keep the sniffer's type,
    /// every other column is read as text (VARCHAR), so a value no column of the match reads (a word in a vote count)
    /// cannot make the reader reject its line and quarantine the row. Before, every column was typed.
    /// </param>
    /// <remarks>
    /// A typed column the sniffer typed DOUBLE though every value of it is an integer written out is read as its text:
    /// DuckDB types an integer past BIGINT's range (20 digits) DOUBLE, which keeps about 16 of them, so ids that differ
    /// only after that were one id, repeats of each other (EMQ002), two races one contest, and a kept column was published
    /// with other digits than the file's. A column with a value written with a fraction (an id <c>1402844.0</c>, a share
    /// 0.25) stays DOUBLE, and an id is published by its integral value as before (<see cref="IdText"/>).
    /// </remarks>
    /// <param name="dated">
    /// The columns mapped to date roles (<see cref="Settings.InputSettings.DateColumns"/>): the only ones the input's
    /// <c>date_format:</c> (<c>timestamp_format:</c>) reads as dates when the sniffer left them text. Before, every
    /// column of <paramref name="typed"/> holding one value written in the format was read so, and its other values
    /// (a district's <c>4</c>) were rejects: every such row quarantined.
    /// </param>
    public CsvInput Sniff(DuckDbWarehouse warehouse, IReadOnlyCollection<string>? typed = null, IReadOnlyCollection<string>? dated = null)
    {
        const string From = "FROM ";
        if (Files is not [var first, ..])
        {
            return this;
        }

        var found = this;
        try
        {
            var (prompt, names, types) = SniffedPrompt(warehouse, Reader(first)["read_csv(".Length..^1]);
            found = this with
            {
                SniffedColumns = [.. names.Zip(types, (name, type) => new Warehouse.ColumnInfo(name, type))],
                HeaderFound = prompt is null || !prompt.Contains(" header=false,", StringComparison.Ordinal),
                ReadColumns = typed,
            };
            var read = ReadOfPrompt(prompt, first);
            var sniffedFile = From + "read_csv(" + Sql.Literal(first);
            if (read is null)
            {
                return found;
            }

            if (DateFormat is null)
            {
                // The sniffer types a column DATE when every value of its sample casts to a date, and 2024/11/05 does, but
                // it writes ISO's format into the read it finds, which rejects such a value: the whole row was quarantined
                // (EMQ010) for a date the sniffer had taken, and that InputDate reads as 5 November. Without the format the
                // reader casts each value as InputDate does, so a value that is no date (TBD, 2024-13-45) is still rejected.
                read = read.Replace(IsoDateFormatOption, "", StringComparison.Ordinal);
            }

            List<string> readTypes = typed is null ? types : [.. names.Zip(types, (name, type) => typed.Contains(name, StringComparer.OrdinalIgnoreCase) ? type : "VARCHAR")];
            var sniffed = Retyped(Quoted("read_csv(" + Sql.Literal(Path) + read[sniffedFile.Length..]), names, types, readTypes);
            if (IsGlob)
            {
                // The first file's line ending, given for all, reads a later file whose lines end otherwise (one saved on
                // Windows) as no rows at all, without a word; left out, the reader tells each file's as it reads it.
                sniffed = System.Text.RegularExpressions.Regex.Replace(sniffed, "new_line='[^']*', ", "");
            }

            // Reads these columns as the type given from here on.
            void Retype(IReadOnlyCollection<string> columns, string type)
            {
                List<string> retyped = [.. names.Zip(readTypes, (name, readType) => columns.Contains(name) ? type : readType)];
                sniffed = Retyped(sniffed, names, readTypes, retyped);
                readTypes = retyped;
            }

            foreach (var (format, kind) in GivenFormats)
            {
                // The sniffer types a column DATE (TIMESTAMP) only when every value of its sample fits the format: one
                // that does not (a "TBD") left the whole column text, every date in it unread. Typed, that value's line
                // is the reject.
                Retype(WrittenInFormat(warehouse, sniffed, names, readTypes, dated ?? [], format), kind.Type);
            }

            Retype(IntegersTypedDouble(warehouse, sniffed, names, readTypes), "VARCHAR");

            // The data_type the sources YAML declares for a column the match reads or keeps wins over every guess above:
            // a value that does not fit it makes its line a reject (EMQ010), and the published type stays the one declared.
            foreach (var (name, declared) in DeclaredOf(names, typed))
            {
                Retype([name], declared.Type);
            }

            var columns = warehouse.Describe("select * from " + sniffed);
            return columns.Select(c => c.Name).SequenceEqual(names) && columns.Select(c => c.DataType).SequenceEqual(readTypes)
                ? found with { Sniffed = sniffed, SniffedColumns = columns }
                : found;
        }
        catch (DuckDB.NET.Data.DuckDBException)
        {
            return found;
        }
    }

    // What DuckDB's sniffer finds for a read_csv call's arguments (the file and its options): the read it would make
    // (sniff_csv's Prompt) and the columns with their types. One row for one file; a value the sniffer left empty keeps
    // detection rather than failing here.
    private static (string? Prompt, List<string> Names, List<string> Types) SniffedPrompt(DuckDbWarehouse warehouse, string arguments) =>
        warehouse.Query(
            $"select Prompt, list_transform(Columns, c -> c.name), list_transform(Columns, c -> c.type) from sniff_csv({arguments})",
            r => r.IsDBNull(0) || r.IsDBNull(1) || r.IsDBNull(2) ? (null, new List<string>(), new List<string>()) : (r.GetString(0), r.GetFieldValue<List<string>>(1), r.GetFieldValue<List<string>>(2))).SingleOrDefault();

    // The prompt without its FROM and semicolon, when it reads the file sniffed: it writes the path between quotes
    // without escaping it, so a path holding a quote keeps detection.
    private static string? ReadOfPrompt(string? prompt, string file) =>
        prompt?.Trim().TrimEnd(';') is { } read && read.StartsWith("FROM read_csv(" + Sql.Literal(file) + ", ", StringComparison.Ordinal) && read.EndsWith(')') ? read : null;

    /// <summary>
    /// The read DuckDB makes of a CSV file named alone (<c>select * from 'data/x.csv'</c>, as a source's plain
    /// <c>external_location</c> is read by dbt-duckdb and by check, generate and evaluate), with the dialect and types its
    /// sniffer finds written out, so that reading the file again skips the sniffer: about 5-20 ms a read for the
    /// fixture's files against 1-3 with the options given, and a check reads each source several times (a staging model,
    /// its source, a zip code model's every reference). It is the sniffer's own read (<c>sniff_csv</c>'s Prompt), taken
    /// only when it describes the columns and types the sniffer found; null otherwise, and for a file the sniffer
    /// cannot read, which is then read with detection, failing or not as it always did, with the reader's own message.
    /// </summary>
    internal static string? DetectedRead(DuckDbWarehouse warehouse, string file)
    {
        try
        {
            var (prompt, names, types) = SniffedPrompt(warehouse, Sql.Literal(file));
            if (ReadOfPrompt(prompt, file) is not { } read)
            {
                return null;
            }

            read = read["FROM ".Length..];
            var columns = warehouse.Describe("select * from " + read);
            return columns.Select(c => c.Name).SequenceEqual(names) && columns.Select(c => c.DataType).SequenceEqual(types) ? read : null;
        }
        catch (DuckDB.NET.Data.DuckDBException)
        {
            return null;
        }
    }

    /// <summary>
    /// This input with every column it passes through (typed by the sniffer, but not among <paramref name="read"/>, the
    /// columns the match reads) read as text when a value of it does not fit its type, and a warning for each such column
    /// naming its file, line and value. Such a value would make the reader reject its line, and so quarantine the row
    /// (a vote count's <c>N/A</c> under <c>keep_columns: all</c>), for a column the match never looks at. One read of the
    /// files with those columns typed, only when there are any; the sniffer saw only the first rows of the first file.
    /// </summary>
    public (CsvInput Input, IReadOnlyList<Diagnostic> Warnings) PassThroughAsText(DuckDbWarehouse warehouse, IReadOnlyCollection<string> read)
    {
        // A column whose type the sources YAML declares keeps it: its misfit is the row's quarantine, as the user asked.
        var passed = SniffedColumns.Where(c => c.DataType != "VARCHAR" && !read.Contains(c.Name, StringComparer.OrdinalIgnoreCase)
            && DeclaredFor(c.Name) is null).Select(c => c.Name).ToList();
        if (Sniffed is null || passed.Count == 0)
        {
            return (this, []);
        }

        // Only those columns typed, so no other column's value is a reject here.
        var (names, types) = (SniffedColumns.Select(c => c.Name).ToList(), SniffedColumns.Select(c => c.DataType).ToList());
        var trial = this with { Sniffed = Retyped(Sniffed, names, types, types.Select((t, i) => passed.Contains(names[i]) ? t : "VARCHAR")) };
        var (rejects, scans) = (RejectsTable + PassThroughSuffix, RejectsScanTable + PassThroughSuffix);
        // Each column read: a count(*) reads none, and casts nothing.
        warehouse.Execute($"select {string.Join(", ", passed.Select(c => $"count({Sql.Identifier(c)})"))} from {trial.RelationWithRejectsApart(PassThroughSuffix)}");
        var misfits = warehouse.Query(
            $"""
            select column_name, arg_min(file_path, (file_id, line)), arg_min({CsvLines.Function}(file_path, cast(line_byte_position + length(csv_line) - length(ltrim(csv_line, chr(13) || chr(10))) as bigint)), (file_id, line)), arg_min(regexp_extract(error_message, 'Could not convert string "(.*)" to ', 1), (file_id, line)), count(*)
            from {Sql.Identifier(rejects)} as r
            join {Sql.Identifier(scans)} as s using (scan_id, file_id)
            where r.scan_id = (select max(scan_id) from {Sql.Identifier(scans)}) and error_type = 'CAST'
            group by column_name
            order by min(column_idx)
            """,
            r => (Column: r.GetString(0), File: r.GetString(1), Line: r.IsDBNull(2) ? 1 : (int)r.GetInt64(2), Value: r.GetString(3), Lines: r.GetInt64(4)));
        if (misfits.Count == 0)
        {
            return (this, []);
        }

        var asText = types.Select((t, i) => misfits.Any(m => m.Column == names[i]) ? "VARCHAR" : t).ToList();
        var input = this with
        {
            Sniffed = Retyped(Sniffed, names, types, asText),
            SniffedColumns = [.. names.Zip(asText, (name, type) => new Warehouse.ColumnInfo(name, type))],
        };
        var warnings = misfits.Select(m => Diagnostic.Warning(Codes.PassThroughColumnReadAsText, new SourceSpan(DisplayOf(m.File), m.Line, 1),
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"column '{m.Column}' of {DisplayOf(m.File)} is read as text, not {types[names.IndexOf(m.Column)]}: its value '{m.Value}' on line {m.Line}{(m.Lines > 1 ? $" (and {m.Lines - 1:N0} more line(s))" : "")} does not fit the type DuckDB's sniffer took from {(IsGlob ? "the first rows of the glob's first file, " + DisplayOf(Files[0]) : "the file's first rows")}; the match does not read this column, so no row is quarantined for it and it is published as written"))).ToList();
        return (input, warnings);
    }

    private const string PassThroughSuffix = "_pass_through";

    // The columns mapped to date roles that the sniffer left text but that hold a value written in the input's
    // date_format (timestamp_format): its dates, one of whose values in the sniffer's sample did not fit.
    private static List<string> WrittenInFormat(DuckDbWarehouse warehouse, string read, List<string> names, List<string> readTypes, IReadOnlyCollection<string> dated, string format) =>
        ColumnsWhere(
            warehouse,
            read,
            [.. names.Where((name, i) => readTypes[i] == "VARCHAR" && dated.Contains(name, StringComparer.OrdinalIgnoreCase))],
            c => $"bool_or(try_strptime({c}, {Sql.Literal(format)}) is not null)");

    // The columns of the read typed DOUBLE whose every value is an integer written out (Sniff's remarks). The first rows
    // are asked first, so a column of fractions (a share of the vote) costs no read of the whole file; the file is read
    // once more, with its rejects apart, only when a column's first values are all integers.
    private List<string> IntegersTypedDouble(DuckDbWarehouse warehouse, string read, List<string> names, List<string> readTypes)
    {
        List<string> doubles = [.. names.Where((_, i) => readTypes[i] == "DOUBLE")];
        if (doubles.Count == 0)
        {
            return [];
        }

        var asText = (this with { Sniffed = Retyped(read, names, readTypes, names.Select((name, i) => doubles.Contains(name) ? "VARCHAR" : readTypes[i])) }).RelationWithRejectsApart(IntegersSuffix);
        static string AllIntegers(string column) => $"bool_and(regexp_full_match(trim({column}, ' ' || chr(9)), '[+-]?[0-9]+'))";
        var firstRows = ColumnsWhere(warehouse, $"(select * from {asText} limit {FirstRows})", doubles, AllIntegers);
        return ColumnsWhere(warehouse, asText, firstRows, AllIntegers);
    }

    // How many rows IntegersTypedDouble asks first: DuckDB's sniffer's sample.
    private const int FirstRows = 20_480;

    // The columns (none read when there are none) for which the aggregate over the relation is true, each in one read;
    // the aggregate takes the column's quoted name.
    private static List<string> ColumnsWhere(DuckDbWarehouse warehouse, string relation, List<string> columns, Func<string, string> aggregate) =>
        columns.Count == 0
            ? []
            : warehouse.Query(
                $"select {string.Join(", ", columns.Select(c => aggregate(Sql.Identifier(c))))} from {relation}",
                r => columns.Where((_, i) => !r.IsDBNull(i) && r.GetBoolean(i)).ToList()).Single();

    // The suffix of the reject tables of IntegersTypedDouble's reads.
    private const string IntegersSuffix = "_integers";

    // The read with its columns option's types replaced by readTypes.
    private static string Retyped(string read, IEnumerable<string> names, IEnumerable<string> types, IEnumerable<string> readTypes) =>
        read.Replace(ColumnsOption(names, types), ColumnsOption(names, readTypes), StringComparison.Ordinal);

    // The prompt's columns option as DuckDB writes it (names and types between quotes, unescaped: a name holding a quote
    // is not read back, and keeps detection).
    private static string ColumnsOption(IEnumerable<string> names, IEnumerable<string> types) =>
        "columns={" + string.Join(", ", names.Zip(types, (name, type) => $"'{name}': '{type}'")) + "}";

    /// <summary>The ISO date format as DuckDB's sniffer writes it into the read it finds (<see cref="Sniff"/> leaves it out).</summary>
    internal const string IsoDateFormatOption = ", dateformat='%Y-%m-%d'";

    /// <summary>
    /// Whether DuckDB's sniffer took the first line for the header (<c>header=true</c>). When it did not (a first line
    /// that is not UTF-8, or no header line at all), it names the columns <c>column00</c>, <c>column01</c>, …; true when
    /// the file could not be sniffed.
    /// </summary>
    public bool HeaderFound { get; init; } = true;

    /// <summary>
    /// The first column the match reads whose dates read in both orders: the sniffer's date format (or timestamp format)
    /// puts the day and the month before the year, and every value of the column also fits the format with the two
    /// swapped, some of them as another date (<c>11/05/2024</c>: 5 November month first, 11 May day first). DuckDB's
    /// sniffer then picks one order without a word (day first in DuckDB 1.5), so every date of a US export whose days
    /// were all 12 or less was read as another date. Null when no such column (or the input keeps detection). One read of
    /// the file for its DATE columns and one for its TIMESTAMP columns, only when the sniffed format is of that kind.
    /// </summary>
    public DateOrderAmbiguity? DatesOfEitherOrder(DuckDbWarehouse warehouse)
    {
        if (Sniffed is not { } read)
        {
            return null;
        }

        // date_format: sets the dates' order, timestamp_format: the timestamps'.
        foreach (var (option, type) in TemporalFormat.All.Where(o => !GivenFormats.Any(f => f.Kind == o)).Select(o => (o.Option, o.Type)))
        {
            var dated = SniffedColumns.Where(c => c.DataType == type).Select(c => c.Name).ToList();
            if (dated.Count == 0 || System.Text.RegularExpressions.Regex.Match(read, option + "='([^']*)'") is not { Success: true } match || OtherOrder(match.Groups[1].Value) is not { } other)
            {
                continue;
            }

            // The same read with these columns as their text.
            var (names, types) = (SniffedColumns.Select(c => c.Name).ToList(), SniffedColumns.Select(c => c.DataType).ToList());
            var asText = Retyped(read, names, types, types.Select((t, i) => dated.Contains(names[i]) ? "VARCHAR" : t));
            var format = match.Groups[1].Value;
            // One read of the file for all these columns: each one's values, those read by either format, and a value
            // the two read as different dates, with both readings.
            string Read(string column, string by) => $"try_strptime({Sql.Identifier(column)}, {Sql.Literal(by)})";
            var counted = dated.Select((c, i) => $"count({Sql.Identifier(c)}) as n_values_{i}, count({Read(c, format)}) as by_format_{i}, count({Read(c, other)}) as by_other_{i}, min({Sql.Identifier(c)}) filter (where {Read(c, format)} is distinct from {Read(c, other)}) as example_{i}");
            var shown = dated.Select((_, i) => $"n_values_{i}, by_format_{i}, by_other_{i}, example_{i}, strftime(try_strptime(example_{i}, {Sql.Literal(format)}), '%Y-%m-%d'), strftime(try_strptime(example_{i}, {Sql.Literal(other)}), '%Y-%m-%d')");
            var found = warehouse.Query(
                $"""
                select {string.Join(", ", shown)}
                from (
                    select {string.Join(", ", counted)}
                    from {asText}
                )
                """,
                r => dated.Select((column, i) => (Column: column, At: 6 * i))
                    .Where(c => r.GetInt64(c.At) > 0 && r.GetInt64(c.At + 2) == r.GetInt64(c.At) && !r.IsDBNull(c.At + 3))
                    .Select(c => new DateOrderAmbiguity(c.Column, option, format, other, r.GetString(c.At + 3), r.IsDBNull(c.At + 4) ? null : r.GetString(c.At + 4), r.GetString(c.At + 5), r.GetInt64(c.At), r.GetInt64(c.At + 1)))
                    .FirstOrDefault()).Single();
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    // The format with the day and the month swapped, when both come before the year (ISO's year-first dates are read one way only).
    private static string? OtherOrder(string format)
    {
        var (day, month, year) = (format.IndexOf("%d", StringComparison.Ordinal), format.IndexOf("%m", StringComparison.Ordinal), Math.Max(format.IndexOf("%Y", StringComparison.Ordinal), format.IndexOf("%y", StringComparison.Ordinal)));
        return day >= 0 && month >= 0 && year > Math.Max(day, month)
            ? format.Replace("%d", "\0", StringComparison.Ordinal).Replace("%m", "%d", StringComparison.Ordinal).Replace("\0", "%m", StringComparison.Ordinal)
            : null;
    }

    /// <summary>
    /// Where the first file's first line is not UTF-8: the first bad byte, its column on the line (1-based, counting
    /// the characters before it) and the field it is in (1-based, by the delimiter outside quotes). Null when the line is
    /// UTF-8. DuckDB's sniffer does not take such a line for the header.
    /// </summary>
    public (byte Byte, int Column, int Field)? HeaderLineNotUtf8()
    {
        if (Files is not [var first, ..])
        {
            return null;
        }

        using var stream = CsvRecords.OpenBytes(first);
        var line = new List<byte>();
        for (var b = stream.ReadByte(); b >= 0 && b != '\n'; b = stream.ReadByte())
        {
            line.Add((byte)b);
        }

        try
        {
            _ = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString([.. line]);
            return null;
        }
        catch (System.Text.DecoderFallbackException e)
        {
            var before = System.Text.Encoding.UTF8.GetString([.. line.Take(e.Index)]).TrimStart('\uFEFF');
            var (field, quoted) = (1, false);
            foreach (var c in before)
            {
                quoted ^= c == '"';
                field += !quoted && c == Delimiter ? 1 : 0;
            }

            return (line[e.Index], before.Length + 1, field);
        }
    }

    /// <summary>
    /// The names on the file's header line as written, in order, split at <paramref name="delimiter"/> with RFC 4180
    /// quoting. DuckDB renames a repeated name (the second <c>first_name</c> becomes <c>first_name_1</c>), so only the
    /// line itself tells that a mapped column is ambiguous. Empty for a file with no first line. Of a glob, the first
    /// file's: DuckDB reads every file's columns by its.
    /// </summary>
    public IReadOnlyList<string> HeaderNames(char delimiter = ',') => Files is [var first, ..] ? HeaderNamesOf(first, delimiter) : [];

    /// <summary>
    /// Of a glob, the first file whose header differs from the first file's (another name, order or number of names, or
    /// none), with both headers: DuckDB reads each later file's fields by position under the first file's names, so a
    /// file with its columns in another order would be read into the wrong columns without a word. Null when all agree.
    /// </summary>
    public (string File, IReadOnlyList<string> Header, IReadOnlyList<string> FirstHeader)? FileWithOtherHeader()
    {
        var first = HeaderNames(Delimiter);
        return Files.Skip(1).Select(f => (File: f, Header: HeaderNamesOf(f, Delimiter)))
            .Where(f => !f.Header.SequenceEqual(first, StringComparer.Ordinal))
            .Select(f => ((string, IReadOnlyList<string>, IReadOnlyList<string>)?)(f.File, f.Header, first))
            .FirstOrDefault();
    }

    /// <summary>
    /// Of a glob, the first file with no header line: empty (0 bytes) or blank on its first line, with which of the two.
    /// Such a file is most often an export that failed; compared with the others' headers it would be reported as a
    /// header that differs, and as the glob's first file it would put the blame on the second. Null when every file has one.
    /// </summary>
    public (string File, string What)? FileWithoutHeader() =>
        IsGlob
            ? Files.Select(f => (File: f, What: new FileInfo(f).Length == 0 ? "is empty (0 bytes)" : HeaderNamesOf(f, Delimiter) switch
                {
                    [] => "has no lines",
                    var names when names.All(string.IsNullOrWhiteSpace) => "has no header line (its first line is blank)",
                    _ => null,
                }))
                .Where(f => f.What is not null)
                .Select(f => ((string, string)?)(f.File, f.What!))
                .FirstOrDefault()
            : null;

    /// <summary>
    /// The first line of <see cref="Files"/> longer than <paramref name="maxBytes"/> bytes (its end of line not counted),
    /// with its file and its length; null when none is, or the file is compressed. DuckDB's reader stops the whole read at
    /// such a line and names it as line 1 whatever its line, so the run's error names it from here.
    /// </summary>
    public (string File, long Line, long Bytes)? FirstLineLongerThan(long maxBytes)
    {
        foreach (var file in Files.Where(f => !CsvCompression.IsCompressed(f) && System.IO.File.Exists(f)))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            var buffer = new byte[1 << 16];
            var (line, length) = (1L, 0L);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                foreach (var b in buffer.AsSpan(0, read))
                {
                    if (b == (byte)'\n')
                    {
                        if (length > maxBytes)
                        {
                            return (file, line, length);
                        }

                        (line, length) = (line + 1, 0);
                    }
                    else if (b != (byte)'\r')
                    {
                        length++;
                    }
                }
            }

            if (length > maxBytes)
            {
                return (file, line, length);
            }
        }

        return null;
    }

    /// <summary>A file of <see cref="Files"/> as the user would name it: under the glob's folder as <see cref="DisplayPath"/> writes it.</summary>
    public string DisplayOf(string file)
    {
        if (!IsGlob)
        {
            return DisplayPath;
        }

        var (folder, shown) = (DuckDbWarehouse.GlobFolder(Path), DuckDbWarehouse.GlobFolder(DisplayPath));
        return file.StartsWith(folder, StringComparison.Ordinal) ? shown + file[folder.Length..] : file;
    }

    /// <summary>
    /// Whether the file has characters but none that is not white space: blank lines only, no header line. Read up to
    /// its first other character, so a file with data stops at once.
    /// </summary>
    public static bool HoldsOnlyBlankLines(string path)
    {
        try
        {
            using var reader = Open(path);
            int c;
            var any = false;
            while ((c = reader.Read()) >= 0)
            {
                if (!char.IsWhiteSpace((char)c))
                {
                    return false;
                }

                any = true;
            }

            return any;
        }
        catch (ZstdSharp.ZstdException)
        {
            // A .zst file that does not decompress (a window over 128 MiB) is said, naming why, by the run's checks (ZstdEnd).
            return false;
        }
    }

    // UTF-8 unless encoding: says otherwise; a byte order mark wins either way, as for DuckDB's reader.
    private static StreamReader Open(string path, string? encoding = null)
    {
        var text = encoding switch
        {
            "latin-1" => System.Text.Encoding.Latin1,
            "utf-16" => System.Text.Encoding.Unicode,
            _ => System.Text.Encoding.UTF8,
        };
        return new StreamReader(CsvRecords.OpenBytes(path), text, detectEncodingFromByteOrderMarks: true);
    }

    /// <summary>
    /// The line (as an editor numbers it) each row the reader read from <paramref name="file"/> starts on, in order: the
    /// file's records after its header line (RFC 4180 quoting, by <see cref="Delimiter"/>), blank lines skipped, a value
    /// that spans lines counted whole, the records on <paramref name="rejected"/> lines left out. Null when the file
    /// cannot be read now; the caller compares the count with the rows read, as a dialect read otherwise gives others.
    /// </summary>
    public IReadOnlyList<long>? ReadRowLines(string file, IReadOnlySet<long> rejected)
    {
        try
        {
            using var reader = Open(file, Encoding);
            return [.. CsvRecords.Read(reader, Delimiter, _ => { }).Skip(1).Select(r => (long)r.Line).Where(line => !rejected.Contains(line))];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private IReadOnlyList<string> HeaderNamesOf(string path, char delimiter)
    {
        using var reader = Open(path, Encoding);
        if (reader.ReadLine() is not { } line)
        {
            return [];
        }

        var names = new List<string>();
        var name = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                name.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == delimiter && !quoted)
            {
                names.Add(name.ToString().Trim());
                name.Clear();
            }
            else
            {
                name.Append(c);
            }
        }

        names.Add(name.ToString().Trim());
        return names;
    }

    /// <summary>The delimiter of the sniffed read (<c>delim='…'</c>), or a comma.</summary>
    public char Delimiter =>
        Sniffed is { } read && System.Text.RegularExpressions.Regex.Match(read, "delim='(.)'") is { Success: true } m ? m.Groups[1].Value[0] : ',';

    /// <summary>
    /// The sniffer's reader with RFC 4180 quoting where the sniffer chose none. The sniffer picks the dialect under which
    /// its sample parses most consistently, so one unterminated quote in a quoted file makes it read the whole file without
    /// quoting: every correctly quoted value that holds a comma then spills into the next columns, and since an extra
    /// trailing field is absorbed, the shifted rows are published, not quarantined. Read with quoting, the broken line is
    /// the reader's reject (UNQUOTED VALUE, quarantined with its text) and every other line reads as written. A file
    /// with no quotes at all reads the same either way.
    /// </summary>
    internal static string Quoted(string read) =>
        read.Replace(", quote='', escape='',", ", quote='\"', escape='\"',", StringComparison.Ordinal);

    /// <summary>
    /// Appends the rejected rows of the latest scan to <paramref name="inputTable"/>, after the rows read, one per line:
    /// the reject code, the file, line and DuckDB's reason as detail, and the raw line as the original.
    /// </summary>
    /// <param name="id">
    /// The input table's id column and the file's id column as the match maps it: the id's field of the raw line is
    /// stored there when it can be told (<see cref="IdFieldSql"/>), so <c>explain</c> finds a quarantined line by its id.
    /// The published quarantine table has no id column, so its rows and hash are as before.
    /// </param>
    public string AppendRejectsSql(string inputTable, (string Column, string FileColumn)? id = null)
    {
        var index = id is { } i ? IndexOf(HeaderNames(Delimiter), i.FileColumn) : -1;
        var idSelect = id is { } c && index >= 0 ? $",\n            {IdFieldSql("csv_line", "code", index)} as {Sql.Identifier(c.Column)}" : "";
        return AppendRejectsSql(inputTable, idSelect);
    }

    private static int IndexOf(IReadOnlyList<string> header, string column)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i].Equals(column, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The <paramref name="index"/>th field of a raw line, unquoted (RFC 4180), or null where it cannot be told: the line
    /// ends before it, a field before it or the field itself is malformed, it is blank, or (on a line that is not
    /// UTF-8, whose bad bytes DuckDB gives as '?') it holds a '?', so it may not be the id as written. Trimmed as
    /// the rows read are (<see cref="IdText.EndCharacters"/>).
    /// </summary>
    internal string IdFieldSql(string line, string code, int index)
    {
        var d = Delimiter switch
        {
            '\t' => @"\t",
            var c when char.IsLetterOrDigit(c) => c.ToString(),
            var c => @"\" + c,
        };
        var field = $"""(?:"(?:[^"]|"")*"|[^{d}"\r\n]*)""";
        var pattern = $"^(?:{field}{d}){{{index}}}({field})(?:{d}|\r?\n|$)";
        var raw = $"regexp_extract({line}, {Sql.Literal(pattern)}, 1)";
        var value = $"case when starts_with({raw}, '\"') then replace({raw}[2:-2], '\"\"', '\"') else {raw} end";
        return $"case when not ({code} = {Sql.Literal(QuarantineCodes.InvalidUtf8)} and contains({raw}, '?')) and {IdText.Trimmed(value)} <> '' then {IdText.Trimmed(value)} end";
    }

    /// <summary>The words a line read into an open quote's value is quarantined with, before the line the quote opened on (QuarantinePlaces.OpenQuotes reads them back).</summary>
    internal const string SwallowedLineWords = "read into the value whose quote opened on line ";

    private string AppendRejectsSql(string inputTable, string idSelect) => $"""
        insert into {inputTable} by name
        {RejectedRowsSql($"(select coalesce(max(row_number), 0) from {inputTable})", idSelect)}
        """;

    // The latest scan's unreadable lines as quarantine rows, numbered after rowsBefore: what AppendRejectsSql
    // inserts and RejectsDigestSql hashes.
    private string RejectedRowsSql(string rowsBefore, string idSelect) => $"""
        with
            latest as (
                select r.*, s.file_path
                from {RejectsTable} as r
                join {RejectsScanTable} as s using (scan_id, file_id)
                where r.scan_id = (select max(scan_id) from {RejectsScanTable})
            ),

            -- One row per file and record (a glob reads several files in one scan, each numbering its own records): an
            -- unreadable record can fail several ways; the first that applies names it.
            coded as (
                select
                    file_id,
                    file_path,
                    line,
                    -- DuckDB starts a record's text and first byte at the line break before it when blank lines come
                    -- before it, and with CR LF endings always (at the LF): both are taken from its own first character.
                    line_byte_position + length(csv_line) - length(ltrim(csv_line, chr(13) || chr(10))) as line_byte_position,
                    ltrim(csv_line, chr(13) || chr(10)) as csv_line,
                    error_type,
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

            per_record as (
                select
                    file_id,
                    line as record,
                    any_value(file_path) as file_path,
                    {FileDisplaySql("any_value(file_path)")} as file,
                    arg_min(code, priority) as code,
                    arg_min(error_message || case when code = {Sql.Literal(QuarantineCodes.ValueDoesNotFitColumn)} then {TypeOriginSql("column_name")} else '' end, priority) as reason,
                    any_value(csv_line) as csv_line,
                    -- A line that is not UTF-8 as written (read as Latin-1), not DuckDB's text with '?' for the bytes.
                    case when arg_min(code, priority) = {Sql.Literal(QuarantineCodes.InvalidUtf8)}
                        then {CsvLines.TextFunction}(any_value(file_path), cast(min(line_byte_position) as bigint), len(string_split(any_value(csv_line), chr(10))))
                    end as written_text,
                    -- The line an editor shows: DuckDB's line counts records, which differs after a value that spans lines.
                    coalesce({CsvLines.Function}(any_value(file_path), cast(min(line_byte_position) as bigint)), line) as start_line,
                    -- A quote left open reads the lines after it into its value up to the next quote: those lines are
                    -- rows of their own, each quarantined by its own line and id, not hidden in this record's text.
                    bool_or(error_type = 'UNQUOTED VALUE') and contains(any_value(csv_line), chr(10)) as swallowed
                from coded
                group by file_id, line
            ),

            per_line as (
                select
                    file_id,
                    record,
                    file,
                    code,
                    start_line + part - 1 as line,
                    case
                        when part > 1 then {Sql.Literal(SwallowedLineWords)} || start_line || ' and was never closed (an unterminated quote), so not read as a row of its own'
                        when written_text is not null then reason || ' (the text kept is the line as written, read as Latin-1; a file saved as Windows-1252 or Latin-1 is read as written with encoding: latin-1 on its input)'
                        else reason
                    end as reason,
                    case when swallowed then rtrim(lines[part], chr(13)) else coalesce(written_text, csv_line) end as csv_line
                from (
                    select *, case when swallowed then string_split(csv_line, chr(10)) else [csv_line] end as lines
                    from per_record
                ), range(1, len(lines) + 1) as parts(part)
                where part = 1 or trim(lines[part], chr(13) || ' ') <> ''
            ){SurplusFieldRowsSql}

        select
            {rowsBefore} + row_number() over (order by file_id, record, line) as row_number,
            code as reject_code,
            file || ' line ' || line || ': ' || reason as reject_detail,
            json_object('file', file, 'line', line, 'csv_line', csv_line) as original{idSelect}
        from {(SurplusFieldRows.Count == 0 ? "per_line" : "(select * from per_line union all by name select * from surplus_field_rows)")}
        """;

    // The records of SurplusFieldRows as rejected lines (per_line's columns), each a ragged row, EMQ009.
    private string SurplusFieldRowsSql => SurplusFieldRows.Count == 0 ? "" : $"""
        ,

            -- Lines with one field more than the header, the last empty, which DuckDB's reader read (CsvInput.SurplusFieldRows).
            surplus_field_rows as (
                select cast(file_id as bigint) as file_id, cast(record as bigint) as record, file, code, cast(line as bigint) as line, reason, csv_line
                from (values {string.Join(", ", SurplusFieldRows.Select(r => string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"({r.FileIndex}, {r.Line}, {Sql.Literal(DisplayOf(r.File))}, {Sql.Literal(QuarantineCodes.RaggedRow)}, {r.Line}, {Sql.Literal($"Expected Number of Columns: {r.Fields} Found: {r.Fields + 1}, the last one empty (DuckDB's reader would take it for a trailing delimiter and read the line with its fields shifted: a value holding an unquoted delimiter; quote it)")}, {Sql.Literal(r.Text)})")))})
                    as s(file_id, record, file, code, line, reason, csv_line)
            )
        """;

    // Where a rejected value's column got its type, for EMQ010: the input's date_format (timestamp_format) for a DATE
    // (TIMESTAMP) column it sets, else DuckDB's sniffer, from the first rows of the file, or of a glob's first file (not
    // from the rest of the file read).
    private string TypeOriginSql(string column)
    {
        var sniffer = IsGlob
            ? $" (the type DuckDB's sniffer took from the first rows of the glob's first file, {DisplayOf(Files[0])})"
            : " (the type DuckDB's sniffer took from the file's first rows)";
        var given = GivenFormats
            .Select(f => (f.Format, f.Kind, Columns: SniffedColumns.Where(c => c.DataType == f.Kind.Type).Select(c => Sql.Literal(c.Name)).ToList()))
            .Where(f => f.Columns.Count > 0)
            .Select(f => $"when {column} in ({string.Join(", ", f.Columns)}) then {Sql.Literal($" (a {f.Kind.Value} in the input's {f.Kind.Key}, {f.Format})")}")
            .ToList();
        // Declared first: a declared DATE column is read as declared, with the input's date_format when it has one.
        given.InsertRange(0, DeclaredOf(SniffedColumns.Select(c => c.Name), null)
            .Select(d => $"when {column} = {Sql.Literal(d.Name)} then {Sql.Literal($" (the data_type {d.Declared.Type} that {d.Declared.At.File} line {d.Declared.At.Line} declares for it)")}"));
        return given.Count > 0
            ? $"case {string.Join(" ", given)} else {Sql.Literal(sniffer)} end"
            : Sql.Literal(sniffer);
    }

    /// <summary>
    /// The MD5 of the latest scan's unreadable lines as a run quarantines them (<see cref="AppendRejectsSql(string, ValueTuple{string, string}?)"/>):
    /// their code, the file as displayed, the line an editor shows, the reason and the text kept. What an incremental
    /// run's cache keys the input's rejects by, so a reused partition publishes the quarantine a full run would. Before,
    /// it hashed DuckDB's record number and text: a value above that came to span lines, a bad byte changed for another
    /// one DuckDB also reads as '?', or a run from another directory, left the old line, text or path published.
    /// </summary>
    public string RejectsDigestSql => $"""
        select md5(coalesce(string_agg(reject_code || chr(31) || reject_detail || chr(31) || original, chr(30) order by row_number), ''))
        from ({RejectedRowsSql("0", "")})
        """;

    /// <summary>
    /// The file a rejected line is in, as the user would name it: <see cref="DisplayPath"/> for one file; for a glob,
    /// the file DuckDB read, its folder written as the glob's folder is in <see cref="DisplayPath"/>.
    /// </summary>
    private string FileDisplaySql(string filePath)
    {
        if (!IsGlob)
        {
            return Sql.Literal(DisplayPath);
        }

        var (folder, shown) = (DuckDbWarehouse.GlobFolder(Path), DuckDbWarehouse.GlobFolder(DisplayPath));
        return $"case when starts_with({filePath}, {Sql.Literal(folder)}) then {Sql.Literal(shown)} || {filePath}[{folder.Length + 1}:] else {filePath} end";
    }
}
