using ElectionMatch.Diagnostics;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Operations;

/// <summary>
/// A <c>ref()</c> that <c>generate --rewrite-refs</c> moved from a superseded snapshot's staging model to the stable model,
/// which reads the match's newest: unlike a move from the newest one, what the reference reads changed.
/// </summary>
/// <param name="At">The reference, in the file as it was before the rewrite.</param>
/// <param name="Before">The snapshot it read.</param>
/// <param name="After">The snapshot the stable model reads, which it reads now.</param>
public sealed record NewerSnapshotRewrite(SourceSpan At, SnapshotName Before, SnapshotName After);
