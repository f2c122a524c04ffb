using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>One table of a dbt source, with where it was declared.</summary>
public sealed record SourceTable(
    string SourceName,
    string Name,
    string Identifier,
    string? Database,
    string Schema,
    string? ExternalLocation,
    IReadOnlyList<string> Columns,
    string FilePath,
    SourceSpan At)
{
    /// <summary>Where the entry's <c>meta: manifest:</c> names a snapshot's manifest (ElectionMatch writes it); null without one.</summary>
    public SourceSpan? ManifestAt { get; init; }

    /// <summary>The manifest the entry's <c>meta: manifest:</c> names, as written (relative to the project); null without one.</summary>
    public string? Manifest { get; init; }

    /// <summary>Where the table's schema is set: its own <c>schema:</c>, its source's, or the source's <c>name:</c> (the schema without one).</summary>
    public SourceSpan SchemaAt { get; init; }

    /// <summary>Where its <c>external_location</c> is written (its own, or its source's pattern); the entry without one.</summary>
    public SourceSpan LocationAt { get; init; }

    /// <summary>ElectionMatch wrote this entry: its <c>meta:</c> has <c>generated_by:</c> or names a snapshot's manifest.</summary>
    public bool IsGenerated { get; init; }

    /// <summary>Where the entry's top-level <c>meta:</c> holding <c>generated_by:</c> is (dbt 1.10 warns on it); null when there is none.</summary>
    public SourceSpan? GeneratedMetaAtTop { get; init; }

    /// <summary>
    /// The <c>data_type</c> each of its <c>columns:</c> declares, as written, with where: a match reads a CSV input's
    /// column as that type (<see cref="Matching.CsvInput.DeclaredTypes"/>) instead of the one DuckDB's sniffer guesses, and
    /// warns for one that is not the column's own type in any other input (<see cref="Matching.DeclaredTypeMismatch"/>).
    /// </summary>
    public IReadOnlyList<DeclaredColumnType> DeclaredTypes { get; init; } = [];
}

/// <summary>A column's <c>data_type</c> in a sources YAML: the column, the type as written (or as DuckDB names it, once checked), and the value's place.</summary>
public sealed record DeclaredColumnType(string Column, string Type, SourceSpan At);
