using ElectionMatch.Diagnostics;
using ElectionMatch.Dbt;
using ElectionMatch.Generation;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// Which of a match's snapshots a reading command (explain, evaluate) takes when none is named: the one the stable model
/// reads, as generate and check pass over a snapshot whose run was interrupted (EM0608) and a pruned one; and what it says
/// when the one named is of an interrupted run.
/// </summary>
internal static class FinishedSnapshots
{
    /// <summary>
    /// The snapshot the stable model reads (<see cref="StableModelTarget"/>) when <paramref name="readable"/> holds for it,
    /// else the newest of <paramref name="others"/> that is readable and neither interrupted nor pruned; null when none is.
    /// </summary>
    /// <param name="readable">Whether the caller can read the snapshot here (explain needs its table; evaluate reads a declared file too).</param>
    /// <param name="others">The snapshots the caller would fall back on when the stable model's cannot be read.</param>
    public static SnapshotName? Newest(ProjectContext context, DuckDbWarehouse warehouse, string match, Func<SnapshotName, bool> readable, IEnumerable<SnapshotName> others)
    {
        var passedOver = PassedOver(context, warehouse, match);
        if (StableModelTarget.Find(context, match, context.Sources, passedOver.Tables, warehouse, context.Resolver(warehouse)) is { Readable: true } target
            && readable(target.Name))
        {
            return target.Name;
        }

        return others.Where(n => !passedOver.Contains(n.Table) && readable(n)).MaxBy(n => n.Date);
    }

    /// <summary>
    /// What explain and evaluate add when the snapshot named on the command line is not a table here but the warehouse's
    /// snapshot log has it published and not pruned: its table was dropped or renamed since. Before, they said only that
    /// it was not in the warehouse, as of a date never published, and named no restore. Reads no parquet copy: restore
    /// itself refuses, changing nothing, a copy that is not the snapshot as published.
    /// </summary>
    public static string? DroppedSince(ProjectContext context, DuckDbWarehouse warehouse, SnapshotName name)
    {
        if (new SnapshotLog(warehouse).Latest(name.Match).LastOrDefault(r => r.Snapshot == name.Table) is not { IsPruned: false })
        {
            return null;
        }

        var copy = context.ParquetPath(name);
        return $"{name.Table} was published in this warehouse (its snapshot log has it, not pruned), and its table has been dropped or renamed since: "
            + (File.Exists(copy)
                ? $"`{context.RestoreCommand(name)}` puts it back from its parquet copy {DisplayPath.For(copy)} when that holds it as published"
                : $"its parquet copy {DisplayPath.For(copy)} is gone too; {context.RepublishAdvice(name, fromParquet: false)}");
    }

    /// <summary>
    /// The line explain and evaluate print when the snapshot the stable model reads cannot be read here (its table dropped,
    /// or published into a teammate's warehouse) and they took <paramref name="chosen"/>, an older one, instead: without it
    /// they named the older one as if the stable model read it, and explain advised a --replace of it. Null otherwise.
    /// Reads no parquet copy: whether restore is the remedy is check's to work out (<see cref="StableModelTarget.Unreadable"/>).
    /// </summary>
    public static string? StableModelUnread(ProjectContext context, DuckDbWarehouse warehouse, string match, SnapshotName chosen)
    {
        var target = StableModelTarget.Find(context, match, context.Sources, PassedOver(context, warehouse, match).Tables, warehouse, context.Resolver(warehouse));
        if (target is null || target.Readable || target.Name.Date <= chosen.Date)
        {
            return null;
        }

        var model = SnapshotName.LatestModel(match, context.Settings.Snapshots.SourceName);
        return $"the stable model {model} reads {target.Name.Table}, which cannot be read here: {UnreadableSnapshot.Briefly(context, target.Entry)}; "
            + $"this is {chosen.Table}, the newest that can be read here; `electionmatch check` says what makes {target.Name.Table} readable";
    }

    /// <summary>
    /// The snapshots of <paramref name="match"/> that are not (yet) finished ones: those whose newest publish the snapshot log
    /// marks interrupted (EM0608), and those prune retired. generate writes nothing for them and never moves the stable
    /// model onto one; check expects no file of them; explain and evaluate read one only when it is named.
    /// </summary>
    /// <param name="finishing">The snapshot whose interrupted run the caller is finishing, not passed over (a run writes
    /// the stable model before it completes its log row).</param>
    public static PassedOverSnapshots PassedOver(ProjectContext context, DuckDbWarehouse warehouse, string match, SnapshotName? finishing = null) =>
        new(new SnapshotLog(warehouse).Latest(match).Where(r => !r.IsComplete && r.Snapshot != finishing?.Table).ToDictionary(r => r.Snapshot, StringComparer.Ordinal),
            ManifestFiles.PrunedSnapshots(context, match));

    /// <summary>
    /// A warning (EM0608, at <paramref name="at"/>) when the snapshot named on the command line was published by a run that was
    /// interrupted before it wrote its manifest and dbt files; null when its run finished (or the log does not know it).
    /// </summary>
    public static Diagnostic? Interrupted(ProjectContext context, DuckDbWarehouse warehouse, SnapshotName name, SourceSpan at) =>
        new SnapshotLog(warehouse).Latest(name.Match).LastOrDefault(r => r.Snapshot == name.Table) is { IsComplete: false } record
            ? Diagnostic.Warning(Codes.RunInterrupted, at, $"{InterruptedRun(context, record, namingCode: false)}; until then the stable model does not read it, and it is read here only because it was named")
            : null;

    /// <summary>The words every command uses for a snapshot whose run was interrupted, with the command that finishes it.</summary>
    /// <param name="namingCode">Name EM0608 in the words: a message under another code (restore's, prune's) refers to it;
    /// one under EM0608 itself would say it twice.</param>
    public static string InterruptedRun(ProjectContext context, PublishRecord record, bool namingCode = true) =>
        $"snapshot {record.Snapshot} was published by a run that was interrupted before it finished writing its manifest and dbt files{(namingCode ? " (EM0608)" : "")}; `{context.FinishCommand(record)}` finishes it";
}
