using System.Text.Json;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Incremental;
using ElectionMatch.Matching;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// <c>electionmatch explain &lt;match&gt; &lt;left id&gt;</c>: for each election row of that left id in the latest
/// run (of an l2_ballotready match, the position's one row: <see cref="PositionExplanation"/>), the candidate pairs best
/// first with the weight of every field (a waterfall from the prior to the match weight) and the decision taken. Reads
/// the run schema the last <c>run</c> left in the warehouse; after <c>run --incremental</c>, the schemas of its state
/// partitions, recomputed or reused, which that run lists.
/// </summary>
public sealed class ExplainOperation
{
    private ProjectContext _context;

    public ExplainOperation(ProjectContext context)
    {
        _context = context;
    }

    /// <summary>
    /// The left id's election rows in a snapshot: the newest the stable model reads, or that of <paramref name="snapshotDate"/>.
    /// When the run schema's stages are of that snapshot's run (<see cref="RunIdentity"/>), with its candidate pairs and
    /// what quarantine and the temporal filter kept out; otherwise from the snapshot's rows alone, saying which run the
    /// stages are of. An id in neither the run's left input nor its quarantine (nor, read alone, the snapshot) is EM0111:
    /// an empty answer would read as "filtered out" when the id was mistyped; it names the other match whose left id it
    /// is, when one is (<see cref="LeftIdElsewhere"/>: the wrong match named).
    /// </summary>
    /// <param name="cancellationToken">Stops the wait for the warehouse lock (<see cref="Warehouse.LockWaitCancelledException"/>).</param>
    public Explanation Execute(string match, string leftId, int candidates = 5, DateOnly? snapshotDate = null, CancellationToken cancellationToken = default)
    {
        // A run reads ids trimmed (IdText), so an id pasted with a space or an unseen character at its end names the same row.
        leftId = Matching.IdText.Trim(leftId);
        var settings = _context.Settings.Match(match);
        var positions = settings.Kind == Settings.MatchKind.L2BallotReady.Name;
        if (leftId.Length == 0)
        {
            throw DiagnosticException.At(Codes.InvalidOption, SourceSpan.None, $"explain needs a left id (for example a {(positions ? PositionExplanation.LeftIdColumn : "gp_candidacy_id")}); the one given is empty");
        }

        if (settings.Kind != Settings.MatchKind.CandidacyDdhq.Name && !positions)
        {
            throw DiagnosticException.At(Codes.ExplainKindUnsupported, settings.At, $"explain reads candidacy_ddhq and l2_ballotready runs; for '{match}' ({settings.Kind}) see `evaluate --hardest` and the run's tables in schema {RunSchema.For(match).Name}");
        }

        var run = RunSchema.For(match);
        using var locked = _context.LockForReading($"explain {match}", out _context, cancellationToken);
        var warehouse = locked.Warehouse;
        var at = SourceSpan.PathOnly(DisplayPath.For(_context.Target.DatabasePath));
        var log = new SnapshotLog(warehouse);
        var identity = RunIdentity.Of(warehouse, run);
        var snapshot = Snapshot(warehouse, log, match, snapshotDate, at);
        if (snapshot is null)
        {
            var stages = HasStages(warehouse, run)
                ? $"; the run schema {run.Name} holds the stages of {(identity is null ? "a run that stopped or failed before it published" : $"a run of {identity.Snapshot} that did not publish")}, whose decisions are no snapshot's"
                : "";
            throw DiagnosticException.At(Codes.RunNotFound, at, $"no snapshot of '{match}' is published in the warehouse{stages}; `{_context.RunCommand(match, null, [])}` first");
        }

        var record = log.Latest(match).LastOrDefault(r => r.Snapshot == snapshot.Table);
        var interrupted = snapshotDate is null ? null : FinishedSnapshots.Interrupted(_context, warehouse, snapshot, at);
        // explain reads what a run published here; the stable model may read a newer snapshot loaded by hand from a file.
        var stable = snapshotDate is null ? Evaluation.EvaluatedSnapshot.StableModelReads(_context, warehouse, match) : null;
        var notStable = stable is not null && stable.Name != snapshot
            ? $"note: the stable model reads {stable.Display}, which no run published here, so explain cannot read it; this is {_context.Settings.Snapshots.Schema}.{snapshot.Table}, the newest a run published (`evaluate` scores {stable.Name.Table})"
            : snapshotDate is null && FinishedSnapshots.StableModelUnread(_context, warehouse, match, snapshot) is { } stableUnread ? "note: " + stableUnread
            : null;
        if (identity is null || record is null || identity.RunId != record.RunId)
        {
            var otherRun = OtherRun(warehouse, log, run, match, identity, snapshot);
            var published = positions
                ? PositionExplanation.FromSnapshot(warehouse, Sql.Identifier(_context.Settings.Snapshots.Schema, snapshot.Table), leftId)
                : FromSnapshot(warehouse, snapshot, leftId);
            if (published.Count == 0)
            {
                throw NotInSnapshot(warehouse, settings, positions ? PositionExplanation.LeftIdColumn : "gp_candidacy_id", snapshot, leftId, otherRun, at);
            }

            return new Explanation(published, []) { Snapshot = snapshot, OtherRun = otherRun, Kind = settings.Kind, Interrupted = interrupted, NotStable = notStable };
        }

        var (parts, unread) = Parts(warehouse, run, match, at);
        var holding = Holding(warehouse, parts, leftId);
        var thresholds = new RunThresholds(identity, settings);
        var found = holding.Select(part =>
        {
            Show(warehouse, part);
            return positions ? PositionExplanation.Read(warehouse, part, run, leftId, candidates) : Read(warehouse, part, run, leftId, candidates, thresholds);
        }).ToList();
        var rows = found.SelectMany(f => f.Rows).OrderBy(r => r.ElectionDate, StringComparer.Ordinal).ThenBy(r => r.ElectionType, StringComparer.Ordinal).ToList();
        var removed = found.SelectMany(f => f.Removed).OrderBy(r => r.ElectionDate, StringComparer.Ordinal).ThenBy(r => r.ElectionType, StringComparer.Ordinal).ToList();
        var quarantined = found.SelectMany(f => f.Quarantined).OrderBy(q => q.RowNumber).ToList();
        if (!found.Any(f => f.InLeftInput) && quarantined.Count == 0)
        {
            if (unread.Count > 0)
            {
                throw DiagnosticException.At(Codes.ExplainPartitionUnreadable, at,
                    $"'{PrintableText.Of(leftId)}' is in none of the state partitions of the latest (incremental) run of '{match}' that can be read, and the cached stages of {Partitions(unread)} are gone (removed by hand, or a run of another build stopped before it finished); `{_context.RunCommand(match, null, ["--incremental"])}` makes them readable again");
            }

            throw DiagnosticException.At(Codes.ExplainIdNotFound, at, NotFound(warehouse, parts, settings, leftId));
        }

        return new Explanation(rows, quarantined)
        {
            Snapshot = snapshot,
            Removed = removed,
            UnreadPartitions = unread,
            Partitions = holding.Select(h => h.Partition).OfType<ExplainedPartition>().ToList(),
            Interrupted = interrupted,
            NotStable = notStable,
            SettingsChanged = SettingsChanged(settings, identity, snapshot),
            // Only a judged row's lines are worded by a threshold (its 'sent to the judge' line, a discovered runoff's decision in a partition).
            ThresholdsNotRecorded = rows.Any(r => r.Judged is not null) ? thresholds.NotRecorded() : null,
            Kind = settings.Kind,
        };
    }

    /// <summary>
    /// EM0609's warning, as verify words it, when the match's settings in electionmatch.yml are not those the run recorded:
    /// explain words the run's decisions by the run's own thresholds, which the line names; null when unchanged or not recorded.
    /// </summary>
    private static Diagnostic? SettingsChanged(Settings.MatchSettings settings, RunIdentity identity, SnapshotName snapshot)
    {
        if (identity.MatchSettingsSha256 is not { } atRun || atRun == settings.ResultsSha256)
        {
            return null;
        }

        var c = System.Globalization.CultureInfo.InvariantCulture;
        string Listed(Func<string, double> value) => string.Join(", ", identity.Thresholds.Keys.Select(name => string.Create(c, $"{name} {value(name)}")));
        var now = identity.Thresholds.Any(t => t.Value != settings.Threshold(t.Key)) ? $" (electionmatch.yml now: {Listed(settings.Threshold)})" : "";
        return Diagnostic.Warning(Codes.SnapshotInputsChanged, settings.At,
            $"the settings of {settings.Name} in electionmatch.yml (its entry under matches:, or quarantine:) changed since {snapshot.Table} was made; explain shows that run's decisions by its own thresholds: {Listed(n => identity.Thresholds[n])}{now}");
    }

    /// <summary>
    /// The snapshot to explain: that of <paramref name="date"/> (EM0101 when it is not published here; EM0110 when it is
    /// declared and readable but was loaded by hand, so no run's stages hold it), else the one the
    /// match's stable model reads (<see cref="StableModelTarget"/>), else the newest finished one published here; null when none is.
    /// </summary>
    private SnapshotName? Snapshot(DuckDbWarehouse warehouse, SnapshotLog log, string match, DateOnly? date, SourceSpan at)
    {
        var schema = _context.Settings.Snapshots.Schema;
        var published = log.Latest(match);
        if (date is { } d)
        {
            var named = new SnapshotName(match, d);
            if (warehouse.TableExists(schema, named.Table))
            {
                return named;
            }

            if (!published.Any(r => r.Snapshot == named.Table && !r.IsPruned) && Evaluation.EvaluatedSnapshot.Declared(_context, warehouse, named) is { } declared)
            {
                // Loaded by hand (today's uploaded files): evaluate reads it, but no run made it, so no stages hold its decisions.
                var runs = published.Where(r => r is { IsComplete: true, IsPruned: false } && warehouse.TableExists(schema, r.Snapshot)).Select(r => r.Snapshot).ToList();
                throw DiagnosticException.At(Codes.RunNotFound, at,
                    $"snapshot {declared.Display} is declared, but no run published it here (it was loaded by hand), so there are no stages to explain its decisions from; "
                    + $"`electionmatch evaluate {match} --truth <file> --snapshot {named.Table}{_context.CommandOptions}` scores it as it is, and "
                    + (runs.Count == 0
                        ? $"`{_context.RunCommand(match, null, [])}` publishes a snapshot explain can read"
                        : $"explain reads the snapshots runs published here ({string.Join(", ", runs)}): name one's date with --snapshot-date"));
            }

            var others = _context.PublishedSnapshots(warehouse, match).ToList();
            var pruned = published.Any(r => r.Snapshot == named.Table && r.IsPruned) ? " (prune retired it)" : "";
            var dropped = FinishedSnapshots.DroppedSince(_context, warehouse, named) is { } since ? "; " + since : "";
            throw DiagnosticException.At(Codes.SnapshotTableMissing, at,
                $"no snapshot {schema}.{named.Table} in the warehouse{pruned}; {(others.Count == 0 ? $"'{match}' has none" : $"the snapshots of '{match}': {string.Join(", ", others)}")}{dropped}");
        }

        return Newest(_context, warehouse, log, match);
    }

    /// <summary>
    /// The snapshot explain reads when none is named: the one the match's stable model reads (<see cref="StableModelTarget"/>),
    /// else the newest finished one published here; null when none is.
    /// </summary>
    internal static SnapshotName? Newest(ProjectContext context, DuckDbWarehouse warehouse, SnapshotLog log, string match)
    {
        var schema = context.Settings.Snapshots.Schema;
        return FinishedSnapshots.Newest(
            context,
            warehouse,
            match,
            n => warehouse.TableExists(schema, n.Table),
            log.Latest(match).Where(r => r.IsComplete && !r.IsPruned).Select(r => SnapshotName.TryParse(r.Snapshot, match)).OfType<SnapshotName>());
    }

    private static bool HasStages(DuckDbWarehouse warehouse, RunSchema run) =>
        warehouse.TableExists(run.Name, "left_input") || warehouse.TableExists(run.Name, IncrementalRun.PartitionsTable);

    /// <summary>Which run the run schema's stages are of, when not of <paramref name="snapshot"/>'s, and how to have that snapshot's.</summary>
    private string OtherRun(DuckDbWarehouse warehouse, SnapshotLog log, RunSchema run, string match, RunIdentity? identity, SnapshotName snapshot)
    {
        string of;
        if (!HasStages(warehouse, run))
        {
            of = $"the run schema {run.Name} holds no stages";
        }
        else if (identity is null)
        {
            of = $"the stages in {run.Name} are of a run that stopped or failed before it published";
        }
        else
        {
            of = $"the stages in {run.Name} are of " + (log.Find(match, identity.RunId) switch
            {
                null => $"a run of {identity.Snapshot} that stopped or failed before it published",
                { IsPruned: true } => $"the run that published {identity.Snapshot}, since pruned",
                var r when log.Latest(match).Any(l => l.Snapshot == r.Snapshot && l.RunId != r.RunId) => $"an earlier run of {identity.Snapshot}, since replaced",
                _ => $"the run that published {identity.Snapshot}",
            });
        }

        // With the options of the run that published it (an incremental run's model and partitions), as EM0608's command has.
        var options = log.Latest(match).FirstOrDefault(r => r.Snapshot == snapshot.Table)?.RunOptions.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return $"{of}; `{_context.RunCommand(match, snapshot.Date, [.. options, "--replace"])}` computes them for {snapshot.Table} again (from the inputs as they are now)";
    }

    /// <summary>
    /// The left id's rows as <paramref name="snapshot"/> published them, when the run schema's stages are of another run: each
    /// row's decision, and the weights, levels and rules of the pair it shows (its <c>match_explanation</c>).
    /// </summary>
    private List<ExplainedRow> FromSnapshot(DuckDbWarehouse warehouse, SnapshotName snapshot, string leftId)
    {
        var table = Sql.Identifier(_context.Settings.Snapshots.Schema, snapshot.Table);
        return warehouse.Query($"""
            select hubspot_election_type, cast(hubspot_election_date as varchar), concat_ws(' ', trim(hubspot_first_name), trim(hubspot_last_name)),
                llm_reasoning, coalesce(has_match, false), llm_best_match, cast(ddhq_candidate_id as varchar), ddhq_race_name,
                match_weight, match_probability, cast(match_explanation as varchar)
            from {table}
            where gp_candidacy_id = {Sql.Literal(leftId)}
            order by hubspot_election_date, hubspot_election_type
            """, r => new ExplainedRow(leftId, r.GetString(0), r.GetString(1), r.GetString(2), null, r.IsDBNull(3) ? "not linked" : r.GetString(3),
                r.IsDBNull(10) ? [] : [Published(r.IsDBNull(6) ? "" : r.GetString(6), r.IsDBNull(5) ? "" : r.GetString(5), r.IsDBNull(7) ? "" : r.GetString(7), r.GetDouble(8), r.GetDouble(9), r.GetBoolean(4), r.GetString(10))]));
    }

    /// <summary>EM0111 for an id the snapshot has no row of, read alone: the snapshot's nearest id when one is a typo away.</summary>
    private DiagnosticException NotInSnapshot(DuckDbWarehouse warehouse, Settings.MatchSettings settings, string idColumn, SnapshotName snapshot, string leftId, string otherRun, SourceSpan at)
    {
        var table = Sql.Identifier(_context.Settings.Snapshots.Schema, snapshot.Table);
        var near = Nearest(warehouse, $"select cast({Sql.Identifier(idColumn)} as varchar) as left_id from {table}", leftId);
        return DiagnosticException.At(Codes.ExplainIdNotFound, at,
            $"'{PrintableText.Of(leftId)}' has no row in {_context.Settings.Snapshots.Schema}.{snapshot.Table}, and whether it was quarantined, filtered out or is not a {settings.Left.Id} cannot be told: {otherRun}"
            + Hint(warehouse, settings.Name, leftId, near));
    }

    /// <summary>The pair a snapshot row shows, from its published <c>match_explanation</c>.</summary>
    internal static ExplainedPair Published(string rightId, string candidate, string race, double weight, double probability, bool linked, string explanation)
    {
        using var json = JsonDocument.Parse(explanation);
        var root = json.RootElement;
        return new ExplainedPair(rightId, candidate, race, weight, probability, linked, Waterfall(explanation))
        {
            FoundBy = root.TryGetProperty("found_by", out var rules) && rules.ValueKind == JsonValueKind.Array ? rules.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : [],
            CandidatesCompared = root.TryGetProperty("candidates_compared", out var compared) && compared.ValueKind == JsonValueKind.Number ? compared.GetInt64() : null,
        };
    }

    /// <summary>
    /// Where the latest run's stages are: the run schema, or after an incremental run each state partition's schema
    /// (<see cref="IncrementalRun.PartitionsTable"/>). A partition whose cached stages are gone is named, not read.
    /// </summary>
    private (List<(RunSchema Schema, ExplainedPartition? Partition)> Parts, List<string> Unread) Parts(DuckDbWarehouse warehouse, RunSchema run, string match, SourceSpan at)
    {
        if (warehouse.TableExists(run.Name, "scored_pairs"))
        {
            return ([(run, null)], []);
        }

        if (!warehouse.TableExists(run.Name, IncrementalRun.PartitionsTable))
        {
            throw DiagnosticException.At(Codes.RunNotFound, at, $"no run of '{match}' in the warehouse; `{_context.RunCommand(match, null, [])}` first");
        }

        // One query for every partition: one whose cached stages are gone is named, not read. Its stages are shown by the
        // match's shared schema once its key is set (Show); an earlier build made a schema for each partition, whose last
        // view marks it finished.
        var shared = PartitionCache.Shown(match);
        var listed = warehouse.Query($"""
            select p.state, p.run_schema,
                exists (select 1 from information_schema.tables as t where t.table_schema = p.run_schema and t.table_name = {Sql.Literal(PartitionCache.ShownMarker)})
                or (p.run_schema = {Sql.Literal(shared.Name)}
                    and exists (select 1 from information_schema.tables as t where t.table_schema = p.run_schema)
                    and {PartitionCache.EntryCachedSql(match, "p.state", "p.cache_key")}),
                p.reused, p.computed_at_utc, p.cache_key
            from {run.Table(IncrementalRun.PartitionsTable)} as p
            order by p.state
            """, r => (Schema: r.GetString(1), Complete: r.GetBoolean(2),
                Partition: new ExplainedPartition(r.GetString(0), r.GetBoolean(3), r.GetDateTime(4)) { CacheKey = r.GetString(1) == shared.Name ? r.GetString(5) : null }));
        var parts = listed.Where(p => p.Complete).Select(p => (new RunSchema(p.Schema) { Match = run.Match }, (ExplainedPartition?)p.Partition)).ToList();
        var unread = listed.Where(p => !p.Complete).Select(p => p.Partition.Label).ToList();
        return (parts, unread);
    }

    /// <summary>The partitions whose left input holds the id (none: the id is unknown, which the caller says).</summary>
    private static List<(RunSchema Schema, ExplainedPartition? Partition)> Holding(DuckDbWarehouse warehouse, List<(RunSchema Schema, ExplainedPartition? Partition)> parts, string leftId)
    {
        if (parts.Count <= 1)
        {
            return parts;
        }

        return parts.Where(p =>
        {
            Show(warehouse, p);
            return warehouse.Scalar<bool>($"select exists (select 1 from {p.Schema.Table("left_input")} where left_id = {Sql.Literal(leftId)})");
        }).ToList();
    }

    /// <summary>Makes the shared schema of a partition's cached stages show this partition (<see cref="PartitionCache.ShowKey"/>); a run's own schema, or a partition schema of an earlier build, needs nothing.</summary>
    private static void Show(DuckDbWarehouse warehouse, (RunSchema Schema, ExplainedPartition? Partition) part)
    {
        if (part.Partition?.CacheKey is { } key)
        {
            PartitionCache.ShowKey(warehouse, key);
        }
    }

    private static string Partitions(List<string> labels) =>
        (labels.Count == 1 ? "state partition " : "state partitions ") + string.Join(", ", labels);

    /// <summary>What one run schema (a whole run's, or one state partition's) holds of the left id.</summary>
    private static (List<ExplainedRow> Rows, List<RemovedRow> Removed, List<QuarantinedRow> Quarantined, bool InLeftInput) Read(DuckDbWarehouse warehouse, (RunSchema Schema, ExplainedPartition? Partition) part, RunSchema assembled, string leftId, int candidates, RunThresholds thresholds)
    {
        var run = part.Schema;
        var passes = new[] { "", "runoff_" }.Where(p => warehouse.TableExists(run.Name, p + "scored_pairs")).ToList();
        string Union(string table) => string.Join(" union all ", passes.Select(p => $"select * from {run.Table(p + table)}"));
        string Rows(string table) => string.Join(" union all by name ", passes.Select(p => $"select *, {(p.Length > 0 ? "true" : "false")} as discovered_runoff from {run.Table(p + table)}"));

        // A match that scores many pairs keeps their explanation in a view, computed only for the pairs read.
        var scored = warehouse.TableExists(run.Name, "scored_pairs_explained") ? "scored_pairs_explained" : "scored_pairs";

        // The decision is said in the published words (the run's output, as the snapshot holds it), so explain and the
        // snapshot cannot disagree; a row the snapshot lacks (a discovered runoff left unlinked) is said to be missing, with
        // the words the same query gave it (its stage, kept beside the output; absent in a run of an earlier build).
        var published = warehouse.TableExists(run.Name, "output");
        var unlinked = warehouse.TableExists(run.Name, Matches.CandidacyDdhq.CandidacyDdhqMatcher.UnlinkedRunoffsTable);
        string Decided(string table, bool inSnapshot) =>
            $"select gp_candidacy_id, hubspot_election_type, hubspot_election_date, llm_reasoning, {(inSnapshot ? "true" : "false")} as in_snapshot from {run.Table(table)}";
        var decided = Decided("output", true) + (unlinked ? " union all " + Decided(Matches.CandidacyDdhq.CandidacyDdhqMatcher.UnlinkedRunoffsTable, false) : "");
        var rows = warehouse.Query($"""
            select l.left_key, l.election_type, cast(l.election_date as varchar), {Matches.CandidacyDdhq.CandidacyDdhqCleaning.NameAsReadSql("i.")}, l.state,
                k.decided_by, k.reasoning,
                -- Worded as the matcher publishes it: an undecided row's reasoning starts 'undecided:', unprefixed.
                case when a.undecided then a.reasoning else 'judge did not accept: ' || a.reasoning end,
                {(published ? "o.llm_reasoning, o.in_snapshot is true" : "null, true")},
                cast(l.match_date as varchar), l.date_fallback, l.discovered_runoff, cast(l.base_date as varchar)
            from ({Rows("left_keyed")}) as l
            -- The name as the input row writes it (middle name, nickname, suffix), not only the first and last name the model reads.
            join {run.Table("left_input")} as i on i.row_number = l.row_number
            left join ({Union("links")}) as k using (left_key)
            left join ({Union("judge_answers")}) as a using (left_key)
            {(published ? $"left join ({decided}) as o on o.gp_candidacy_id = l.left_id and o.hubspot_election_type = l.election_type and o.hubspot_election_date = l.election_date" : "")}
            where l.left_id = {Sql.Literal(leftId)}
            order by l.election_date, l.election_type
            """, r => (Key: r.GetInt64(0), Type: r.GetString(1), Date: r.GetString(2), Name: r.GetString(3), State: r.IsDBNull(4) ? null : r.GetString(4),
                Decision: r.IsDBNull(5) ? null : r.GetString(5) + ": " + r.GetString(6), Judge: r.IsDBNull(7) ? null : r.GetString(7),
                Published: r.IsDBNull(8) ? null : r.GetString(8), InSnapshot: r.GetBoolean(9),
                MatchDate: r.GetString(10), DateFallback: r.GetBoolean(11), Discovered: r.GetBoolean(12), BaseDate: r.IsDBNull(13) ? null : r.GetString(13)));

        // A discovered runoff left unlinked in a state partition, which does not make runoff_unlinked: when the judge answered
        // it, its words are made again from the tables the partition keeps; otherwise they cannot be (UnlinkedRunoffInPartition).
        var inPartition = part.Partition is not null && !unlinked;
        var explained = rows.Select(row => new ExplainedRow(
            leftId, row.Type, row.Date, row.Name, row.State,
            row.Published ?? row.Decision
                ?? (row.Judge is not null && row.Discovered && inPartition ? JudgedRunoffInPartition.Words(warehouse, run, row.Key, thresholds["judge_accept"], row.Judge) : row.Judge)
                ?? (row.Discovered && inPartition ? UnlinkedRunoffInPartition : "not linked"),
            warehouse.Query($"""
                select s.right_key, r.right_id, r.candidate, r.race_name, s.match_weight, s.match_probability, cast(s.match_explanation as varchar),
                    s.right_key in (select right_key from ({Union("links")}) as k where k.left_key = s.left_key) as linked,
                    coalesce(array_to_string(s.rules, ','), '')
                from ({Union(scored)}) as s
                join {run.Table("right_keyed")} as r using (right_key)
                where s.left_key = {row.Key}
                order by s.match_weight desc, s.right_key
                limit {candidates}
                """, r => new ExplainedPair(r.GetString(1), r.GetString(2), r.IsDBNull(3) ? "" : r.GetString(3), r.GetDouble(4), r.GetDouble(5), r.GetBoolean(7), Waterfall(r.GetString(6)))
                {
                    FoundBy = r.GetString(8).Split(',', StringSplitOptions.RemoveEmptyEntries),
                }))
        {
            InSnapshot = row.InSnapshot,
            MatchDate = row.DateFallback ? row.MatchDate : null,
            DiscoveredAfter = row.Discovered ? row.BaseDate : null,
            Judged = row.Judge is null ? null : JudgedRow.Read(warehouse, run, row.Discovered ? "runoff_" : "", row.Key, thresholds),
        }).ToList();

        var removed = warehouse.Query($"""
            select e.election_type, cast(e.election_date as varchar), e.state
            from {run.Table("left_expanded")} as e
            anti join {run.Table("left_filtered")} as f on f.left_id = e.left_id and f.election_type = e.election_type and f.election_date = e.election_date
            where e.left_id = {Sql.Literal(leftId)}
            order by e.election_date, e.election_type
            """, r => new RemovedRow(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)));

        return (explained, removed, Quarantined(warehouse, part, assembled, leftId), InLeftInput(warehouse, run, leftId, rows.Count > 0 || removed.Count > 0));
    }

    /// <summary>
    /// The decision of a discovered runoff left unlinked and not judged, in a state partition of an incremental run: its
    /// words are those of the run's <c>runoff_unlinked</c>, which a partition does not make (design.md, a partition's fixed
    /// cost), and deriving them again here would be a second copy of the output's query.
    /// </summary>
    internal const string UnlinkedRunoffInPartition =
        "not linked; why (its best candidate rejected by score, on another office's ballot or linked to another row, or no candidate) is said only after a plain run: a state partition of an incremental run does not keep the reasoning of a discovered runoff left unlinked";

    /// <summary>The left id's rows in one run schema's quarantine (after an incremental run, numbered as in the file where the assembled run's quarantine has them).</summary>
    internal static List<QuarantinedRow> Quarantined(DuckDbWarehouse warehouse, (RunSchema Schema, ExplainedPartition? Partition) part, RunSchema assembled, string leftId)
    {
        var run = part.Schema;

        // A partition numbers its own rows: the assembled run's quarantine, which holds the same rows, gives the file's row
        // and its message as a plain run words it (a single CSV's row ends with its file and line, which a partition, reading
        // only its state's rows, cannot give). Found by the row's values, not its message, for that reason.
        var fileRow = part.Partition is null ? "cast(null as struct(n bigint, m varchar))" : $"""
            (select arg_min(struct_pack(n := a.row_number, m := a.message), a.row_number) from {assembled.Table("quarantine")} as a
             where a.input = 'left' and a.error_code = q.error_code and a.stage = q.stage and a.original is not distinct from q.original)
            """;
        return warehouse.Query($"""
            select q.error_code, q.message, q.row_number, {QuarantineCodes.WholeRowSql("q.")}, f.n, f.m
            from (select q.*, {fileRow} as f from {run.Table("quarantine")} as q) as q
            join {run.Table("left_input")} as l using (row_number)
            where q.input = 'left' and l.left_id = {Sql.Literal(leftId)}
            order by q.row_number, q.stage, q.message
            """, r => new QuarantinedRow(
                r.GetString(0),
                !r.IsDBNull(4) ? (r.IsDBNull(5) ? "" : r.GetString(5)) : r.IsDBNull(1) ? "" : r.GetString(1),
                r.IsDBNull(4) ? r.GetInt64(2) : r.GetInt64(4))
            {
                WholeRow = r.GetBoolean(3),
                PartitionRow = part.Partition is { } p && r.IsDBNull(4) ? p : null,
            });
    }

    /// <summary>Whether the run's left input holds the id: <paramref name="seen"/> when a stage already showed it.</summary>
    internal static bool InLeftInput(DuckDbWarehouse warehouse, RunSchema run, string leftId, bool seen) =>
        seen || warehouse.Scalar<long>($"select count(*) from {run.Table("left_input")} where left_id = {Sql.Literal(leftId)}") > 0;

    private string NotFound(DuckDbWarehouse warehouse, List<(RunSchema Schema, ExplainedPartition? Partition)> parts, Settings.MatchSettings settings, string leftId)
    {
        // Every partition's ids in a temporary table (a read-only warehouse allows it), as the shared schema shows one partition at a time.
        const string ids = "temp.main.em_explain_left_ids";
        warehouse.Execute($"create or replace temp table em_explain_left_ids as select {(parts.Count == 0 ? "cast(null as varchar) as left_id" : $"left_id from {parts[0].Schema.Table("left_input")}")} limit 0");
        foreach (var part in parts)
        {
            Show(warehouse, part);
            warehouse.Execute($"insert into {ids} select left_id from {part.Schema.Table("left_input")}");
        }

        var inputs = $"select left_id from {ids}";
        var near = Nearest(warehouse, inputs, leftId);
        var leftRows = warehouse.Scalar<long>($"select count(*) from ({inputs})");
        var where = parts.Count == 1 ? $"{parts[0].Schema.Name}.left_input" : $"the left_input tables of its {parts.Count} state partitions";
        return $"'{PrintableText.Of(leftId)}' is not a {settings.Left.Id} of the latest run of '{settings.Name}': neither its left input ({leftRows} rows, {where}) nor its quarantine holds it"
            + (parts.Count == 1 && settings.Kind == Settings.MatchKind.L2BallotReady.Name && DistrictWords(warehouse, parts[0].Schema, settings, leftId) is { } district
                ? "; " + district
                : Hint(warehouse, settings.Name, leftId, near));
    }

    /// <summary>
    /// When the id is an L2 district's (the right id, given where a position's is asked for): which district, and the
    /// positions the run linked to it with the command that explains the first; null when the right input has no such id.
    /// </summary>
    private string? DistrictWords(DuckDbWarehouse warehouse, RunSchema run, Settings.MatchSettings settings, string id)
    {
        if (!warehouse.TableExists(run.Name, "right_input"))
        {
            return null;
        }

        var district = warehouse.Scalar<string>($"""
            select concat_ws(', ', district_name, district_type, state) from {run.Table("right_input")}
            where right_id = {Sql.Literal(id)} order by row_number limit 1
            """);
        if (district is null)
        {
            return null;
        }

        // A run stopped before its output stage has no output table: the district is still named, with no positions.
        var linked = !warehouse.TableExists(run.Name, "output") ? [] : warehouse.Query(
            $"select cast({PositionExplanation.LeftIdColumn} as varchar) from {run.Table("output")} where is_matched and cast(l2_district_id as varchar) = {Sql.Literal(id)} order by 1",
            r => r.GetString(0));
        return $"it is the {settings.Right.Id} of a district ({district}); explain takes a position's {settings.Left.Id}"
            + (linked.Count == 0
                ? ", and the run linked no position to this district"
                : $": the run linked {(linked.Count == 1 ? "position" : "positions")} {string.Join(", ", linked)} to it: `{PrintableText.Of(_context.ExplainCommand(settings.Name, linked[0]))}`");
    }

    /// <summary>
    /// How EM0111 ends: the other match whose left id it is (the wrong match named, <see cref="LeftIdElsewhere"/>), else
    /// the nearest id of this match when one is a typo away, else nothing.
    /// </summary>
    private string Hint(DuckDbWarehouse warehouse, string match, string leftId, string? near) =>
        LeftIdElsewhere.Words(_context, warehouse, match, leftId) is { } elsewhere ? "; " + elsewhere
        : near is null ? ""
        : $"; did you mean '{PrintableText.Of(near)}'?";

    /// <summary>
    /// The id of <paramref name="ids"/> (a query of <c>left_id</c>) nearest <paramref name="leftId"/> when a typo (an edit or two,
    /// letter case aside) away: ids are codes, so anything further is no hint.
    /// </summary>
    private static string? Nearest(DuckDbWarehouse warehouse, string ids, string leftId) => warehouse.Scalar<string>($"""
        select left_id from ({ids})
        where left_id is not null and levenshtein(lower(left_id), lower({Sql.Literal(leftId)})) <= 2
        order by levenshtein(lower(left_id), lower({Sql.Literal(leftId)})), levenshtein(left_id, {Sql.Literal(leftId)}), left_id
        limit 1
        """);

    /// <summary>A published row's explanation also counts: the pairs compared (a candidacy's), a position's candidates and the number of the pair shown.</summary>
    private static readonly HashSet<string> Counts = new(StringComparer.Ordinal) { "candidates_compared", "candidates", "candidate_number" };

    internal static IReadOnlyList<FieldWeight> Waterfall(string explanation)
    {
        using var json = JsonDocument.Parse(explanation);
        var steps = new List<FieldWeight>();
        foreach (var property in json.RootElement.EnumerateObject())
        {
            // A count, not a weight.
            if (property.Value.ValueKind == JsonValueKind.Number && !Counts.Contains(property.Name))
            {
                steps.Add(new FieldWeight(property.Name, "", property.Value.GetDouble()));
            }
            else if (property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("weight", out var weight))
            {
                steps.Add(new FieldWeight(property.Name, property.Value.GetProperty("level").GetString() ?? "", weight.GetDouble()));
            }
        }

        return steps;
    }
}

/// <summary>What <c>explain</c> found of a left id: its election rows in a snapshot, and its rows in quarantine.</summary>
public sealed record Explanation(IReadOnlyList<ExplainedRow> Rows, IReadOnlyList<QuarantinedRow> Quarantined)
{
    /// <summary>The snapshot explained.</summary>
    public required SnapshotName Snapshot { get; init; }

    /// <summary>
    /// Null when the rows were read from the stages of <see cref="Snapshot"/>'s run; otherwise which run the stages are of
    /// and how to have the snapshot's again: the rows are the snapshot's alone, with the one pair each shows.
    /// </summary>
    public string? OtherRun { get; init; }

    /// <summary>The left id's election rows the temporal filter removed (no results on that date in that state).</summary>
    public IReadOnlyList<RemovedRow> Removed { get; init; } = [];

    /// <summary>
    /// After an incremental run, the state partitions (their labels) whose schemas are gone, so whether they hold
    /// rows of the id cannot be told; empty when every partition was read.
    /// </summary>
    public IReadOnlyList<string> UnreadPartitions { get; init; } = [];

    /// <summary>After an incremental run, the state partitions the rows were read from; empty after a plain run.</summary>
    public IReadOnlyList<ExplainedPartition> Partitions { get; init; } = [];

    /// <summary>EM0608's warning when the snapshot named by its date is of a run that was interrupted (<see cref="FinishedSnapshots.Interrupted"/>); null otherwise.</summary>
    public Diagnostic? Interrupted { get; init; }

    /// <summary>A note when the stable model reads another snapshot than the one explained (one loaded by hand from a file); null otherwise.</summary>
    public string? NotStable { get; init; }

    /// <summary>EM0609's warning when the match's settings changed since the run whose stages are read (which records its own); null otherwise.</summary>
    public Diagnostic? SettingsChanged { get; init; }

    /// <summary>
    /// EM0116's warning when a row is worded by a threshold and the run whose stages are read recorded none (a run of an
    /// earlier build), so electionmatch.yml's values today are used (<see cref="RunThresholds"/>); null otherwise.
    /// </summary>
    public Diagnostic? ThresholdsNotRecorded { get; init; }

    /// <summary>The match's kind (<see cref="Settings.MatchKind"/>): a candidacy's rows are its elections, a position's its one row.</summary>
    public string Kind { get; init; } = Settings.MatchKind.CandidacyDdhq.Name;
}

/// <summary>A state partition of an incremental run: its state (empty: none), whether that run reused it, and when it was computed (UTC).</summary>
public sealed record ExplainedPartition(string State, bool Reused, DateTime ComputedAtUtc)
{
    public string Label => Incremental.StatePartition.LabelOf(State);

    /// <summary>Its cache key when the match's shared schema shows its stages (<see cref="PartitionCache.Shown(string)"/>); null for a schema of its own.</summary>
    public string? CacheKey { get; init; }
}

/// <summary>An election row of the left id that the temporal filter removed: its type, its date and its state (null: blank).</summary>
public sealed record RemovedRow(string ElectionType, string ElectionDate, string? State);

/// <summary>A row of the left id that quarantine kept out of the run: its code, message and place in the left input.</summary>
public sealed record QuarantinedRow(string Code, string Message, long RowNumber)
{
    /// <summary>
    /// True when the whole row was kept out; false when only one of its values was (an election date that cannot be
    /// read), and the candidacy's other elections were matched (<see cref="QuarantineCodes.ElectionRowsStage"/>).
    /// </summary>
    public bool WholeRow { get; init; } = true;

    /// <summary>
    /// After an incremental run, the state partition whose rows <see cref="RowNumber"/> counts when the file's row could not
    /// be found (the assembled run's quarantine lacks it); null when it is the file's.
    /// </summary>
    public ExplainedPartition? PartitionRow { get; init; }
}

/// <summary>One election row of a left id, with its decision (the published reasoning) and its best candidate pairs.</summary>
public sealed record ExplainedRow(string LeftId, string ElectionType, string ElectionDate, string Name, string? State, string Decision, IReadOnlyList<ExplainedPair> Candidates)
{
    /// <summary>False for a runoff the run discovered but did not link: the snapshot holds only linked discovered runoffs.</summary>
    public bool InSnapshot { get; init; } = true;

    /// <summary>The results date searched instead of the row's own (the runoff date fallback); null when its own date was.</summary>
    public string? MatchDate { get; init; }

    /// <summary>For a runoff the run discovered in the results (not in the left input): the date of the linked election it follows.</summary>
    public string? DiscoveredAfter { get; init; }

    /// <summary>A position's (l2_ballotready): what its snapshot row holds besides the reasoning; null for a candidacy's rows.</summary>
    public PublishedPosition? Published { get; init; }

    /// <summary>A position's: the judge's own answer when the judge decided it (its choice and confidence, before <c>judge_accept</c>); null otherwise.</summary>
    public JudgeVerdict? Judge { get; init; }

    /// <summary>A candidacy's row the judge saw: why the score did not decide it, the judge's answer and its contest; null otherwise.</summary>
    public JudgedRow? Judged { get; init; }
}

/// <summary>
/// A position's published row: the district linked (null when none: name, type and <c>l2_district_id</c>), whether it
/// is matched, its confidence and which tier decided it (<c>score</c>, <c>judge</c>, <c>rule</c>, <c>none</c>).
/// </summary>
public sealed record PublishedPosition(string? District, string? DistrictType, string? DistrictId, bool IsMatched, int Confidence, string DecidedBy);

/// <summary>The judge's answer for a position: the candidate it chose (0: none fits), at what confidence, why, and whether its reply could not be read (undecided).</summary>
public sealed record JudgeVerdict(string Judge, long CandidateNumber, int Confidence, string Reasoning, bool Undecided)
{
    /// <summary>The names the judge gave as nearly fitting (its <c>close_alternatives</c>).</summary>
    public IReadOnlyList<string> CloseAlternatives { get; init; } = [];

    /// <summary>The chosen candidate's name; null when it chose none (or its name was not read).</summary>
    public string? Chosen { get; init; }
}

public sealed record ExplainedPair(string RightId, string Candidate, string Race, double MatchWeight, double MatchProbability, bool Linked, IReadOnlyList<FieldWeight> Steps)
{
    /// <summary>
    /// The blocking rules that made it a candidate pair: <c>embedding_top_k</c>, <c>surname_sound</c>, <c>exact_name</c> (the
    /// deterministic tier), <c>offline_top_k</c>; or <c>judge_race</c> alone for a results row no rule found that the judge,
    /// shown its whole race, chose.
    /// </summary>
    public IReadOnlyList<string> FoundBy { get; init; } = [];

    /// <summary>Read from a snapshot alone: how many pairs were compared for the row (its <c>candidates_compared</c>); null otherwise.</summary>
    public long? CandidatesCompared { get; init; }

    /// <summary>A position's pair: its place in the position's candidate list (the number the reasoning and the judge use); null for a candidacy's.</summary>
    public long? CandidateNumber { get; init; }

    /// <summary>A position's pair: the embedding similarity that ranked it in the candidate list (null for a district offered by rule, or a candidacy's pair).</summary>
    public double? Similarity { get; init; }
}

/// <summary>One bar of the waterfall: a field, the level the pair reached, and its weight in bits.</summary>
public sealed record FieldWeight(string Field, string Level, double Weight);
