using ElectionMatch.Diagnostics;
using ElectionMatch.Dbt;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Operations;

public sealed class GenerateResult
{
    public List<string> Written { get; } = [];

    public List<string> Unchanged { get; } = [];

    /// <summary>Files left alone because the user owns them (no ElectionMatch header).</summary>
    public List<string> UserOwned { get; } = [];

    public List<Diagnostic> Diagnostics { get; } = [];

    /// <summary>One line for each snapshot left alone because its run was interrupted (check reports it, EM0608).</summary>
    public List<string> LeftInterrupted { get; } = [];

    /// <summary>
    /// The snapshots left out because their manifest is not in this checkout though the snapshot log completed them (most
    /// likely a teammate's unmerged run): the EM0108 warning of each in <see cref="Diagnostics"/> says so.
    /// </summary>
    public List<string> UnmergedLeftOut { get; } = [];

    /// <summary>
    /// The stable models left as they are because their match's newest snapshot's table no longer has the columns its manifest
    /// recorded: that snapshot's EM0618 in <see cref="Diagnostics"/> says so, with no EM0107 besides.
    /// </summary>
    public List<string> StableModelsLeft { get; } = [];

    /// <summary>The EM0618 in <see cref="Diagnostics"/> of each snapshot generate rendered no staging file from.</summary>
    internal Dictionary<SnapshotName, Diagnostic> ColumnsAltered { get; } = [];

    /// <summary>Downstream references moved to a stable model by <c>generate --rewrite-refs</c>.</summary>
    public List<ReferenceRewrite> Rewrites { get; } = [];

    /// <summary>Those of the rewritten references that read a superseded snapshot, so now read a newer one.</summary>
    public List<NewerSnapshotRewrite> NewerSnapshots { get; } = [];

    public bool Succeeded => !Diagnostics.Any(d => d.IsError);
}
