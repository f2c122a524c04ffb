using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;

namespace ElectionMatch.Warehouse;

/// <summary>Turns dbt's <c>source('s','t')</c> and <c>ref('m')</c> into DuckDB relations.</summary>
public sealed partial class RelationResolver
{
    private readonly DbtProject _project;
    private readonly SourceCatalog _sources;
    private readonly WarehouseTarget _target;
    private readonly Func<string, string, bool> _tableExists;
    private readonly Stack<string> _compiling = new();
    private readonly DuckDbWarehouse? _warehouse;

    // Each CSV source's read with its sniffed dialect written out (CsvInput.DetectedRead), found once for this resolver.
    private readonly Dictionary<string, string> _csvReads = new(StringComparer.Ordinal);

    /// <summary>The dbt project whose directory relative paths are found in.</summary>
    public DbtProject Project => _project;

    /// <param name="warehouse">Where a CSV source is sniffed once, for every later read of it to skip the sniffer
    /// (<see cref="Relation(SourceTable)"/>); without it, each read sniffs the file.</param>
    public RelationResolver(DbtProject project, SourceCatalog sources, WarehouseTarget target, Func<string, string, bool> tableExists, DuckDbWarehouse? warehouse = null)
    {
        _project = project;
        _sources = sources;
        _target = target;
        _tableExists = tableExists;
        _warehouse = warehouse;
    }

    /// <summary>Resolves <c>source('s', 't')</c> or <c>ref('m')</c> written as text (as in electionmatch.yml).</summary>
    public string Resolve(string expression, SourceSpan at) => Resolve(RelationExpression.Parse(expression, at));

    /// <summary>
    /// Resolves a match input (<paramref name="side"/> is left or right). A source whose <c>external_location</c> is a
    /// file or a glob of files is pointed at in the sources YAML, and CSV files are read with the reject store
    /// (<see cref="CsvInput"/>), in <paramref name="encoding"/> when given (the input's <c>encoding:</c>), its dates read by <paramref name="dateFormat"/> and its timestamps by <paramref name="timestampFormat"/> when given (<c>date_format:</c>, <c>timestamp_format:</c>); a glob's files are
    /// listed by <paramref name="warehouse"/>, as its readers list them.
    /// </summary>
    public InputRelation ResolveInput(string expression, SourceSpan at, string side, DuckDbWarehouse warehouse, string? encoding = null, string? dateFormat = null, string? timestampFormat = null)
    {
        var call = RelationExpression.Parse(expression, at);
        var source = call.IsSource ? _sources.Find(call.Arguments[0], call.Arguments[1]) : null;
        // A CSV input is read through CsvInput, which sniffs it with the reject store's options: not sniffed here too.
        var sql = source is not null ? Relation(source, sniffCsv: false) : Resolve(call);
        if (source is not { ExternalLocation: { } location } entry
            || location.Contains('(', StringComparison.Ordinal) || location.Contains("://", StringComparison.Ordinal))
        {
            return new InputRelation(sql, expression, at) { Source = source };
        }

        var path = _project.Resolve(location);
        var display = DisplayPath.For(path);
        var input = new InputRelation(sql, $"{expression} ({display})", entry.At) { Source = entry };
        IReadOnlyList<string> files = [path];
        if (DuckDbWarehouse.IsGlob(location))
        {
            files = warehouse.Glob(path);
            input = files.Count > 0 ? input with { Glob = path }
                : throw DiagnosticException.At(Codes.ExternalFileMissing, entry.LocationAt, $"external_location '{location}' of source('{entry.SourceName}', '{entry.Name}') matches no file ({display})");
        }
        else
        {
            input = input with { FilePath = path };
        }

        if (CsvInput.IsCsv(path))
        {
            // The reject stage names a rejected record by its line in the file (CsvInput.AppendRejectsSql).
            Matching.CsvLines.Register(warehouse);
        }

        return CsvInput.IsCsv(path) && new CsvInput(side, path, display) { Files = files, Encoding = encoding, DateFormat = dateFormat, TimestampFormat = timestampFormat, DeclaredTypes = DeclaredTypes(entry, warehouse) } is var csv
            ? input with { Sql = csv.Relation, Csv = csv }
            : input;
    }

    /// <summary>
    /// The <c>data_type</c> of each column the source declares one for, as DuckDB names the type (<c>int8</c> is
    /// BIGINT, <c>decimal(10,2)</c> DECIMAL(10,2)), for the CSV reader to read the column as. A type DuckDB does not
    /// know, or one a CSV column cannot be read as (a list, a struct), is EM0029 at the value.
    /// </summary>
    private static IReadOnlyList<DeclaredColumnType> DeclaredTypes(SourceTable entry, DuckDbWarehouse warehouse)
    {
        List<DeclaredColumnType> declared = [.. entry.DeclaredTypes.Select(d => d with { Type = DuckDbType(d, entry, warehouse) })];
        // A column declared twice with two types (race_id and RACE_ID are one column to DuckDB): dbt keeps the last, the
        // reader took the first, so the type read and the one dbt documents differed without a word.
        foreach (var (d, i) in declared.Select((d, i) => (d, i)))
        {
            if (declared.Take(i).FirstOrDefault(e => string.Equals(e.Column, d.Column, StringComparison.OrdinalIgnoreCase) && e.Type != d.Type) is { } first)
            {
                throw DiagnosticException.At(Codes.DeclaredTypeInvalid, d.At,
                    $"data_type {d.Type} of column '{d.Column}' of source('{entry.SourceName}', '{entry.Name}') differs from the data_type {first.Type} that {first.At.File} line {first.At.Line} declares for column '{first.Column}', which DuckDB reads as the same column; declare the column's type once");
            }
        }

        return declared;
    }

    private static string DuckDbType(DeclaredColumnType declared, SourceTable entry, DuckDbWarehouse warehouse)
    {
        string Refused(string why) =>
            throw DiagnosticException.At(Codes.DeclaredTypeInvalid, declared.At,
                $"data_type '{declared.Type}' of column '{declared.Column}' of source('{entry.SourceName}', '{entry.Name}') {why}; a match reads this CSV column as the type declared, so write one DuckDB reads text as, such as bigint, varchar, double, decimal(10,2), date or timestamp, or remove data_type to let DuckDB's sniffer choose");
        if (declared.Type is ['\'' or '"', .., var last] && last == declared.Type[0] && ScalarTypeName().IsMatch(declared.Type[1..^1]))
        {
            // "'bigint'" in the YAML: the quotes inside are part of the value, not YAML's.
            return Refused($"is written between quotes that are part of the value; write the type's name alone, data_type: {declared.Type[1..^1]}");
        }

        if (!ScalarTypeName().IsMatch(declared.Type))
        {
            return Refused("is not the name of a type a CSV column can be read as (a list, a struct or a map cannot)");
        }

        try
        {
            return warehouse.Scalar<string>($"select typeof(cast(null as {declared.Type}))")!;
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            return Refused($"is not a type DuckDB knows ({string.Join(" ", e.Message.Replace("Catalog Error: ", "", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeWhile(l => !l.StartsWith("LINE ", StringComparison.Ordinal)))})");
        }
    }

    /// <summary>
    /// A declared type as DuckDB names it (<c>int8</c> is BIGINT, <c>text</c> VARCHAR), or null for one that is no
    /// scalar type's name or that DuckDB does not know: for an input whose columns have their types, which a
    /// declaration is only compared with (<see cref="DeclaredTypeMismatch"/>), not refused for.
    /// </summary>
    internal static string? DuckDbTypeOrNull(string type, DuckDbWarehouse warehouse)
    {
        if (!ScalarTypeName().IsMatch(type))
        {
            return null;
        }

        try
        {
            return warehouse.Scalar<string>($"select typeof(cast(null as {type}))");
        }
        catch (DuckDB.NET.Data.DuckDBException)
        {
            return null;
        }
    }

    // A scalar type's name, with a length or a precision and scale: what a CSV column can be read as, and nothing that
    // could end the statement it is written into.
    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?$")]
    private static partial System.Text.RegularExpressions.Regex ScalarTypeName();

    public string Resolve(JinjaCall call) => call switch
    {
        { IsSource: true } => Source(call.Arguments[0], call.Arguments[1], call.At),
        { IsRef: true } => Ref(call.RefModel, call.At),
        _ => throw DiagnosticException.At(Codes.StagingSqlFailed, call.At, $"'{call.Function}' needs dbt to compile; ElectionMatch understands only source(), ref() and config()"),
    };

    public string Source(string source, string table, SourceSpan at)
    {
        var entry = _sources.Find(source, table);
        if (entry is null)
        {
            var known = _sources.TablesOf(source).Select(t => t.Name).ToList();
            var hint = known.Count == 0
                ? $"no source named '{source}' is declared under {string.Join(", ", _project.ModelPaths)}; {SourceMeant(source, table)}"
                : Spelling.Nearest(table, known) is { } near ? $"did you mean '{near}'?" : $"source '{source}' declares: {string.Join(", ", known)}";
            throw DiagnosticException.At(Codes.SourceNotFound, at, $"source('{source}', '{table}') does not exist; {hint}");
        }

        return Relation(entry);
    }

    /// <summary>
    /// For a source name nothing declares: the source meant, by its spelling or else by the table (one source declaring a
    /// table of that name), written as the call to write; else the sources that are declared.
    /// </summary>
    private string SourceMeant(string source, string table)
    {
        var sources = _sources.SourceNames.Keys.Order(StringComparer.Ordinal).ToList();
        var holding = _sources.Tables.Where(t => t.Name == table).Select(t => t.SourceName).Distinct(StringComparer.Ordinal).ToList();
        var meant = Spelling.Nearest(source, sources) ?? (holding is [var only] ? only : null);
        if (meant is not null)
        {
            return _sources.Find(meant, table) is not null ? $"did you mean source('{meant}', '{table}')?" : $"did you mean '{meant}'?";
        }

        return sources.Count == 0 ? "no YAML file there declares any source" : $"the sources declared are: {string.Join(", ", sources)}";
    }

    /// <summary>The relation for a declared source table: its external file, or its table in the warehouse.</summary>
    public string Relation(SourceTable entry) => Relation(entry, sniffCsv: true);

    /// <summary>
    /// For a relative location that is missing from the project but names a file from the sources YAML's own folder,
    /// the path to write: dbt-duckdb reads it from where dbt runs (the project), as we do, not from the YAML file.
    /// </summary>
    private string BesideTheYaml(string location, SourceTable entry)
    {
        if (Path.IsPathRooted(location) || Path.GetDirectoryName(entry.FilePath) is not { } folder || !File.Exists(Path.Combine(folder, location)))
        {
            return "";
        }

        var meant = Path.GetRelativePath(_project.Directory, Path.GetFullPath(Path.Combine(folder, location))).Replace('\\', '/');
        return $"; a relative external_location is read from the dbt project's directory, as dbt-duckdb reads it from where dbt runs, not from the folder of the YAML file that declares it: write '{meant}'";
    }

    private string Relation(SourceTable entry, bool sniffCsv)
    {
        if (entry.ExternalLocation is { } location)
        {
            if (location.Contains('(', StringComparison.Ordinal))
            {
                // dbt-duckdb pastes such a location into SQL as it stands; so do we, but only a single table function call.
                return TableFunctionCall.IsSingleCall(location)
                    ? location
                    : throw DiagnosticException.At(Codes.ExternalLocationNotOneCall, entry.LocationAt, $"external_location of source('{entry.SourceName}', '{entry.Name}') must be a file path or one table function call such as read_csv('file.csv', header = true); it has text outside the call (a ';', a comment or a second statement), which would run as SQL");
            }

            var path = location.Contains("://", StringComparison.Ordinal) ? location : _project.Resolve(location);
            if (!location.Contains("://", StringComparison.Ordinal) && !DuckDbWarehouse.IsGlob(location) && Directory.Exists(path))
            {
                throw DiagnosticException.At(Codes.ExternalFileMissing, entry.LocationAt, $"external_location '{location}' of source('{entry.SourceName}', '{entry.Name}') is a directory, not a file ({DisplayPath.For(path)}); name a file in it, or its files with a pattern such as '{location.TrimEnd('/', '\\')}/*.csv'");
            }

            if (!location.Contains("://", StringComparison.Ordinal) && !DuckDbWarehouse.IsGlob(location) && !File.Exists(path))
            {
                throw DiagnosticException.At(Codes.ExternalFileMissing, entry.LocationAt, $"external_location '{location}' of source('{entry.SourceName}', '{entry.Name}') does not exist ({DisplayPath.For(path)}){BesideTheYaml(location, entry)}");
            }

            // An empty file would otherwise surface later as every mapped column "missing".
            if (File.Exists(path) && new FileInfo(path).Length == 0)
            {
                throw DiagnosticException.At(Codes.InputUnreadable, entry.LocationAt, $"external_location '{location}' of source('{entry.SourceName}', '{entry.Name}') is an empty file ({DisplayPath.For(path)})");
            }

            if (File.Exists(path) && CsvCompression.Misnamed(path) is { } misnamed)
            {
                throw DiagnosticException.At(Codes.InputUnreadable, entry.LocationAt, $"external_location '{location}' of source('{entry.SourceName}', '{entry.Name}') ({DisplayPath.For(path)}) {misnamed}");
            }

            // As empty: DuckDB reads blank lines as a header of one column, column0, and every mapped column is "missing".
            if (File.Exists(path) && CsvInput.IsCsv(path) && CsvInput.HoldsOnlyBlankLines(path))
            {
                throw DiagnosticException.At(Codes.InputUnreadable, entry.LocationAt, $"external_location '{location}' of source('{entry.SourceName}', '{entry.Name}') holds only blank lines, no header line ({DisplayPath.For(path)})");
            }

            // As empty: a whole compressed file of nothing has no header line, and DuckDB reads no rows (EM0500 "has no rows").
            if (File.Exists(path) && CsvInput.IsCsv(path) && CsvCompression.HoldsNothing(path))
            {
                throw DiagnosticException.At(Codes.InputUnreadable, entry.LocationAt, $"external_location '{location}' of source('{entry.SourceName}', '{entry.Name}') ({DisplayPath.For(path)}) holds nothing once decompressed, no header line: a compressed empty file");
            }

            if (!location.Contains("://", StringComparison.Ordinal) && !ExternalFileKind.IsRead(location))
            {
                throw DiagnosticException.At(Codes.InputUnreadable, entry.LocationAt,
                    $"external_location '{location}' of source('{entry.SourceName}', '{entry.Name}') ({DisplayPath.For(path)}) is not a kind of file DuckDB reads by its name: " +
                    $"name it {ExternalFileKind.Described}, or write the reader's call as the external_location, such as read_csv('{location.Replace("'", "''", StringComparison.Ordinal)}')");
            }

            return sniffCsv ? CsvRead(location, path) : Sql.Literal(path);
        }

        return Sql.Identifier(entry.Schema, entry.Identifier);
    }

    // A file's read: the literal path, which DuckDB reads by its extension (a CSV file with detection), or for one CSV
    // file the read its sniffer finds, written out once for every later read (CsvInput.DetectedRead).
    private string CsvRead(string location, string path)
    {
        if (_warehouse is null || location.Contains("://", StringComparison.Ordinal) || DuckDbWarehouse.IsGlob(location) || !CsvInput.IsCsv(path))
        {
            return Sql.Literal(path);
        }

        if (!_csvReads.TryGetValue(path, out var read))
        {
            _csvReads[path] = read = CsvInput.DetectedRead(_warehouse, path) ?? Sql.Literal(path);
        }

        return read;
    }

    /// <summary>
    /// The declared source tables <paramref name="expression"/> reads: itself for a <c>source()</c>, and for a <c>ref()</c>
    /// those its model's SQL names, through the models it refs in turn (a ref() that names no model file, a warehouse
    /// table or a seed, reads none); for naming the file behind a relation that could not be read. Nothing is compiled.
    /// </summary>
    public IReadOnlyList<SourceTable> SourcesRead(string expression, SourceSpan at) => SourcesRead(expression, at, _ => false);

    /// <summary>
    /// The declared source tables DuckDB reads when it reads <paramref name="expression"/> now: <see cref="SourcesRead(string, SourceSpan)"/>'s,
    /// but not through a model the warehouse holds as a table, which dbt built (its rows are read, not its sources' files);
    /// a model held as a view, or not built (compiled here, <see cref="Ref"/>), reads its sources when it is read.
    /// </summary>
    public IReadOnlyList<SourceTable> SourcesReadNow(string expression, SourceSpan at) => SourcesRead(expression, at, BuiltAsTable);

    /// <summary>
    /// The first gzip or zstd file behind <paramref name="expression"/>'s sources that is cut, damaged or misnamed, with
    /// what is wrong with it (<see cref="CsvCompression.Fault"/>), or null: through every model it refs
    /// (<see cref="SourcesRead(string, SourceSpan)"/>), or with <paramref name="readNow"/> only those reading it reads
    /// (<see cref="SourcesReadNow"/>). It decompresses each file whole.
    /// </summary>
    public (SourceTable Source, string File, string Fault)? CompressedFileFault(string expression, SourceSpan at, DuckDbWarehouse warehouse, bool readNow)
    {
        foreach (var (entry, file) in SourceFiles(expression, at, warehouse, readNow))
        {
            if (CsvCompression.Fault(file) is { } fault)
            {
                return (entry, file, fault);
            }
        }

        return null;
    }

    /// <summary>
    /// The local files behind <paramref name="expression"/>'s sources, each with its source, found as
    /// <see cref="CompressedFileFault"/> finds them, one source at a time as they are asked for; none is read.
    /// </summary>
    public IEnumerable<(SourceTable Source, string File)> SourceFiles(string expression, SourceSpan at, DuckDbWarehouse warehouse, bool readNow) =>
        (readNow ? SourcesReadNow(expression, at) : SourcesRead(expression, at)).SelectMany(entry => LocalFiles(entry, warehouse).Select(file => (entry, file)));

    /// <summary>
    /// The local files a source's external_location names (a path or a glob's matches); none for a source without one,
    /// a table function call (<c>read_csv(…)</c>) or a URL.
    /// </summary>
    private IReadOnlyList<string> LocalFiles(SourceTable entry, DuckDbWarehouse warehouse)
    {
        if (entry.ExternalLocation is not { } location || location.Contains('(', StringComparison.Ordinal) || location.Contains("://", StringComparison.Ordinal))
        {
            return [];
        }

        var path = _project.Resolve(location);
        return DuckDbWarehouse.IsGlob(location) ? warehouse.Glob(path) : File.Exists(path) ? [path] : [];
    }

    private IReadOnlyList<SourceTable> SourcesRead(string expression, SourceSpan at, Func<string, bool> builtAsTable) =>
        Read(expression, at, builtAsTable).Sources;

    /// <summary>
    /// The first gzip or zstd file a model read now (<see cref="SourcesReadNow"/>'s walk) names itself, in a
    /// <c>read_csv('…')</c> call or a <c>from '…'</c> (<see cref="ModelFileReads"/>), that is cut, damaged or misnamed
    /// (<see cref="CsvCompression.Fault"/>), with the read's place in the model file, or null. A model the warehouse holds
    /// as a view is read in the SQL dbt rendered for it, so a path written with <c>var()</c> is known; one not built, in
    /// its file. It decompresses each compressed file whole, as the source's check does; a plain file costs nothing.
    /// </summary>
    internal (string Model, FileRead Read, string File, string Fault)? ModelFileFault(string expression, SourceSpan at, DuckDbWarehouse warehouse)
    {
        foreach (var (model, file, text) in Read(expression, at, BuiltAsTable).Models)
        {
            var display = DisplayPath.For(file);
            var written = ModelFileReads.In(text, display);
            if (written.Count == 0)
            {
                // Nearly every model: it reads no file itself, so the warehouse is not asked for its view.
                continue;
            }

            var read = warehouse.Query(
                $"select sql from duckdb_views() where schema_name = {Sql.Literal(_target.Schema)} and view_name = {Sql.Literal(model)} and not internal",
                r => r.GetString(0)).FirstOrDefault() is { } viewSql
                ? ModelFileReads.In(viewSql, display).Select((r, i) => r with { At = PlaceInModel(r, i, written, display) }).ToList()
                : written;
            foreach (var entry in read)
            {
                foreach (var local in LocalFiles(entry.Path, warehouse))
                {
                    if (CsvCompression.Fault(local) is { } fault)
                    {
                        return (model, entry, local, fault);
                    }
                }
            }
        }

        return null;
    }

    // A read in a view's SQL (DuckDB writes it back in its own words, on its own lines) at the model file's read of the
    // same path, or the one in the same place when the file's paths are written with Jinja, or the file's first line.
    private static SourceSpan PlaceInModel(FileRead read, int index, IReadOnlyList<FileRead> written, string display) =>
        written.FirstOrDefault(w => w.Path == read.Path)?.At
        ?? (index < written.Count ? written[index].At : new SourceSpan(display, 1, 1));

    // The local files DuckDB reads for a path a model names: a compressed file or a glob, expanded by DuckDB's glob(),
    // which finds a relative path where its readers do (the working directory, then file_search_path, the project).
    // None for a path not known (not a literal), a URL, or one that can name no compressed file.
    private static IReadOnlyList<string> LocalFiles(string? path, DuckDbWarehouse warehouse)
    {
        if (path is null || path.Contains("://", StringComparison.Ordinal)
            || (!DuckDbWarehouse.IsGlob(path) && !CsvCompression.Endings.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase))))
        {
            return [];
        }

        try
        {
            return warehouse.Glob(path);
        }
        catch (DuckDB.NET.Data.DuckDBException)
        {
            // A path DuckDB cannot list is its reader's error to say, when the model is read.
            return [];
        }
    }

    private bool BuiltAsTable(string model) => _warehouse?.Scalar<long>(
        $"select count(*) from information_schema.tables where table_schema = {Sql.Literal(_target.Schema)} and table_name = {Sql.Literal(model)} and table_type = 'BASE TABLE'") > 0;

    // The walk from a relation through the models it refs (each model's file and text, not through one builtAsTable) to
    // the sources they read.
    private (List<SourceTable> Sources, List<(string Model, string File, string Text)> Models) Read(string expression, SourceSpan at, Func<string, bool> builtAsTable)
    {
        var found = new List<SourceTable>();
        var models = new List<(string, string, string)>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var calls = new Queue<JinjaCall>([RelationExpression.Parse(expression, at)]);
        while (calls.TryDequeue(out var call))
        {
            if (call.IsSource && _sources.Find(call.Arguments[0], call.Arguments[1]) is { } entry && !found.Contains(entry))
            {
                found.Add(entry);
            }
            else if (call.IsRef && visited.Add(call.RefModel) && !builtAsTable(call.RefModel)
                && _project.ModelFiles(".sql").FirstOrDefault(f => Path.GetFileNameWithoutExtension(f) == call.RefModel) is { } file)
            {
                var text = File.ReadAllText(file);
                models.Add((call.RefModel, file, text));
                foreach (var read in ModelSql.References(text, DisplayPath.For(file)))
                {
                    calls.Enqueue(read);
                }
            }
        }

        return (found, models);
    }

    public string Ref(string model, SourceSpan at)
    {
        if (_tableExists(_target.Schema, model))
        {
            return Sql.Identifier(_target.Schema, model);
        }

        var file = _project.ModelFiles(".sql").FirstOrDefault(f => Path.GetFileNameWithoutExtension(f) == model)
            ?? throw DiagnosticException.At(Codes.RefNotFound, at, $"ref('{model}') names no model under {string.Join(", ", _project.ModelPaths)} and no table {_target.Schema}.{model} in the warehouse");
        if (_compiling.Contains(model))
        {
            throw DiagnosticException.At(Codes.RefNotFound, at, $"ref('{model}') is part of a cycle: {string.Join(" → ", _compiling.Reverse())} → {model}");
        }

        // A model dbt has not built yet is compiled inline, so checks run with no dbt installed.
        _compiling.Push(model);
        try
        {
            var compiled = ModelSql.Compile(File.ReadAllText(file), DisplayPath.For(file), Resolve);
            return ModelSql.AsSubquery(compiled);
        }
        finally
        {
            _compiling.Pop();
        }
    }
}
