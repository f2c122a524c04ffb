using ElectionMatch.Snapshots;

namespace ElectionMatch.Operations;

/// <summary>What prune did (or, in a dry run, would do), one line per thing moved, dropped, deleted or removed.</summary>
public sealed class PruneResult(bool dryRun)
{
    public bool DryRun { get; } = dryRun;

    /// <summary>One line per thing, as printed: <c>deleted   path</c>, or in a dry run <c>would delete path</c>.</summary>
    public List<string> Actions { get; } = [];

    /// <summary>Each snapshot pruned, and whether anything of it was left to remove (false: a prune had finished it already).</summary>
    public List<(SnapshotName Name, bool Removed)> Snapshots { get; } = [];

    /// <summary>The match retired: electionmatch.yml no longer defines it, and nothing of it is left but its manifests under pruned/.</summary>
    public string? Retired { get; set; }

    /// <summary>What <c>electionmatch prune</c> prints and <c>ElectionMatchPrune</c> logs: each action, then each snapshot's outcome.</summary>
    public IEnumerable<string> Lines()
    {
        foreach (var line in Actions)
        {
            yield return line;
        }

        foreach (var (name, removed) in Snapshots)
        {
            yield return DryRun ? $"would prune {name.Table}" : removed ? $"pruned    {name.Table}" : $"already pruned: {name.Table}, nothing left of it";
        }

        if (Retired is { } match)
        {
            yield return DryRun
                ? $"would retire match {match}: nothing of it would be left but its manifests under pruned/"
                : $"retired   match {match}: nothing of it is left but its manifests under pruned/, and the name can be defined again";
        }

        if (Snapshots.Count == 0 && Retired is null)
        {
            yield return "nothing to prune";
        }
    }

    /// <param name="verb">move, drop, delete or remove.</param>
    internal void Add(string verb, string what) =>
        Actions.Add(DryRun ? $"would {verb} {what}" : $"{verb + (verb.EndsWith('e') ? "d" : verb == "drop" ? "ped" : "ed"),-9} {what}");
}
