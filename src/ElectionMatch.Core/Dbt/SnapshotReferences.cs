using ElectionMatch.Snapshots;

namespace ElectionMatch.Dbt;

/// <summary>
/// Every <c>ref()</c> and <c>source()</c> in the files dbt resolves <c>ref()</c> in (models, tests, analyses and snapshots,
/// SQL and YAML; not inside a Jinja or YAML comment, which dbt never reads), each with the dated snapshot it names, if
/// any: a staging model's <c>ref('stg_&lt;source&gt;__&lt;match&gt;_YYYYMMDD')</c>, or the snapshot table's
/// <c>source('&lt;source&gt;', '…')</c> outside the staging folder (where each staging model reads its own). check reports
/// what they name (EM0105, EM0106, EM0300); prune refuses to remove a snapshot one of them names.
/// </summary>
internal static class SnapshotReferences
{
    /// <param name="skip">Files not to read (check: the stable models, which read a dated model by design).</param>
    public static IEnumerable<SnapshotReference> In(DbtProject project, Settings.SnapshotSettings snapshots, Func<string, bool> skip)
    {
        var source = snapshots.SourceName;
        var prefix = $"stg_{source}__";
        var stagingDirectory = project.Resolve(snapshots.StagingDirectory);
        foreach (var file in project.ReferencingFiles().Where(f => !skip(f)))
        {
            var isStaging = Path.GetDirectoryName(file) == stagingDirectory;
            var text = File.ReadAllText(file);
            var references = ModelSql.ReferencesIn(file, text, DisplayPath.For(file));
            // A comparison of snapshots, or a line marked pinned, keeps its dated references on purpose.
            var pinned = PinnedReferences.In(file, text, references, source);
            foreach (var call in references)
            {
                var table = call switch
                {
                    { IsRef: true } when call.RefModel.StartsWith(prefix, StringComparison.Ordinal) => call.RefModel[prefix.Length..],
                    { IsSource: true } when call.Arguments[0] == source && !isStaging => call.Arguments[1],
                    _ => null,
                };
                yield return new SnapshotReference(call, table is null ? null : SnapshotName.TryParse(table), pinned.ContainsKey(call.At));
            }
        }
    }
}

/// <param name="Snapshot">The dated snapshot the call names; null when it names none (another model, a stable model, no date).</param>
/// <param name="Pinned">The call is meant to stay dated (<see cref="PinnedReferences"/>).</param>
internal sealed record SnapshotReference(JinjaCall Call, SnapshotName? Snapshot, bool Pinned);
