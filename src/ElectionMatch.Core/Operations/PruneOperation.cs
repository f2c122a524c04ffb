using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Safety;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// <c>electionmatch prune &lt;match&gt;</c>: retires old snapshots. Everything is checked before anything changes (the
/// newest finished snapshot, one that does not exist, or one a downstream file still reads is refused); then, per
/// snapshot, in an order a kill at any point leaves for the next prune to finish (and check to describe, EM0613):
/// (1) the manifest and its model file move, unchanged, under <c>&lt;manifest_dir&gt;/pruned/</c>, so the chain still
/// verifies through their hashes and the record stays in version control; (2) the snapshot table and its quarantine
/// are dropped, and the prune recorded in the snapshot log, in one transaction; (3) the parquet copy and the staging
/// SQL and YAML are deleted and the sources entry removed, every other byte of the sources YAML kept.
/// </summary>
public sealed class PruneOperation
{
    private ProjectContext _context;

    public PruneOperation(ProjectContext context)
    {
        _context = context;
    }

    /// <param name="dates">The snapshots to prune, by date; ignored when <paramref name="keep"/> is given.</param>
    /// <param name="keep">Prune every finished snapshot but the newest <paramref name="keep"/> (1 or more).</param>
    /// <param name="dryRun">Say what would be removed, and change nothing.</param>
    /// <param name="cancellationToken">Stops the wait for the warehouse (prune's own steps are short and each idempotent).</param>
    public PruneResult Execute(string match, IReadOnlyList<DateOnly> dates, int? keep, bool dryRun, CancellationToken cancellationToken = default)
    {
        var name = _context.Settings.Match(match).Name;
        using var held = _context.Lock($"prune {name}", out _context, cancellationToken);
        var warehousePath = _context.Target.DatabasePath;
        if (!File.Exists(warehousePath))
        {
            // A clone without the warehouse would move manifests and delete files while the tables stay where they are.
            throw DiagnosticException.At(Codes.PruneRefused, _context.Target.PathAt ?? SourceSpan.PathOnly(DisplayPath.For(warehousePath)),
                $"the warehouse {DisplayPath.For(warehousePath)} is not here; prune drops the snapshot tables in it, so run prune where the warehouse is");
        }

        using var warehouse = _context.Open(held, readOnly: dryRun);
        var targets = Plan(warehouse, name, dates, keep);
        var result = new PruneResult(dryRun);
        foreach (var target in targets)
        {
            Prune(warehouse, target, result);
        }

        return result;
    }

    /// <summary>The snapshots to prune, oldest first, once nothing refuses them; otherwise every refusal, and nothing changed.</summary>
    private List<SnapshotName> Plan(DuckDbWarehouse warehouse, string match, IReadOnlyList<DateOnly> dates, int? keep)
    {
        var errors = new List<Diagnostic>();
        var inPlace = ManifestFiles.Of(_context, match).Select(f => SnapshotName.TryParse(f.Snapshot, match)!).ToList();
        var passedOver = FinishedSnapshots.PassedOver(_context, warehouse, match);
        var finished = inPlace.Where(n => !passedOver.Interrupted.ContainsKey(n.Table)).OrderBy(n => n.Date).ToList();
        var declared = _context.DeclaredSnapshots(match).Where(d => !passedOver.Contains(d.Name.Table)).ToList();
        // The one the stable model reads: the newest declared (a snapshot loaded by hand too), or published, by date.
        var newest = declared.Select(d => d.Name).Concat(finished).MaxBy(n => n.Date);

        var targets = new List<SnapshotName>();
        if (keep is { } count)
        {
            targets.AddRange(finished.OrderByDescending(n => n.Date).Skip(count).Where(n => n != newest));
        }
        else
        {
            foreach (var name in dates.Distinct().Select(d => new SnapshotName(match, d)))
            {
                if (Refusal(name, inPlace, passedOver, finished, newest) is { } refused)
                {
                    errors.Add(refused);
                }
                else
                {
                    targets.Add(name);
                }
            }
        }

        errors.AddRange(targets.SelectMany(StagingFilesKept));
        errors.AddRange(References(targets));
        foreach (var name in targets)
        {
            if (_context.Sources.Find(_context.Settings.Snapshots.SourceName, name.Table) is { } entry)
            {
                try
                {
                    SourcesFileEditor.RemoveTable(UserFileText.Read(entry.FilePath).Text, entry.FilePath, entry.SourceName, entry.Name);
                }
                catch (DiagnosticException e)
                {
                    errors.AddRange(e.Diagnostics);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new DiagnosticException([.. errors.Select(e => e with { Message = e.Message + "; nothing was pruned" })]);
        }

        return [.. targets.OrderBy(n => n.Date)];
    }

    /// <summary>Why a snapshot named by date cannot be pruned; null when it can (a snapshot a stopped prune left is finished).</summary>
    private Diagnostic? Refusal(SnapshotName name, List<SnapshotName> inPlace, PassedOverSnapshots passedOver, List<SnapshotName> finished, SnapshotName? newest)
    {
        var entry = _context.Sources.Find(_context.Settings.Snapshots.SourceName, name.Table);
        var manifest = DisplayPath.For(_context.ManifestPath(name));
        if (passedOver.Interrupted.TryGetValue(name.Table, out var record))
        {
            // The interrupted run's own options, as EM0608 gives them: the rerun must publish what that run was publishing.
            return Diagnostic.Error(Codes.PruneRefused, entry?.At ?? SourceSpan.PathOnly(manifest),
                $"{FinishedSnapshots.InterruptedRun(_context, record)}, and prune can then retire it");
        }

        if (passedOver.Pruned.Contains(name.Table))
        {
            // Its manifest is under pruned/ already: a prune that stopped on the way, which this one finishes.
            return null;
        }

        if (!inPlace.Contains(name))
        {
            var known = finished.Count == 0 ? "the match has no snapshot published by ElectionMatch" : "its snapshots: " + string.Join(", ", finished.Select(n => n.Table));
            return entry is not null
                ? Diagnostic.Error(Codes.SnapshotTableMissing, entry.At,
                    $"snapshot {name.Table} is declared here but has no manifest ({manifest}): ElectionMatch did not publish it (loaded by hand?), and prune retires only what a run published; remove its entry and staging model by hand")
                : Diagnostic.Error(Codes.SnapshotTableMissing, SourceSpan.PathOnly(manifest),
                    $"no snapshot {name.Table} to prune: there is no manifest {manifest}; {known}");
        }

        if (name == newest)
        {
            var stable = SnapshotName.LatestModel(name.Match, _context.Settings.Snapshots.SourceName);
            return Diagnostic.Error(Codes.PruneRefused, entry?.At ?? SourceSpan.TextFile(manifest),
                $"snapshot {name.Table} is the newest finished snapshot of '{name.Match}': the stable model {stable} ({DisplayPath.For(_context.LatestSqlPath(name.Match))}) reads it; publish a newer snapshot first");
        }

        return null;
    }

    /// <summary>The snapshot's staging files prune would delete that are not ElectionMatch's as it wrote them.</summary>
    private IEnumerable<Diagnostic> StagingFilesKept(SnapshotName name)
    {
        foreach (var path in new[] { _context.SqlPath(name), _context.YamlPath(name) }.Where(File.Exists))
        {
            var state = GeneratedFile.Inspect(File.ReadAllText(path));
            if (!state.IsGenerated)
            {
                yield return Diagnostic.Error(Codes.PruneRefused, SourceSpan.TextFile(DisplayPath.For(path)),
                    $"this staging model of snapshot {name.Table} has no ElectionMatch header: it is yours, so prune does not delete it, and dbt would fail on it once the snapshot is gone; delete or move it yourself");
            }
            else if (!state.IsIntact)
            {
                yield return Diagnostic.Error(Codes.PruneRefused, SourceSpan.TextFile(DisplayPath.For(path)),
                    $"this generated staging model of snapshot {name.Table} was edited by hand, and prune would delete the edit with it; move the change into a downstream model, then delete this file or put it back as generated");
            }
        }
    }

    /// <summary>
    /// Every downstream reference to a snapshot about to be pruned (its dated staging model's ref(), its table's source()):
    /// dbt fails to compile a reference to a model or source that is gone. A pinned line or a comparison too: it still reads it.
    /// </summary>
    private IEnumerable<Diagnostic> References(List<SnapshotName> targets)
    {
        if (targets.Count == 0)
        {
            yield break;
        }

        var own = targets.SelectMany(n => new[] { _context.SqlPath(n), _context.YamlPath(n) }).ToHashSet(StringComparer.Ordinal);
        var source = _context.Settings.Snapshots.SourceName;
        foreach (var (call, snapshot, _) in SnapshotReferences.In(_context.Project, _context.Settings.Snapshots, own.Contains))
        {
            if (snapshot is not { } name || !targets.Contains(name))
            {
                continue;
            }

            var stable = SnapshotName.LatestModel(name.Match, source);
            var what = call.IsRef ? $"ref('{call.RefModel}')" : $"source('{source}', '{name.Table}')";
            yield return Diagnostic.Error(Codes.PruneRefused, call.At,
                $"{what} reads snapshot {name.Table}, which prune would remove, and dbt fails on a reference to a model or source that is gone; "
                + $"`electionmatch generate --rewrite-refs` points a ref() at the stable model {stable} (not on a pinned line, nor in a file comparing snapshots), or move the reference to a newer snapshot yourself");
        }
    }

    private void Prune(DuckDbWarehouse warehouse, SnapshotName name, PruneResult result)
    {
        var before = result.Actions.Count;

        // 0. A date pruned before and published again: the earlier publication's pruned manifest is a link of the chain
        // too, so it and its model file keep their place under pruned/ by that manifest's hash. The model first: the
        // manifest's move is the step's mark, so a prune killed between the two moves the model's name again, or nothing.
        if (File.Exists(_context.ManifestPath(name)) && File.Exists(_context.PrunedManifestPath(name)))
        {
            var sha = SnapshotManifest.FileSha256(File.ReadAllText(_context.PrunedManifestPath(name)));
            (string From, string To)[] aside = [(_context.PrunedModelParametersPath(name), _context.EarlierPrunedPath(name, sha, model: true)), (_context.PrunedManifestPath(name), _context.EarlierPrunedPath(name, sha))];
            foreach (var (from, to) in aside.Where(m => File.Exists(m.From)))
            {
                result.Add("move", $"{DisplayPath.For(from)} -> {DisplayPath.For(to)}");
                if (!result.DryRun)
                {
                    File.Move(from, to);
                }
            }
        }

        // 1. The record first, moved unchanged: once it is under pruned/, check and verify know the rest is to go.
        (string From, string To)[] moves = [(_context.ManifestPath(name), _context.PrunedManifestPath(name)), (_context.ModelParametersPath(name), _context.PrunedModelParametersPath(name))];
        foreach (var (from, to) in moves.Where(m => File.Exists(m.From)))
        {
            result.Add("move", $"{DisplayPath.For(from)} -> {DisplayPath.For(to)}");
            if (!result.DryRun)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Move(from, to);
                CrashPoint.Reached("prune:moved:" + Path.GetFileName(from));
            }
        }

        // 2. The tables and the log's mark together: the log never says pruned while the table is there, nor the reverse.
        var schema = _context.Settings.Snapshots.Schema;
        var tables = new[] { name.Table, name.QuarantineTable }.Where(t => warehouse.TableExists(schema, t)).ToList();
        var log = new SnapshotLog(warehouse);
        var unmarked = log.Latest(name.Match).Any(r => r.Snapshot == name.Table && !r.IsPruned);
        tables.ForEach(t => result.Add("drop", $"{schema}.{t}"));
        if (!result.DryRun && (tables.Count > 0 || unmarked))
        {
            warehouse.InTransaction(() =>
            {
                foreach (var table in tables)
                {
                    warehouse.Execute($"drop table {Sql.Identifier(schema, table)}");
                }

                log.RecordPrune(name.Table);
            });
            CrashPoint.Reached("prune:dropped");
        }

        // 3. What dbt reads, the sources entry last: until it goes, check still finds the snapshot by it.
        foreach (var path in new[] { _context.ParquetPath(name), _context.SqlPath(name), _context.YamlPath(name) }.Where(File.Exists))
        {
            result.Add("delete", DisplayPath.For(path));
            if (!result.DryRun)
            {
                File.Delete(path);
            }
        }

        if (!result.DryRun)
        {
            CrashPoint.Reached("prune:files-deleted");
        }

        // Read again: pruning an earlier snapshot of this call moved the lines after its entry.
        if (SourceCatalog.Load(_context.Project).Find(_context.Settings.Snapshots.SourceName, name.Table) is { } entry)
        {
            result.Add("remove", $"the sources entry of {name.Table} ({entry.At.File}:{entry.At.Line})");
            var (text, byteOrderMark) = UserFileText.Read(entry.FilePath);
            if (!result.DryRun && SourcesFileEditor.RemoveTable(text, entry.FilePath, entry.SourceName, entry.Name) is { } updated)
            {
                UserFileText.Write(entry.FilePath, updated, byteOrderMark);
            }
        }

        result.Snapshots.Add((name, result.Actions.Count > before));
    }
}
