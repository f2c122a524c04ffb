using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// A snapshot as its publish recorded it: its manifest file, and the warehouse's snapshot log record when there is one.
/// What verify compares the table with, and what check, generate and their advice decide by: whether the table still
/// has the columns it was published with (the content hash covers values only, so a renamed column or a changed type
/// is seen only here), and whether the parquet copy holds the snapshot, so that <c>restore</c> is the fix.
/// </summary>
internal sealed class SnapshotAsPublished
{
    /// <param name="record">The log's newest record of the snapshot, complete; null without a log of it (a clone without the warehouse).</param>
    public SnapshotAsPublished(SnapshotName name, ManifestFile file, SnapshotManifest manifest, PublishRecord? record)
    {
        Name = name;
        File = file;
        Manifest = manifest;
        Record = record;
        // The log's text is the tool's own; should it not parse, the file is the next best witness.
        PublishedManifest = record?.ParsedManifest() ?? manifest;
    }

    public SnapshotName Name { get; }

    public ManifestFile File { get; }

    /// <summary>The manifest file's, as it is now.</summary>
    public SnapshotManifest Manifest { get; }

    public PublishRecord? Record { get; }

    /// <summary>
    /// The manifest as published: the text the log completed (an edit of the file cannot change it, and verify reports
    /// the edit, EM0605), else the file.
    /// </summary>
    public SnapshotManifest PublishedManifest { get; }

    /// <summary>
    /// The snapshot's manifest in place when it parses, with its log record; null for a snapshot without one (loaded by
    /// hand), or whose run was interrupted (EM0608: the next run replaces the manifest).
    /// </summary>
    public static SnapshotAsPublished? Find(ProjectContext context, DuckDbWarehouse warehouse, SnapshotName name)
    {
        if (ManifestFiles.At(context, name) is not { Manifest: { } manifest } file)
        {
            return null;
        }

        var record = new SnapshotLog(warehouse).Latest(name.Match).FirstOrDefault(r => r.Snapshot == name.Table);
        return record is { IsComplete: false } ? null : new(name, file, manifest, record);
    }

    /// <summary>The content hash's definition as published; a manifest without a version predates the choice.</summary>
    public int ContentVersion => PublishedManifest.ContentSha256Version ?? ContentHash.RowText;

    /// <summary>
    /// Whether the parquet copy, written by the run that published the snapshot, still holds what was published (the
    /// log's rows and content hash, else the manifest's), so that restoring the table from it is the fix: a later run,
    /// or a hand, may have rewritten or deleted it. Reads the copy; asked only once a table is found wanting.
    /// </summary>
    public bool ParquetHoldsIt(ProjectContext context, DuckDbWarehouse warehouse) =>
        (Record?.CanonicalOrder ?? Manifest.CanonicalOrder) is { } order && ContentHash.IsKnown(ContentVersion)
            && ParquetCopy.Read(warehouse, context.ParquetPath(Name), PublishedManifest.Columns, order, ContentVersion)
                .Holds(Record?.Rows ?? Manifest.Rows, Record?.ContentSha256 ?? Manifest.ContentSha256);

    /// <summary>What to do about a table that no longer holds what was published (<see cref="ProjectContext.RepublishAdvice"/>).</summary>
    public string Advice(ProjectContext context, DuckDbWarehouse warehouse) => context.RepublishAdvice(Name, ParquetHoldsIt(context, warehouse));

    /// <summary>
    /// How the table's columns (<paramref name="now"/>, as described) differ from those the manifest recorded, names and
    /// types in order: <c>llm_reason VARCHAR is gone, reason_text VARCHAR is new, confidence is VARCHAR (published INTEGER)</c>.
    /// Null when they are the same, or the manifest predates recording them.
    /// </summary>
    public string? ColumnChanges(IReadOnlyList<ColumnInfo> now)
    {
        if (PublishedManifest.Columns is not { } published || published.SequenceEqual(now))
        {
            return null;
        }

        var before = published.ToDictionary(c => c.Name, c => c.DataType, StringComparer.Ordinal);
        var after = now.ToDictionary(c => c.Name, c => c.DataType, StringComparer.Ordinal);
        var changes = published.Where(c => !after.ContainsKey(c.Name)).Select(c => $"{c.Name} {c.DataType} is gone")
            .Concat(now.Where(c => !before.ContainsKey(c.Name)).Select(c => $"{c.Name} {c.DataType} is new"))
            .Concat(now.Where(c => before.TryGetValue(c.Name, out var type) && type != c.DataType).Select(c => $"{c.Name} is {c.DataType} (published {before[c.Name]})"))
            .ToList();
        return changes.Count == 0
            ? $"its columns are in another order ({string.Join(", ", now.Select(c => c.Name))}; published {string.Join(", ", published.Select(c => c.Name))})"
            : string.Join(", ", changes);
    }

    /// <summary>
    /// EM0618 when the table (<paramref name="now"/>: its columns) no longer has its published columns, at the manifest's
    /// <c>columns</c>, with <paramref name="consequence"/> (what the command does not do because of it) and the advice:
    /// <c>restore</c> when the parquet copy holds the snapshot. Null when the columns are as published.
    /// </summary>
    public Diagnostic? ColumnsAltered(ProjectContext context, DuckDbWarehouse warehouse, IReadOnlyList<ColumnInfo> now, string consequence = "")
    {
        if (ColumnChanges(now) is not { } changes)
        {
            return null;
        }

        var at = new SourceSpan(DisplayPath.For(File.Path), TextLines.Of(File.Text, "\"columns\""), 1);
        return Diagnostic.Error(Codes.SnapshotColumnsAltered, at,
            $"{context.Settings.Snapshots.Schema}.{Name.Table} no longer has the columns its manifest {System.IO.Path.GetFileName(File.Path)} recorded: {changes}; it was altered after publishing{consequence}; snapshots are immutable: {Advice(context, warehouse)}");
    }
}
