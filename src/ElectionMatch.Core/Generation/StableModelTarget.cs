using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Snapshots;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Generation;

/// <summary>
/// The snapshot a match's stable model is to read: the newest the sources YAML declares (one whose run was interrupted, or one pruned,
/// passed over), whether or not it can be read here. generate and run move the stable model onto it only when it can
/// be read, and otherwise leave the stable model as it is: an older snapshot that is here is no stand-in (in a clone
/// without the warehouse, or with an older one, the stable model would be moved back and that edit committed). check
/// expects the stable model on it either way, so it never asks for a generate that would change nothing.
/// </summary>
/// <param name="Unreadable">Why it cannot be read here and what to do; null when it can.</param>
internal sealed record StableModelTarget(SnapshotName Name, SourceTable Entry, UnreadableSnapshot? Unreadable)
{
    /// <param name="sources">The sources YAML as the caller has it (a run reads it again after adding its entry).</param>
    /// <param name="passedOver">Tables that are not candidates: snapshots whose run was interrupted (EM0608), and pruned ones.</param>
    public static StableModelTarget? Find(ProjectContext context, string match, SourceCatalog sources, IEnumerable<string> passedOver, DuckDbWarehouse warehouse, RelationResolver resolver)
    {
        var skipped = passedOver.ToHashSet(StringComparer.Ordinal);
        var newest = sources.TablesOf(context.Settings.Snapshots.SourceName)
            .Select(t => (Name: SnapshotName.TryParse(t.Name, match), Entry: t))
            .Where(x => x.Name is not null && !skipped.Contains(x.Name.Table))
            .OrderByDescending(x => x.Name!.Date)
            .FirstOrDefault();
        return newest.Name is null ? null : new(newest.Name, newest.Entry, UnreadableSnapshot.Of(context, newest.Name, newest.Entry, warehouse, resolver));
    }

    /// <summary>
    /// What generate and run say when they leave the stable model as it is (EM0107, at the entry), and check when the
    /// stable model does not read this snapshot: the same reason and remedy as check's EM0101 at that entry.
    /// </summary>
    public Diagnostic LeftAsItIs(string source) =>
        Diagnostic.Warning(Codes.GeneratedFileStale, Entry.At,
            $"snapshot '{Name.Table}' is declared here but {Unreadable!.Reason}, so the stable model {SnapshotName.LatestModel(Name.Match, source)} is left as it is "
            + $"(generate moves it onto its newest snapshot once that can be read here, never back to an older one); {Unreadable.Remedy}");
}
