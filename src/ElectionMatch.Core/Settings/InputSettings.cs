using ElectionMatch.Diagnostics;

namespace ElectionMatch.Settings;

/// <summary>One side of a match: the relation it reads, its id column and the column for each role the matcher needs.</summary>
public sealed record InputSettings(
    string Relation,
    SourceSpan RelationAt,
    string Id,
    SourceSpan IdAt,
    IReadOnlyDictionary<string, ColumnMapping> Columns)
{
    public string? Column(string role) => Columns.TryGetValue(role, out var mapping) ? mapping.Column : null;

    /// <summary><c>keep_columns:</c>, the input row's columns published as they are after the match's own; null when unset.</summary>
    public KeptColumns? Keep { get; init; }

    /// <summary>
    /// <c>encoding:</c>, the text encoding of the input's CSV files as DuckDB's CSV reader names it (<see cref="Encodings"/>);
    /// null when unset (UTF-8).
    /// </summary>
    public string? Encoding { get; init; }

    /// <summary>Where <c>encoding:</c> is written; null when unset.</summary>
    public SourceSpan? EncodingAt { get; init; }

    /// <summary>
    /// <c>date_format:</c>, the order of a CSV input's dates as DuckDB's <c>strptime</c> writes it (<c>%m/%d/%Y</c>), given
    /// to every read of its files; null when unset (the sniffer finds it, and EM0026 stops a run when it cannot tell).
    /// </summary>
    public string? DateFormat { get; init; }

    /// <summary>Where <c>date_format:</c> is written; null when unset.</summary>
    public SourceSpan? DateFormatAt { get; init; }

    /// <summary>
    /// <c>timestamp_format:</c>, the form of a CSV input's timestamps as DuckDB's <c>strptime</c> writes it
    /// (<c>%m/%d/%Y %H:%M:%S</c>), given to every read of its files; null when unset (the sniffer finds it, and EM0026
    /// stops a run when it cannot tell the order of day and month).
    /// </summary>
    public string? TimestampFormat { get; init; }

    /// <summary>Where <c>timestamp_format:</c> is written; null when unset.</summary>
    public SourceSpan? TimestampFormatAt { get; init; }

    /// <summary>
    /// The columns mapped to the kind's date roles (<see cref="MatchKind.DateRoles"/>): the only ones <see cref="DateFormat"/>
    /// and <see cref="TimestampFormat"/> read. Before, the formats retyped every text column the match reads that held a
    /// value written so (a district <c>2024-03-05</c>), and every other value of it was then a reject.
    /// </summary>
    public IReadOnlyList<string> DateColumns { get; init; } = [];

    /// <summary>
    /// The columns that hold identifiers: the input's <see cref="Id"/> (as role <c>id</c>) and those mapped to the kind's
    /// identifier roles (<see cref="MatchKind.IdentifierRoles"/>), which a sources YAML may not declare a type no
    /// identifier can be (an interval, a date, a floating number).
    /// </summary>
    public IReadOnlyList<ColumnMapping> IdentifierColumns { get; init; } = [];

    /// <summary>The encodings DuckDB's CSV reader reads without an extension, so its reject store is kept.</summary>
    public static IReadOnlyList<string> Encodings { get; } = ["utf-8", "latin-1", "utf-16"];
}
