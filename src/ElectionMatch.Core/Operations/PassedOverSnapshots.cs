using ElectionMatch.Snapshots;

namespace ElectionMatch.Operations;

/// <summary>
/// The snapshots of a match that generate, check, explain and evaluate pass over (<see cref="FinishedSnapshots.PassedOver"/>),
/// by table name: those whose run was interrupted (EM0608), with the log's record of that run, and those prune retired.
/// </summary>
internal sealed record PassedOverSnapshots(IReadOnlyDictionary<string, PublishRecord> Interrupted, IReadOnlySet<string> Pruned)
{
    public bool Contains(string table) => Interrupted.ContainsKey(table) || Pruned.Contains(table);

    /// <summary>Every table passed over, interrupted or pruned.</summary>
    public IEnumerable<string> Tables => Interrupted.Keys.Concat(Pruned);
}
