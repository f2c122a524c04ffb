using ElectionMatch.Checks;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Safety;
using ElectionMatch.Settings;
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
/// SQL and YAML are deleted and the sources entry removed, every other byte of the sources YAML kept. A match
/// electionmatch.yml no longer defines (renamed or removed) is retired: every snapshot of it may go, the newest too, and its
/// stable model goes with the last, so the name can be defined again with no trace of the old match but its pruned manifests.
/// </summary>
public sealed class PruneOperation
{
    private ProjectContext _context;

    public PruneOperation(ProjectContext context)
    {
        _context = context;
    }

    /// <param name="dates">The snapshots to prune, by date; ignored when <paramref name="keep"/> is given.</param>
    /// <param name="keep">Prune every finished snapshot but the newest <paramref name="keep"/> (1 or more; 0, every one, only
    /// for a match electionmatch.yml no longer defines).</param>
    /// <param name="dryRun">Say what would be removed, and change nothing.</param>
    /// <param name="orphaned">Also prune a snapshot of a defined match whose manifest is not in this checkout while the snapshot
    /// log completed it (<see cref="UnmergedPublication"/>): refused without, as in a shared warehouse it is most likely a
    /// teammate's unmerged snapshot, which the prune would retire for the whole team.</param>
    /// <param name="cancellationToken">Stops the wait for the warehouse (prune's own steps are short and each idempotent).</param>
    public PruneResult Execute(string match, IReadOnlyList<DateOnly> dates, int? keep, bool dryRun, bool orphaned = false, CancellationToken cancellationToken = default)
    {
        var defined = _context.Settings.Matches.GetValueOrDefault(match);
        var warehousePath = _context.Target.DatabasePath;
        if (defined is null && !File.Exists(warehousePath) && !HeldInProject(match))
        {
            throw NotAMatch(match);
        }

        using var held = _context.Lock($"prune {match}", out _context, cancellationToken);
        if (!File.Exists(warehousePath))
        {
            // A clone without the warehouse would move manifests and delete files while the tables stay where they are.
            throw DiagnosticException.At(Codes.PruneRefused, _context.Target.PathAt ?? SourceSpan.PathOnly(DisplayPath.For(warehousePath)),
                $"the warehouse {DisplayPath.For(warehousePath)} is not here; prune drops the snapshot tables in it, so run prune where the warehouse is");
        }

        using var warehouse = _context.Open(held, readOnly: dryRun);
        if (defined is null && !HeldInProject(match) && !new SnapshotLog(warehouse).Latest(match).Any(r => !r.IsPruned))
        {
            throw NotAMatch(match);
        }

        var (targets, retire) = Plan(warehouse, match, defined, dates, keep, orphaned);
        var result = new PruneResult(dryRun);
        foreach (var target in targets)
        {
            Prune(warehouse, target, result);
        }

        if (retire)
        {
            RemoveStableModel(match, result);
            // Said when anything of it was left to remove: a second prune of a retired match has nothing to say.
            result.Retired = result.Actions.Count > 0 ? match : null;
        }

        return result;
    }

    /// <summary>
    /// Whether the project holds anything of a match electionmatch.yml does not define: what check finds it by (EM0113),
    /// or a manifest under pruned/ (a retirement done, or stopped on the way).
    /// </summary>
    private bool HeldInProject(string match) =>
        OrphanMatches.Find(_context).Any(o => o.Name == match) || ManifestFiles.Pruned(_context, match).Count > 0;

    /// <summary>EM0031 for a name that is no match, defined or retired: nothing of it to prune.</summary>
    private DiagnosticException NotAMatch(string match)
    {
        try
        {
            _context.Settings.Match(match);
        }
        catch (DiagnosticException e)
        {
            return new DiagnosticException([.. e.Diagnostics.Select(d => d with { Message = d.Message + $"; nor do the project and the warehouse's snapshot log hold any snapshot of a match '{match}' to prune" })]);
        }

        throw new InvalidOperationException($"match '{match}' is defined");
    }

    /// <summary>
    /// The snapshots of a match the snapshot log says a run published and completed, not pruned, whose manifest is not in
    /// the manifest directory: deleted by hand (as EM0113 once advised to retire a match). Prune writes the log's copy of
    /// it under pruned/ (its hash is the one the log completed, so the chain still verifies), and retires the rest.
    /// </summary>
    private List<PublishRecord> ManifestDeleted(DuckDbWarehouse warehouse, string match, PassedOverSnapshots passedOver) =>
        [.. new SnapshotLog(warehouse).Latest(match).Where(r => r is { IsComplete: true, IsPruned: false, ManifestJson: not null }
            && !passedOver.Contains(r.Snapshot) && !File.Exists(_context.ManifestPath(SnapshotName.TryParse(r.Snapshot, match)!)))];

    /// <summary>
    /// The snapshots to prune, oldest first, and whether the match is retired with them (a match electionmatch.yml does not
    /// define, none of whose published snapshots is left: its stable model goes too), once nothing refuses them; otherwise
    /// every refusal, and nothing changed.
    /// </summary>
    /// <param name="defined">The match's settings; null for a match electionmatch.yml no longer defines.</param>
    private (List<SnapshotName> Targets, bool Retire) Plan(DuckDbWarehouse warehouse, string match, MatchSettings? defined, IReadOnlyList<DateOnly> dates, int? keep, bool orphaned)
    {
        var errors = new List<Diagnostic>();
        var passedOver = FinishedSnapshots.PassedOver(_context, warehouse, match);
        var inPlace = ManifestFiles.Of(_context, match).Select(f => SnapshotName.TryParse(f.Snapshot, match)!)
            .Concat(ManifestDeleted(warehouse, match, passedOver).Select(r => SnapshotName.TryParse(r.Snapshot, match)!))
            .ToList();
        var finished = inPlace.Where(n => !passedOver.Interrupted.ContainsKey(n.Table)).OrderBy(n => n.Date).ToList();
        var declared = _context.DeclaredSnapshots(match).Where(d => !passedOver.Contains(d.Name.Table)).ToList();
        // The one the stable model reads: the newest declared (a snapshot loaded by hand too), or published, by date.
        var newest = declared.Select(d => d.Name).Concat(finished).MaxBy(n => n.Date);

        var stable = SnapshotName.LatestModel(match, _context.Settings.Snapshots.SourceName);
        var targets = new List<SnapshotName>();
        if (keep is 0 && defined is not null)
        {
            // Only a match no longer defined may lose its newest: a defined one's stable model reads it, and its next run
            // would find the name taken by the old snapshots.
            errors.Add(Diagnostic.Error(Codes.PruneRefused, defined.At,
                $"keeping 0 snapshots ({_context.KeepOption(0)}) would prune every snapshot of '{match}', the newest too, which its stable model {stable} ({DisplayPath.For(_context.LatestSqlPath(match))}) reads; "
                + $"it retires a match electionmatch.yml no longer defines: to retire '{match}', remove it here under matches: first, or keep its newest with {_context.KeepOption(1)}"));
        }
        else if (keep is { } count)
        {
            targets.AddRange(finished.OrderByDescending(n => n.Date).Skip(count).Where(n => defined is null || n != newest));
            // And what a prune stopped on the way left (EM0613), so that running the same command again finishes it.
            targets.AddRange(passedOver.Pruned.Select(t => SnapshotName.TryParse(t, match)!).Where(n => LeftOf(warehouse, n)));
        }
        else
        {
            foreach (var name in dates.Distinct().Select(d => new SnapshotName(match, d)))
            {
                if (Refusal(name, inPlace, passedOver, finished, defined is null ? null : newest) is { } refused)
                {
                    errors.Add(refused);
                }
                else
                {
                    targets.Add(name);
                }
            }
        }

        // A retired match's stable model reads its newest snapshot and nothing regenerates it: it goes when no published
        // snapshot is left (hand-loaded ones are yours, and stay), and until then the newest stays with it.
        var retire = defined is null && passedOver.Interrupted.Count == 0 && finished.All(targets.Contains);
        if (defined is null && !retire && newest is { } read && targets.Contains(read))
        {
            errors.Add(Diagnostic.Error(Codes.PruneRefused, _context.Sources.Find(_context.Settings.Snapshots.SourceName, read.Table)?.At ?? SourceSpan.TextFile(DisplayPath.For(_context.ManifestPath(read))),
                $"snapshot {read.Table} is the newest of '{match}' (a match electionmatch.yml no longer defines), and its stable model {stable} ({DisplayPath.For(_context.LatestSqlPath(match))}) reads it; "
                + $"`{_context.RetireCommand(match)}` prunes it with every other snapshot of the match and deletes the stable model, or prune only older snapshots"));
        }

        if (defined is null && keep is 0)
        {
            // Nothing can finish such a run while the match is not defined, and the match is not retired while it is there.
            errors.AddRange(passedOver.Interrupted.Values.Select(r => Diagnostic.Error(Codes.PruneRefused,
                _context.Sources.Find(_context.Settings.Snapshots.SourceName, r.Snapshot)?.At ?? SourceSpan.PathOnly(DisplayPath.For(_context.Target.DatabasePath)),
                $"{FinishedSnapshots.InterruptedRun(_context, r)} once '{match}' is back under matches: in electionmatch.yml; prune cannot retire the match while it is unfinished")));
        }

        if (defined is not null && !orphaned)
        {
            // A snapshot whose manifest is not here, the log's copy of which prune would write under pruned/: in a shared
            // warehouse most likely a teammate's unmerged run. One a stopped prune left (its manifest under pruned/) is finished.
            var log = new SnapshotLog(warehouse);
            errors.AddRange(targets.Where(n => !passedOver.Pruned.Contains(n.Table))
                .Select(n => UnmergedPublication.Find(_context, log, n)).OfType<UnmergedPublication>().Select(UnmergedRefusal));
        }

        errors.AddRange(targets.SelectMany(n => FilesKept([_context.SqlPath(n), _context.YamlPath(n)], $"staging model of snapshot {n.Table}", "dbt would fail on it once the snapshot is gone")));
        if (retire)
        {
            errors.AddRange(FilesKept([_context.LatestSqlPath(match), Path.ChangeExtension(_context.LatestSqlPath(match), ".yml")], $"stable model of '{match}'", "prune leaves it, and it would read a snapshot that is gone"));
        }

        errors.AddRange(References(targets, defined is null ? match : null, retire));
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

        return ([.. targets.OrderBy(n => n.Date)], retire);
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

    /// <summary>
    /// EM0614 for a snapshot whose manifest is not in this checkout (<see cref="UnmergedPublication"/>): nothing here tells a
    /// teammate's unmerged run from an orphan, so the prune of it is asked for by name (<c>--orphaned</c>).
    /// </summary>
    private Diagnostic UnmergedRefusal(UnmergedPublication unmerged) =>
        Diagnostic.Error(Codes.PruneRefused, _context.Sources.Find(_context.Settings.Snapshots.SourceName, unmerged.Name.Table)?.At ?? SourceSpan.PathOnly(unmerged.ManifestPath),
            $"snapshot {unmerged.Name.Table} is in the warehouse's snapshot log, published by {unmerged.Run}, but its manifest {unmerged.ManifestPath} is not in this checkout: {UnmergedPublication.Readings}; "
            + $"prune would retire it from this warehouse, for everyone who publishes into it. `git log --all --oneline -- {unmerged.ManifestPath}` (after `git fetch`) tells them apart: a commit listed there has the manifest, so merge its branch (or restore the file from it) instead of pruning; "
            + $"only if nothing is listed and the snapshot is abandoned, `{_context.PruneCommand(unmerged.Name, orphaned: true)}` retires it, writing the log's copy of its manifest under pruned/");

    /// <summary>The files prune would delete (<paramref name="what"/>: a snapshot's staging model, a match's stable model) that are not ElectionMatch's as it wrote them.</summary>
    /// <param name="left">What follows when such a file stays and the rest goes.</param>
    private static IEnumerable<Diagnostic> FilesKept(string[] paths, string what, string left)
    {
        foreach (var path in paths.Where(File.Exists))
        {
            var state = GeneratedFile.Inspect(File.ReadAllText(path));
            if (!state.IsGenerated)
            {
                yield return Diagnostic.Error(Codes.PruneRefused, SourceSpan.TextFile(DisplayPath.For(path)),
                    $"this {what} has no ElectionMatch header: it is yours, so prune does not delete it, and {left}; delete or move it yourself");
            }
            else if (!state.IsIntact)
            {
                yield return Diagnostic.Error(Codes.PruneRefused, SourceSpan.TextFile(DisplayPath.For(path)),
                    $"this generated {what} was edited by hand, and prune would delete the edit with it; move the change into a downstream model, then delete this file or put it back as generated");
            }
        }
    }

    /// <summary>
    /// Every downstream reference to a snapshot about to be pruned (its dated staging model's ref(), its table's source()):
    /// dbt fails to compile a reference to a model or source that is gone. A pinned line or a comparison too: it still reads it.
    /// </summary>
    /// <param name="undefined">A match electionmatch.yml no longer defines: its stable model's own reference to the newest
    /// snapshot is not read (the newest goes only with the stable model).</param>
    /// <param name="retire">The stable model of <paramref name="undefined"/> goes too: every ref() of it is refused.</param>
    private IEnumerable<Diagnostic> References(List<SnapshotName> targets, string? undefined, bool retire)
    {
        if (targets.Count == 0 && !retire)
        {
            yield break;
        }

        var source = _context.Settings.Snapshots.SourceName;
        var retired = retire ? undefined : null;
        var stableModel = retired is null ? null : SnapshotName.LatestModel(retired, source);
        var own = targets.SelectMany(n => new[] { _context.SqlPath(n), _context.YamlPath(n) })
            .Concat(undefined is null ? [] : [_context.LatestSqlPath(undefined), Path.ChangeExtension(_context.LatestSqlPath(undefined), ".yml")])
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (call, snapshot, _) in SnapshotReferences.In(_context.Project, _context.Settings.Snapshots, own.Contains))
        {
            if (call.IsRef && call.RefModel == stableModel)
            {
                yield return Diagnostic.Error(Codes.PruneRefused, call.At,
                    $"ref('{stableModel}') reads the stable model of '{retired}', a match electionmatch.yml no longer defines, which prune would delete with its last snapshot, and dbt fails on a ref() of a model that is gone; point it at another model first");
                continue;
            }

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

    /// <summary>Whether anything of a pruned snapshot is left to remove: what a prune would do to it, asked as a dry run.</summary>
    private bool LeftOf(DuckDbWarehouse warehouse, SnapshotName name)
    {
        var probe = new PruneResult(dryRun: true);
        Prune(warehouse, name, probe);
        return probe.Actions.Count > 0;
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

        // 1. The record first, moved unchanged: once it is under pruned/, check and verify know the rest is to go. A manifest
        // deleted by hand is written there from the snapshot log, which kept it as completed (the chain's hash is its).
        var log = new SnapshotLog(warehouse);
        if (!File.Exists(_context.ManifestPath(name)) && !File.Exists(_context.PrunedManifestPath(name))
            && log.Latest(name.Match).LastOrDefault(r => r.Snapshot == name.Table) is { IsComplete: true, IsPruned: false, ManifestJson: { } published })
        {
            result.Add("restore", $"{DisplayPath.For(_context.PrunedManifestPath(name))} from the warehouse's snapshot log (the manifest was deleted)");
            if (!result.DryRun)
            {
                AtomicFile.WriteAllText(_context.PrunedManifestPath(name), published);
                CrashPoint.Reached("prune:moved:" + Path.GetFileName(_context.ManifestPath(name)));
            }
        }

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

    /// <summary>
    /// The last step of retiring a match: its stable model, which read its newest snapshot. A kill before it leaves the
    /// file, by which check still finds the match (EM0113) and the same prune finishes.
    /// </summary>
    private void RemoveStableModel(string match, PruneResult result)
    {
        var sql = _context.LatestSqlPath(match);
        if (!result.DryRun)
        {
            CrashPoint.Reached("prune:retiring");
        }

        foreach (var path in new[] { sql, Path.ChangeExtension(sql, ".yml") }.Where(File.Exists))
        {
            result.Add("delete", DisplayPath.For(path));
            if (!result.DryRun)
            {
                File.Delete(path);
            }
        }
    }
}
