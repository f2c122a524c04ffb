using System.Security.Cryptography;
using System.Text;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Incremental;

/// <summary>
/// Splits a candidacy match's inputs into state partitions (spec 003: work is partitioned by state so that
/// re-running one state does not re-process another) and hashes each partition's input rows.
/// A state is read as the cleaning reads it: its postal code or its name, through <c>states.csv</c>.
/// </summary>
internal static class StatePartitions
{
    /// <summary>A row's state over <see cref="NumberedWithState"/>: its postal code, or <see cref="StatePartition.NoState"/>.</summary>
    private const string StateCode = "coalesce(st.code, '')";

    /// <param name="reused">
    /// Receives "left" or "right" for an input whose row hashes were kept from an earlier run (<see cref="RowHashes"/>);
    /// null hashes every input afresh (<c>--full</c>).
    /// </param>
    public static IReadOnlyList<StatePartition> Of(DuckDbWarehouse warehouse, RunSchema cache, MatchSettings match, MatchInputs inputs, ICollection<string>? reused = null)
    {
        ReferenceData.LoadStates(warehouse, cache, "states");
        warehouse.Execute($"""
            create table if not exists {cache.Table("row_hash_sources")} (side varchar, source_key varchar, input_sha256 varchar);
            alter table {cache.Table("row_hash_sources")} add column if not exists rejects_sha256 varchar;
            """);
        var (left, leftRejects) = RowHashes(warehouse, cache, "left", inputs.Left, match.Left.Column("state"), reused);
        var (right, rightRejects) = RowHashes(warehouse, cache, "right", inputs.Right, match.Right.Column("state"), reused);
        var states = warehouse.Query($"select distinct state from {left} where state <> '' order by state", r => r.GetString(0));
        var partitions = states.Prepend(StatePartition.NoState).ToList();
        Dictionary<string, long> RowsByState(string hashes) => warehouse.Query($"select state, count(*) from {hashes} group by state", r => (State: r.GetString(0), Rows: r.GetInt64(1)))
            .ToDictionary(x => x.State, x => x.Rows, StringComparer.Ordinal);
        var leftRows = RowsByState(left);
        var rightRows = RowsByState(right);
        var statelessRight = rightRows.GetValueOrDefault(StatePartition.NoState);

        // A state's left rows meet that state's right rows and those with no usable state; the stateless left rows meet all.
        var leftHashes = PartitionHashes(warehouse, left, partitions, rightSide: false);
        var rightHashes = PartitionHashes(warehouse, right, partitions, rightSide: true);
        var leftState = CopiedStateColumn(warehouse, inputs.LeftRelation);
        var rightState = CopiedStateColumn(warehouse, inputs.RightRelation);
        // The row hashes are of values only: the columns' names and types (a header renamed or swapped) are in every
        // partition's hash, and a CSV file's unreadable lines, which only the stateless partition quarantines, in its.
        var columns = Columns(warehouse, inputs);
        var rejects = $" rejects {leftRejects} {rightRejects}";
        return partitions.Select(state => new StatePartition(
            state,
            Rows(cache, "left", leftState, $"= {Sql.Literal(state)}"),
            // The stateless partition reads the right input as it is, so a parquet file keeps its reader's numbering
            // (NumberedInput): numbered on every thread, and read again by right_clean instead of copied whole through right_input.
            state == StatePartition.NoState ? inputs.RightRelation : Rows(cache, "right", rightState, $"in ({Sql.Literal(state)}, '')"),
            Sha256($"left {leftHashes[state]} right {rightHashes[state]} columns {columns}" + (state == StatePartition.NoState ? rejects : "")),
            leftRows.GetValueOrDefault(state),
            leftHashes[state],
            rightHashes[state])
        {
            // A state's results rows and a copy of each with no usable state; the stateless partition reads them all.
            RightRows = state == StatePartition.NoState ? rightRows.Values.Sum() : rightRows.GetValueOrDefault(state) + statelessRight,
        }).ToList();
    }

    /// <summary>
    /// Copies the input rows that <paramref name="partitions"/> read into the cache, each with its number and state
    /// (<c>left_partition_rows</c>, <c>right_partition_rows</c>), where their relations (<see cref="Of"/>) read them: a
    /// partition then reads its own rows, not the whole input through a filter. At a million candidacies a small state's
    /// right_input scanned the 7.2M results rows on one thread to keep 13,590 (4.3 s of its 6.4).
    /// </summary>
    /// <remarks>
    /// A row's state is read from the row, as <see cref="RowHashes"/> reads it, not joined from the row hashes by number:
    /// a relation whose order is not stable (a view with a <c>group by</c>) numbers its rows differently on each read.
    /// The copy reads the whole input, so a CSV file's unreadable lines are in its reject store's latest scan, which the
    /// stateless partition, matched next on this connection, quarantines (when the row hashes were kept, no other read
    /// of the file happens in the run).
    /// </remarks>
    public static void CopyRows(DuckDbWarehouse warehouse, RunSchema cache, MatchSettings match, MatchInputs inputs, IReadOnlyCollection<StatePartition> partitions)
    {
        var states = partitions.Select(p => p.State).ToList();
        Copy("left", inputs.LeftRelation, match.Left.Column("state"), states);
        if (partitions.Any(p => p.State != StatePartition.NoState))
        {
            Copy("right", inputs.RightRelation, match.Right.Column("state"), states.Append(StatePartition.NoState).Distinct().ToList());
        }

        void Copy(string side, string relation, string? stateColumn, List<string> keep)
        {
            try
            {
                var state = Sql.Identifier(CopiedStateColumn(warehouse, relation));
                warehouse.Execute($"""
                    create or replace table {cache.Table(side + "_partition_rows")} as
                    select * from (select {StateCode} as {state}, s.* from {NumberedWithState(warehouse, cache, relation, stateColumn)}) as c
                    where {state} in ({List(keep)})
                    """);
            }
            catch (DuckDB.NET.Data.DuckDBException e)
            {
                Diagnostics.DiskFull.ThrowIfFull(e);
                throw;
            }
        }
    }

    /// <summary>Drops the copies <see cref="CopyRows"/> made, and a batch's table of partitions, once every partition that reads them is done.</summary>
    public static void DropRows(DuckDbWarehouse warehouse, RunSchema cache) => warehouse.Execute($"""
        drop table if exists {cache.Table("left_partition_rows")};
        drop table if exists {cache.Table("right_partition_rows")};
        drop table if exists {cache.Table(BatchTable)};
        """);

    /// <summary>
    /// The partitions of <paramref name="partitions"/> in batches whose candidacies share no id (as the cleaning reads it):
    /// one batch unless an id is used in two states. A batch's stages join a candidacy's election rows by its id (the
    /// date fallback's one row per id and type, a discovered runoff's own runoffs), so an id in two partitions of one
    /// batch would meet itself, where each partition's own run sees one; such partitions go to different batches. A batch
    /// reads at most <paramref name="maxInputRows"/> input rows (<see cref="StatePartition.InputRows"/>: each partition's
    /// candidacies and results rows, a results row with no usable state once for each), unless one partition alone reads
    /// more. A blank id is shared by no one: its rows are quarantined in their partitions.
    /// </summary>
    public static List<List<StatePartition>> Batches(DuckDbWarehouse warehouse, RunSchema cache, MatchSettings match, MatchInputs inputs, IReadOnlyList<StatePartition> partitions, long maxInputRows)
    {
        var batches = new List<List<StatePartition>>();
        if (partitions.Count == 0)
        {
            return batches;
        }

        var state = Sql.Identifier(CopiedStateColumn(warehouse, inputs.LeftRelation));
        var idType = inputs.Left.ColumnType(warehouse, inputs.LeftRelation, match.Left.Id);
        var id = CandidacyDdhqCleaning.LeftIdSql(Sql.Identifier(match.Left.Id), idType);
        var shared = warehouse.Query($"""
            with ids as (select distinct {id} as id, {state} as state from {cache.Table("left_partition_rows")} where {state} in ({List(partitions.Select(p => p.State))}))
            select distinct a.state, b.state
            from ids as a
            join ids as b on a.id = b.id and a.state < b.state and a.id <> ''
            """, r => (r.GetString(0), r.GetString(1)));
        var apart = shared.Concat(shared.Select(s => (s.Item2, s.Item1))).ToHashSet();
        foreach (var partition in partitions)
        {
            var batch = batches.FirstOrDefault(b => b.All(other => !apart.Contains((partition.State, other.State))) && b.Sum(other => other.InputRows) + partition.InputRows <= maxInputRows);
            if (batch is null)
            {
                batches.Add([partition]);
            }
            else
            {
                batch.Add(partition);
            }
        }

        return batches;
    }

    /// <summary>The table of a batch's partitions and their rows' numbers (<see cref="PartitionBatch"/>), beside the copies.</summary>
    private const string BatchTable = "batch_partitions";

    /// <summary>
    /// The inputs of state partitions matched together (<see cref="PartitionBatch"/>), from the rows <see cref="CopyRows"/>
    /// copied: each partition's left rows, then the next's, each in input order, and on the right each partition's rows as
    /// its own run reads them (its state's and those with no usable state, in input order), so a stateless results row
    /// comes once per partition. With them the table that says which row numbers are whose.
    /// </summary>
    public static (MatchInputs Inputs, PartitionBatch Batch) BatchInputs(DuckDbWarehouse warehouse, RunSchema cache, MatchInputs inputs, IReadOnlyList<StatePartition> partitions)
    {
        if (partitions.Count == 0 || partitions.Any(p => p.State == StatePartition.NoState))
        {
            throw new ArgumentException("a batch holds state partitions only, one or more", nameof(partitions));
        }

        var leftState = Sql.Identifier(CopiedStateColumn(warehouse, inputs.LeftRelation));
        var rightState = Sql.Identifier(CopiedStateColumn(warehouse, inputs.RightRelation));
        var places = "(values " + string.Join(", ", partitions.Select((p, i) => $"({Sql.Literal(p.State)}, {i})")) + ") as b(em_batch_state, em_place)";
        string Rows(string side, string state, string meets) => $"""
            (select * exclude ({state}, em_row_number, em_place) from (
                select c.*, b.em_place from {cache.Table(side + "_partition_rows")} as c join {places} on {meets}
            ) order by em_place, em_row_number)
            """;
        var left = Rows("left", leftState, $"c.{leftState} = b.em_batch_state");
        var right = Rows("right", rightState, $"c.{rightState} in (b.em_batch_state, '')");
        var table = cache.Table(BatchTable);
        warehouse.Execute($"""
            create or replace table {table} as
            with
                left_rows as (select b.em_batch_state, b.em_place, count(c.{leftState}) as n from {places} left join {cache.Table("left_partition_rows")} as c on c.{leftState} = b.em_batch_state group by all),
                right_rows as (select b.em_batch_state, count(c.{rightState}) as n from {places} left join {cache.Table("right_partition_rows")} as c on c.{rightState} in (b.em_batch_state, '') group by all),
                sizes as (select l.em_batch_state as state, l.em_place as place, l.n as left_n, r.n as right_n from left_rows as l join right_rows as r using (em_batch_state))
            select
                state,
                cast(sum(left_n) over (order by place) - left_n + 1 as bigint) as left_first,
                cast(sum(left_n) over (order by place) as bigint) as left_last,
                cast(sum(right_n) over (order by place) - right_n + 1 as bigint) as right_first,
                cast(sum(right_n) over (order by place) as bigint) as right_last
            from sizes
            order by place
            """);
        return (new MatchInputs(inputs.Left with { Sql = left, Csv = null }, inputs.Right with { Sql = right, Csv = null }), new PartitionBatch(table));
    }

    /// <summary>A partition's rows of one side as <see cref="CopyRows"/> copied them: in input order, the input's columns only.</summary>
    private static string Rows(RunSchema cache, string side, string stateColumn, string keep) =>
        $"(select * exclude ({Sql.Identifier(stateColumn)}, em_row_number) from {cache.Table(side + "_partition_rows")} where {Sql.Identifier(stateColumn)} {keep} order by em_row_number)";

    /// <summary>The copy's column for a row's state: <c>em_state</c>, or a name the input does not use.</summary>
    private static string CopiedStateColumn(DuckDbWarehouse warehouse, string relation)
    {
        var names = warehouse.Describe("select * from " + relation).Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var name = "em_state";
        while (names.Contains(name))
        {
            name += "_";
        }

        return name;
    }

    /// <summary>
    /// Each partition's hash of one side: the MD5 of its rows' hashes (<c>h</c>, <see cref="Snapshots.InputHash.ColumnTextAndLengths"/>) in input order joined by commas, as
    /// <c>md5(string_agg(h, ',' order by rn))</c> writes it (the MD5 of nothing for no rows). A left row belongs to its
    /// state's partition. A right row (<paramref name="rightSide"/>) belongs to the stateless partition too, and one with
    /// no usable state to every partition. One pass over the rows in order, streamed: an aggregate per partition over a
    /// join of partitions to rows took 11-14 s of wall time at a million candidacies, most of it building the stateless
    /// partition's string of 7.2M hashes.
    /// </summary>
    private static Dictionary<string, string> PartitionHashes(DuckDbWarehouse warehouse, string rowHashes, List<string> partitions, bool rightSide)
    {
        var hashes = partitions.Select(_ => new CommaJoinedMd5()).ToArray();
        var stateless = partitions.IndexOf(StatePartition.NoState);
        // 1-based; null for a state no partition has (a right row of a state with no left rows).
        var position = $"list_position([{List(partitions)}], state)";
        foreach (var (hash, partition) in warehouse.Stream($"select h, {position} from {rowHashes} order by rn", r => (r.GetString(0), r.IsDBNull(1) ? -1 : r.GetInt32(1) - 1)))
        {
            if (rightSide && partition == stateless)
            {
                foreach (var h in hashes)
                {
                    h.Append(hash);
                }

                continue;
            }

            if (partition >= 0)
            {
                hashes[partition].Append(hash);
            }

            if (rightSide)
            {
                hashes[stateless].Append(hash);
            }
        }

        return partitions.Zip(hashes).ToDictionary(x => x.First, x => x.Second.Finish(), StringComparer.Ordinal);
    }

    /// <summary>The MD5 of ASCII texts joined by commas, fed to the hash in blocks rather than a call a text.</summary>
    private sealed class CommaJoinedMd5
    {
        private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        private readonly byte[] _buffer = new byte[8192];
        private int _length;
        private bool _any;

        public void Append(string text)
        {
            if (_length + text.Length + 1 > _buffer.Length)
            {
                Flush();
            }

            if (_any)
            {
                _buffer[_length++] = (byte)',';
            }

            _length += Encoding.ASCII.GetBytes(text, _buffer.AsSpan(_length));
            _any = true;
        }

        public string Finish()
        {
            Flush();
            var hex = Convert.ToHexStringLower(_md5.GetHashAndReset());
            _md5.Dispose();
            return hex;
        }

        private void Flush()
        {
            _md5.AppendData(_buffer, 0, _length);
            _length = 0;
        }
    }

    /// <summary>
    /// The inputs' hashes for the manifest from the row hashes <see cref="Of"/> left in <paramref name="cache"/>: each
    /// is the row hash <see cref="Snapshots.InputHash.Of"/> computes in the current version, so the value is the same
    /// and the inputs are not read a second time.
    /// </summary>
    /// <remarks>An input whose row hashes were kept (<see cref="RowHashes"/>) keeps its input hash too.</remarks>
    public static (string Left, string Right) InputHashes(DuckDbWarehouse warehouse, RunSchema cache)
    {
        return (Side("left"), Side("right"));

        string Side(string side)
        {
            var sources = cache.Table("row_hash_sources");
            var kept = warehouse.Scalar<string>($"select input_sha256 from {sources} where side = {Sql.Literal(side)}");
            if (kept is not null)
            {
                return kept;
            }

            var hash = Snapshots.InputHash.OfRowHashes(warehouse, RowHashesTable(cache, side));
            warehouse.Execute($"update {sources} set input_sha256 = {Sql.Literal(hash)} where side = {Sql.Literal(side)}");
            return hash;
        }
    }

    /// <summary>The table <see cref="RowHashes"/> keeps a side's row hashes in: the latest incremental run's.</summary>
    public static string RowHashesTable(RunSchema cache, string side) => cache.Table(side + "_row_hashes");

    /// <summary>
    /// A table of (rn, h, state): each input row's number in input order, its hash (<see cref="Snapshots.InputHash.RowHashSql"/>
    /// in the current version, which the manifest's input hash and its partition's hash both read), and its partition's state.
    /// </summary>
    /// <remarks>
    /// <para>A parquet file is numbered by its reader (<see cref="NumberedInput.RowNumbers"/>), on every thread: numbering by
    /// <c>row_number() over ()</c> ran the whole statement, the rows' text and MD5 included, on one (7.2M results rows:
    /// 7.2-8.1 s of wall time, 3.9-4.3 numbered by the reader; the same numbers and hashes).</para>
    /// <para>An input that is a local file (or a glob of them) keeps the table from an earlier run while its key (<see cref="SourceKey"/>:
    /// the file's bytes and everything that reads them into row hashes) is the same (<c>row_hash_sources</c>). The file
    /// is hashed before and after its rows are, and a key is kept only if it did not change meanwhile; the old key is
    /// deleted before the table is replaced, so a run stopped between the two leaves no key.</para>
    /// </remarks>
    private static (string Table, string Rejects) RowHashes(DuckDbWarehouse warehouse, RunSchema cache, string side, InputRelation input, string? stateColumn, ICollection<string>? reused)
    {
        var table = RowHashesTable(cache, side);
        var sources = cache.Table("row_hash_sources");
        var key = reused is null ? null : SourceKey(warehouse, cache, input, stateColumn);
        if (key is not null && warehouse.TableExists(cache.Name, side + "_row_hashes") &&
            warehouse.Query($"select rejects_sha256 from {sources} where side = {Sql.Literal(side)} and source_key = {Sql.Literal(key)} and rejects_sha256 is not null", r => r.GetString(0)).FirstOrDefault() is { } kept)
        {
            reused?.Add(side);
            return (table, kept);
        }

        warehouse.Execute($"delete from {sources} where side = {Sql.Literal(side)}");
        warehouse.Execute($"""
            create or replace table {table} as
            select s.em_row_number as rn, {Snapshots.InputHash.RowHashSql(warehouse.Connection, input.Sql, "s")} as h, {StateCode} as state
            from {NumberedWithState(warehouse, cache, input.Sql, stateColumn)}
            """);

        // That statement read every line, so the reject store's latest scan holds the file's unreadable lines.
        var rejects = input.Csv is { } csv ? warehouse.Scalar<string>(csv.RejectsDigestSql)! : "none";
        var keptKey = key is not null && key == SourceKey(warehouse, cache, input, stateColumn) ? key : null;
        warehouse.Execute($"insert into {sources} values ({Sql.Literal(side)}, {Sql.Literal(keptKey)}, null, {Sql.Literal(rejects)})");
        return (table, rejects);
    }

    /// <summary>The inputs' columns, each's name and type in order: what a reader of the rows sees besides their values, in every partition's input hash.</summary>
    public static string Columns(DuckDbWarehouse warehouse, MatchInputs inputs) => Columns(warehouse, inputs.LeftRelation) + " | " + Columns(warehouse, inputs.RightRelation);

    // Each column's name and type, in order: what a reader of the rows sees besides their values.
    private static string Columns(DuckDbWarehouse warehouse, string relation) =>
        string.Join(", ", warehouse.Describe("select * from " + relation).Select(c => c.Name + " " + c.DataType));

    /// <summary>
    /// What a local file's row hashes are a function of: its bytes, the relation that reads it, the state column, the
    /// states it is looked up in, the row hash's definition, DuckDB's version (its text of values) and this build's
    /// code (<see cref="ToolInfo.Fingerprint"/>, since the tool's version alone does not change between builds). Null for an input that is not a local file or a glob of them.
    /// </summary>
    private static string? SourceKey(DuckDbWarehouse warehouse, RunSchema cache, InputRelation input, string? stateColumn)
    {
        var files = input.LocalFiles(warehouse);
        if (files.Count == 0 || !files.All(File.Exists))
        {
            return null;
        }

        var states = warehouse.Scalar<string>($"select md5(string_agg(key || '=' || code, ',' order by key, code)) from {cache.Table("states")}");
        var duckDb = warehouse.Scalar<string>("select version()");
        // A glob's files each by name and bytes, in the order read: a file added, removed or renamed changes the key.
        var bytes = input.Glob is not { } glob ? FileSha256(files[0]) : string.Join(',', files.Select(f => f[DuckDbWarehouse.GlobFolder(glob).Length..] + "=" + FileSha256(f)));
        // The rejects digest kept with the row hashes names each unreadable line's file as displayed, from the directory
        // the command runs in (CsvInput.RejectsDigestSql): from another, the same bytes quarantine under another path.
        return Sha256(string.Join('|', input.Sql, stateColumn, states, Snapshots.InputHash.CurrentVersion, duckDb, ToolInfo.Fingerprint, bytes, input.Csv?.DisplayPath));
    }

    internal static string FileSha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    /// <summary>
    /// The relation's rows numbered in input order (<c>s</c>) with the state each is looked up as (<c>st</c>, null for no
    /// usable state): the one reading of a row's state that its hash and its partition's copy share.
    /// </summary>
    private static string NumberedWithState(DuckDbWarehouse warehouse, RunSchema cache, string relation, string? stateColumn)
    {
        // The key the cleaning's em_state_key reads (ReferenceData.StateKeySql), folded as it is: a full-width ＴＸ is in TX's partition.
        CompatibilityFold.Register(warehouse);
        return $"{NumberedInput.RowNumbers(warehouse, relation)} as s left join {cache.Table("states")} as st on st.key = {(stateColumn is null ? "null" : ReferenceData.StateKeySql("s." + Sql.Identifier(stateColumn)))}";
    }

    private static string List(IEnumerable<string> values) => string.Join(", ", values.Select(Sql.Literal));

    internal static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
