using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>One input of a run as DuckDB reads it, and where to point the user when it cannot be read.</summary>
/// <param name="Sql">A relation: a quoted table, a file path literal, a table function call or a compiled model.</param>
/// <param name="Description">What the user wrote (<c>source('s', 't')</c>) and, for a file, which file.</param>
/// <param name="At">The line that names the input: the source's <c>external_location</c> for a file, else electionmatch.yml.</param>
public sealed record InputRelation(string Sql, string Description, SourceSpan At)
{
    /// <summary>Set when the input is a CSV file, or a glob of them, read with the reject store (unreadable lines go to quarantine).</summary>
    public CsvInput? Csv { get; init; }

    /// <summary>The columns <c>keep_columns:</c> publishes as they are, as the relation names them, in their order; empty when unset.</summary>
    public IReadOnlyList<string> Kept { get; init; } = [];

    /// <summary>What reading the input found worth a word that does not stop the run (EM0027); the run prints them.</summary>
    public IReadOnlyList<Diagnostic> Warnings { get; init; } = [];

    /// <summary>
    /// The sources YAML's entry when the input is a <c>source()</c>: its columns' <c>data_type</c>s are read for a CSV
    /// file (<see cref="CsvInput.DeclaredTypes"/>), and only compared with the columns' types for any other input
    /// (<see cref="DeclaredTypeMismatch"/>).
    /// </summary>
    public Dbt.SourceTable? Source { get; init; }

    /// <summary>Set when the input is one local file (a source's <c>external_location</c>): its full path.</summary>
    public string? FilePath { get; init; }

    /// <summary>Set when the input is a glob of local files (<c>data/hs/*.csv</c> as <c>external_location</c>): its full pattern.</summary>
    public string? Glob { get; init; }

    /// <summary>
    /// The local files the input reads now, in the order DuckDB reads them: its one file, a glob's matches (listed
    /// afresh, so a file added or removed since shows), or none for a table or a model.
    /// </summary>
    public IReadOnlyList<string> LocalFiles(DuckDbWarehouse warehouse) =>
        FilePath is { } path ? [path] : Glob is { } glob ? warehouse.Glob(glob) : [];

    /// <summary>
    /// The DuckDB type of <paramref name="column"/> of <paramref name="relation"/> (this input as the run reads it); for
    /// a CSV file the type its sniffer found (<see cref="CsvInput.SniffedColumns"/>), and null when it found none: the
    /// file's reject store must see no read but the input stage's.
    /// </summary>
    public string? ColumnType(DuckDbWarehouse warehouse, string relation, string column) =>
        (Csv is { } csv ? csv.SniffedColumns : warehouse.Describe("select * from " + relation))
            .FirstOrDefault(c => c.Name.Equals(column, StringComparison.OrdinalIgnoreCase))?.DataType;
}
