using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>Publishes a run's output as <c>&lt;schema&gt;.&lt;match&gt;_YYYYMMDD</c> in one transaction, with its quarantine table.</summary>
public sealed class SnapshotPublisher
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly SnapshotSettings _settings;

    public SnapshotPublisher(DuckDbWarehouse warehouse, SnapshotSettings settings)
    {
        _warehouse = warehouse;
        _settings = settings;
    }

    public bool Exists(SnapshotName name) => _warehouse.TableExists(_settings.Schema, name.Table);

    /// <summary>Refuses to overwrite an existing snapshot unless <paramref name="replace"/> is set.</summary>
    public void EnsureWritable(SnapshotName name, bool replace, SourceSpan at)
    {
        if (!replace && Exists(name))
        {
            throw DiagnosticException.At(Codes.SnapshotExists, at, $"snapshot {_settings.Schema}.{name.Table} already exists; snapshots are immutable, so pass --replace to overwrite it or --snapshot-date to publish under another date");
        }
    }

    public void Publish(SnapshotName name, MatchResult result, bool replace)
    {
        var schema = Sql.Identifier(_settings.Schema);
        var final = Sql.Identifier(_settings.Schema, name.Table);
        var quarantine = Sql.Identifier(_settings.Schema, name.QuarantineTable);
        var staging = "__em_publishing_" + name.Table;
        var stagingQuarantine = "__em_publishing_" + name.QuarantineTable;

        // Everything below commits together or not at all: a reader never sees a half-published snapshot.
        _warehouse.InTransaction(() =>
        {
            _warehouse.Execute($"create schema if not exists {schema}");
            if (!replace && Exists(name))
            {
                throw DiagnosticException.At(Codes.SnapshotExists, SourceSpan.None, $"snapshot {_settings.Schema}.{name.Table} was published by another run meanwhile");
            }

            _warehouse.Execute($"create or replace table {Sql.Identifier(_settings.Schema, staging)} as select * from {result.OutputTable} order by {result.OrderBy}");
            _warehouse.Execute($"create or replace table {Sql.Identifier(_settings.Schema, stagingQuarantine)} as select * from {result.QuarantineTable}");
            _warehouse.Execute($"drop table if exists {final}");
            _warehouse.Execute($"drop table if exists {quarantine}");
            _warehouse.Execute($"alter table {Sql.Identifier(_settings.Schema, staging)} rename to {Sql.Identifier(name.Table)}");
            _warehouse.Execute($"alter table {Sql.Identifier(_settings.Schema, stagingQuarantine)} rename to {Sql.Identifier(name.QuarantineTable)}");
        });
    }

    /// <summary>
    /// SHA-256 over the snapshot's rows, each rendered as text, in the canonical order, joined by line feeds.
    /// The rows stream through an incremental hash: one aggregated string of a million-row snapshot is gigabytes
    /// (DuckDB ran out of memory building it). Same bytes hashed, so the same value as hashing that string.
    /// </summary>
    public string ContentHash(SnapshotName name, string orderBy)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var first = true;
        foreach (var row in _warehouse.Stream($"select cast(t as varchar) from {Sql.Identifier(_settings.Schema, name.Table)} as t order by {orderBy}", r => r.GetString(0)))
        {
            if (!first)
            {
                hash.AppendData("\n"u8);
            }

            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(row));
            first = false;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public long RowCount(SnapshotName name) =>
        _warehouse.Scalar<long>($"select count(*) from {Sql.Identifier(_settings.Schema, name.Table)}");

    /// <summary>Writes the parquet copy under the project's target folder through a temporary file.</summary>
    public string ExportParquet(SnapshotName name, string directory, string orderBy)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name.Table + ".parquet");
        var temporary = AtomicFile.TemporaryPathFor(path);
        try
        {
            _warehouse.Execute($"copy (select * from {Sql.Identifier(_settings.Schema, name.Table)} order by {orderBy}) to {Sql.Literal(temporary)} (format parquet)");
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return path;
    }
}
