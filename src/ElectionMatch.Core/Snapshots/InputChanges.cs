using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// A manifest's input hashes against the inputs as a run reads them now (<see cref="MatchInputs"/>: a CSV file or glob
/// through the reject store, so a line the run quarantined is no change). <c>verify</c> warns of the newest snapshot's
/// (EM0609), and a run with <c>--replace</c> of the snapshot it replaces (EM0615).
/// </summary>
internal static class InputChanges
{
    /// <summary>Each input the manifest recorded a hash of, by role, with its hash now in the manifest's version of it.</summary>
    /// <param name="hashedNow">Both inputs' hashes in <see cref="InputHash.CurrentVersion"/> when the caller has them (a
    /// run hashed its inputs already); an input recorded in another version is hashed again in that one.</param>
    public static IReadOnlyList<InputComparison> Compare(DuckDbWarehouse warehouse, SnapshotManifest manifest, MatchSettings settings, MatchInputs inputs, (string Left, string Right)? hashedNow = null)
    {
        var now = new[] { hashedNow?.Left, hashedNow?.Right };
        return manifest.Inputs.Zip([settings.Left, settings.Right], [inputs.Left, inputs.Right]).Zip(now)
            .Where(x => x.First.First.Sha256 is not null)
            .Select(x =>
            {
                var ((recorded, configured, relation), current) = x;
                // A manifest records which text of a row it hashed; one without a version predates the choice. A version 2
                // hash is made again in version 2, not compared with today's version 3 one: the two differ for an input
                // with U+001E or U+001F in a value even when nothing changed, and agree on every other input anyway.
                var version = recorded.Sha256Version ?? InputHash.RowText;
                var hash = !InputHash.IsKnown(version) ? null
                    : version == InputHash.CurrentVersion && current is not null ? current
                    : InputHash.Of(warehouse, relation.Sql, version);
                return new InputComparison(recorded, configured, hash);
            })
            .ToList();
    }
}

/// <summary>One input of a manifest against the same input now.</summary>
/// <param name="Now">Its hash now, in the manifest's version; null when that version is unknown to this tool (a newer one made it).</param>
internal sealed record InputComparison(ManifestInput Recorded, InputSettings Configured, string? Now)
{
    public bool Changed => Now is not null && Now != Recorded.Sha256;

    /// <summary>The two hashes as a message names them (<see cref="SnapshotManifest.NowAndAtRun"/>).</summary>
    public string Hashes => SnapshotManifest.NowAndAtRun(Now!, Recorded.Sha256!);
}
