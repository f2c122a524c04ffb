using ElectionMatch.Dbt;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Generation;

/// <summary>
/// A match's stable model that the user owns (its SQL has no ElectionMatch header): generate and run leave it and its
/// YAML alone, so it reads whatever snapshot the user pointed it at. Once that is no longer the newest, the models
/// downstream of it read old rows without a word; these are the references that say so.
/// </summary>
internal static class OwnedStableModel
{
    /// <summary>The ref()s of the user's stable model at <paramref name="path"/> to a snapshot of <paramref name="match"/> other than <paramref name="newest"/>; none for a generated one.</summary>
    public static IEnumerable<(JinjaCall Call, SnapshotName Read)> OlderReads(string path, string source, string match, SnapshotName newest)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        var text = File.ReadAllText(path);
        if (GeneratedFile.Inspect(text).IsGenerated)
        {
            yield break;
        }

        var prefix = $"stg_{source}__";
        foreach (var call in ModelSql.ReferencesIn(path, text, DisplayPath.For(path)))
        {
            if (call.IsRef && call.RefModel.StartsWith(prefix, StringComparison.Ordinal)
                && SnapshotName.TryParse(call.RefModel[prefix.Length..], match) is { } read && read != newest)
            {
                yield return (call, read);
            }
        }
    }

    /// <summary>The warning for one such reference (EM0106), the same from check, generate and run.</summary>
    public static Diagnostics.Diagnostic Warning(JinjaCall call, SnapshotName read, SnapshotName newest, string source) =>
        new(Diagnostics.Codes.ReferenceToSupersededSnapshot, Diagnostics.Severity.Warning, call.At.File, call.At.Line, call.At.Column,
            $"the stable model {SnapshotName.LatestModel(newest.Match, source)} is yours (it has no ElectionMatch header), so generate and run leave it as it is, and it reads {read.Table}, superseded by {newest.Table}: " +
            $"the models that ref it read old rows; point it at ref('{newest.StagingModel(source)}'), or delete it and its YAML for generate to write them");
}
