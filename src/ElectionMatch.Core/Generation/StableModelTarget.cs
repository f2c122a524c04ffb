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
internal sealed class StableModelTarget
{
    private readonly Lazy<UnreadableSnapshot>? _unreadable;

    private StableModelTarget(SnapshotName name, SourceTable entry, Lazy<UnreadableSnapshot>? unreadable)
    {
        Name = name;
        Entry = entry;
        _unreadable = unreadable;
    }

    public SnapshotName Name { get; }

    public SourceTable Entry { get; }

    /// <summary>Whether its table (or <c>external_location</c> file) can be read here.</summary>
    public bool Readable => _unreadable is null;

    /// <summary>
    /// Why it cannot be read here and what to do; null when it can. Worked out when first asked, and only a report asks:
    /// whether <c>restore</c> is the remedy reads and hashes the snapshot's parquet copy (4 s and 8 CPU-s at a million
    /// candidacies), which a run's look at the files it will write, explain and evaluate do not need.
    /// </summary>
    public UnreadableSnapshot? Unreadable => _unreadable?.Value;

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
        if (newest.Name is not { } name)
        {
            return null;
        }

        return new(name, newest.Entry, UnreadableSnapshot.CanRead(newest.Entry, warehouse, resolver)
            ? null
            : new Lazy<UnreadableSnapshot>(() => UnreadableSnapshot.For(context, name, newest.Entry, warehouse), LazyThreadSafetyMode.None));
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
