using System.Data.Common;
using DuckDB.NET.Data;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Warehouse;

/// <summary>A connection to the embedded DuckDB warehouse named by profiles.yml.</summary>
public sealed class DuckDbWarehouse : IDisposable
{
    private readonly DuckDBConnection _connection;

    // What Remember kept, dropped by the next Execute.
    private readonly Dictionary<string, object> _remembered = new(StringComparer.Ordinal);

    private DuckDbWarehouse(DuckDBConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }

    /// <param name="namedAt">The setting that names the file (profiles.yml's <c>path:</c>), where a file that is not a
    /// warehouse is reported (EM0042); without it, the file itself, with no line (it is binary).</param>
    /// <param name="wait">How long to wait while another process holds DuckDB's lock on the file (a command that took
    /// <see cref="WarehouseLock"/> first passes what is left of its wait); none when null: EM0600 at once.</param>
    public static DuckDbWarehouse Open(string path, bool readOnly = false, SourceSpan? namedAt = null, LockWait? wait = null)
    {
        EnsureDatabaseFile(path, namedAt);
        if (!readOnly)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        }

        var builder = new DuckDBConnectionStringBuilder { DataSource = path };
        if (readOnly)
        {
            builder["ACCESS_MODE"] = "READ_ONLY";
        }

        wait ??= LockWait.None;
        while (true)
        {
            var connection = new DuckDBConnection(builder.ConnectionString);
            try
            {
                connection.Open();
            }
            catch (DuckDBException e)
            {
                connection.Dispose();
                var display = Dbt.DisplayPath.For(path);
                if (!e.Message.Contains("Could not set lock", StringComparison.Ordinal) && !e.Message.Contains("Conflicting lock", StringComparison.Ordinal))
                {
                    throw DiagnosticException.At(Codes.WarehouseFailure, namedAt ?? SourceSpan.PathOnly(display), $"cannot open the warehouse {display}: {e.Message.Split('\n')[0]}");
                }

                // Another process, not the setting, is the problem: waited for as for electionmatch's own lock (a
                // command of another user, a dbt run), then reported at the file.
                var holder = LockHolder.Of(e.Message);
                if (wait.Pause(() => holder.Name))
                {
                    continue;
                }

                throw DiagnosticException.At(Codes.WarehouseLocked, SourceSpan.PathOnly(display), holder.Advice(wait));
            }

            return new DuckDbWarehouse(InUtc(connection), path);
        }
    }

    /// <summary>
    /// Sets the session's time zone to UTC. DuckDB's default is the machine's zone, in which a cast of a zoned
    /// timestamp (<c>2024-11-05T00:00:00Z</c>) to a date falls on the day before west of Greenwich: a run's rows,
    /// its input hashes and verify's comparison of them would depend on where the tool runs. The setting is per
    /// connection (DuckDB refuses it as a database option before ICU is loaded), so every connection takes it here.
    /// </summary>
    private static DuckDBConnection InUtc(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "set TimeZone = 'UTC'";
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// Refuses an existing file that is not a DuckDB database (its header holds "DUCK" at offset 8). DuckDB itself
    /// refuses one only by a .duckdb name: a .csv, .parquet or .json file it opens as an in-memory database over that
    /// file, so a run would publish into memory and lose the snapshot. A path that does not exist is created as today.
    /// </summary>
    private static void EnsureDatabaseFile(string path, SourceSpan? namedAt)
    {
        var header = new byte[12];
        int read;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // a new warehouse, or one DuckDB reports itself (unreadable)
        }

        if (read < header.Length || !header.AsSpan(8, 4).SequenceEqual("DUCK"u8))
        {
            var display = Dbt.DisplayPath.For(path);
            throw DiagnosticException.At(Codes.WarehouseFailure, namedAt ?? SourceSpan.PathOnly(display),
                $"cannot open the warehouse {display}: the file exists but is not a DuckDB database file (" + (read == 0 ? "it is empty" : "no DuckDB header") +
                "); point profiles.yml's path at the warehouse, or at a file that does not exist yet to create a new one");
        }
    }

    /// <summary>An in-memory database, for work that must not touch the user's warehouse.</summary>
    public static DuckDbWarehouse InMemory()
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        return new DuckDbWarehouse(InUtc(connection), ":memory:");
    }

    public DuckDBConnection Connection => _connection;

    /// <summary>A second connection to the same database, for a thread that writes while this one reads.</summary>
    public DuckDBConnection OpenSecondConnection()
    {
        if (Path == ":memory:")
        {
            // An in-memory database is reachable only through its first connection; a duplicate shares it, but closed.
            var duplicate = _connection.Duplicate();
            if (duplicate.State != System.Data.ConnectionState.Open)
            {
                duplicate.Open();
            }

            return InUtc(duplicate);
        }

        var connection = new DuckDBConnection(_connection.ConnectionString);
        connection.Open();
        return InUtc(connection);
    }

    public int Execute(string sql)
    {
        Forget();
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public T? Scalar<T>(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public List<T> Query<T>(string sql, Func<DbDataReader, T> read)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>
    /// The rows of a query one at a time, streamed from DuckDB as they are produced: neither DuckDB nor the
    /// caller holds the whole result. Nothing else may run on this connection until the enumeration ends.
    /// </summary>
    public IEnumerable<T> Stream<T>(string sql, Func<DbDataReader, T> read) => Stream(_connection, sql, read);

    /// <summary><see cref="Stream{T}(string, Func{DbDataReader, T})"/> on any connection, such as a second one working beside the first.</summary>
    public static IEnumerable<T> Stream<T>(DuckDBConnection connection, string sql, Func<DbDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.UseStreamingMode = true;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return read(reader);
        }
    }

    /// <summary>Column names and DuckDB types of a query's result, without running it to completion.</summary>
    public IReadOnlyList<ColumnInfo> Describe(string query) =>
        Query($"describe {query}", r => new ColumnInfo(r.GetString(0), r.GetString(1)));

    /// <summary>
    /// The files a glob (<c>data/hs/*.csv</c>) matches, in the order DuckDB's readers read them: asked of DuckDB, whose
    /// order is not a plain sort (<c>**</c> lists a folder's files before its subfolders'). Empty when none matches.
    /// </summary>
    public IReadOnlyList<string> Glob(string pattern) =>
        Query($"select file from glob({Sql.Literal(pattern)})", r => r.GetString(0));

    /// <summary>
    /// Whether a path is a glob as DuckDB's readers tell one: it has a <c>*</c>, <c>?</c> or <c>[</c> (<c>part_?.csv</c>,
    /// <c>part_[12].csv</c> match files as <c>part_*.csv</c> does). In a URL only <c>*</c> counts, since <c>?</c> starts its query.
    /// </summary>
    public static bool IsGlob(string path) =>
        path.Contains("://", StringComparison.Ordinal) ? path.Contains('*', StringComparison.Ordinal) : path.IndexOfAny(GlobCharacters) >= 0;

    private static readonly char[] GlobCharacters = ['*', '?', '['];

    /// <summary>The part of a glob before the folder its first wildcard is in, with its separator ("" when there is none).</summary>
    public static string GlobFolder(string pattern)
    {
        var wildcard = pattern.IndexOfAny(GlobCharacters);
        return pattern[..(pattern.LastIndexOfAny(['/', '\\'], wildcard) + 1)];
    }

    /// <summary>
    /// Whether a table or view of that name is in the schema. A table found is remembered until the next
    /// <see cref="Execute"/> (<see cref="Remember{T}"/>); one not found is asked again, since a second connection may
    /// create it. Commands ask about the same few tables many times (the snapshot log, a snapshot and its quarantine),
    /// and information_schema.tables lists every table and view of the warehouse to answer: 2-4 ms a call on one that
    /// holds a run's stages.
    /// </summary>
    public bool TableExists(string schema, string table)
    {
        var key = "table-exists\0" + schema + "\0" + table;
        if (Recalled(key, out _))
        {
            return true;
        }

        var exists = Scalar<long>($"select count(*) from information_schema.tables where table_schema = {Sql.Literal(schema)} and table_name = {Sql.Literal(table)}") > 0;
        return exists && Keep(key, true);
    }

    /// <summary>
    /// <paramref name="read"/>'s answer for <paramref name="key"/>, read once and then remembered until this connection
    /// next runs a statement through <see cref="Execute"/>, which every statement of ours that drops a table or writes
    /// the snapshot log goes through (a second connection creates and fills tables, the stages it is given and the
    /// judge's cache, and drops none). For what a command reads over and over and only it changes: the snapshot log. The
    /// caller gets the same object each time, and must not change it.
    /// </summary>
    public T Remember<T>(string key, Func<T> read)
        where T : notnull =>
        Recalled(key, out var kept) ? (T)kept : Keep(key, read());

    private bool Recalled(string key, out object value)
    {
        lock (_remembered)
        {
            return _remembered.TryGetValue(key, out value!);
        }
    }

    private T Keep<T>(string key, T value)
        where T : notnull
    {
        lock (_remembered)
        {
            _remembered[key] = value;
        }

        return value;
    }

    private void Forget()
    {
        lock (_remembered)
        {
            _remembered.Clear();
        }
    }

    /// <summary>
    /// Whether a scalar function of that name taking <paramref name="arity"/> arguments exists in this connection (a C#
    /// function registered earlier, say). A call of it is bound, never run: the binder finds it in the catalog in under a
    /// millisecond, where a query of duckdb_functions() lists every function of the database, 15-60 ms a call, and every
    /// command that reads a CSV file or runs a match asks two to four times.
    /// </summary>
    public bool FunctionExists(string name, int arity)
    {
        try
        {
            Scalar<long>($"select count(*) from (select {name}({string.Join(", ", Enumerable.Repeat("null", arity))}) where false)");
            return true;
        }
        catch (DuckDBException e) when (e.Message.StartsWith("Catalog Error: Scalar Function with name ", StringComparison.Ordinal) && e.Message.Contains(" does not exist", StringComparison.Ordinal))
        {
            return false;
        }
    }

    /// <summary>
    /// Makes the statement running on this connection, from another thread, fail at once (DuckDB.NET throws
    /// <see cref="OperationCanceledException"/>); with none running, nothing happens: the next statement runs.
    /// </summary>
    public void Interrupt() => _connection.NativeConnection.Interrupt();

    public void InTransaction(Action work)
    {
        Execute("begin transaction");
        try
        {
            work();
            Execute("commit");
        }
        catch
        {
            Execute("rollback");
            throw;
        }
    }

    public void Dispose() => _connection.Dispose();
}
