using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Dbt;

/// <summary>
/// The references to a dated snapshot (its staging model's <c>ref()</c>, its table's <c>source()</c>) that a file means
/// to keep dated, so neither check (EM0106, EM0300) nor <c>generate --rewrite-refs</c> moves them to the newest:
/// <list type="bullet">
/// <item>a file that names two or more snapshots of one match, or one and the match's stable model, compares them: moved
/// to the stable model, both sides would read the same snapshot (a self-join that returns nothing, without a word);</item>
/// <item>a reference on a line marked <c>{# electionmatch: pinned #}</c> (in YAML also <c># electionmatch: pinned</c>).</item>
/// </list>
/// </summary>
internal static partial class PinnedReferences
{
    /// <summary>The pinned references of one file, by position (<see cref="JinjaCall.At"/>).</summary>
    /// <param name="references">The file's <c>ref()</c> and <c>source()</c> calls, as <see cref="ModelSql.ReferencesIn"/> reads them.</param>
    public static IReadOnlyDictionary<SourceSpan, ReferencePin> In(string path, string text, IReadOnlyList<JinjaCall> references, string snapshotSource)
    {
        var pins = new Dictionary<SourceSpan, ReferencePin>();
        var comparisons = references
            .Select(call => (Call: call, Snapshot: SnapshotOf(call, snapshotSource)))
            .Where(x => x.Snapshot is not null)
            .GroupBy(x => x.Snapshot!.Value.Match, StringComparer.Ordinal)
            .Select(g => (Calls: g.Select(x => x.Call).ToList(), Names: g.Select(x => x.Snapshot!.Value.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
            .Where(g => g.Names.Count >= 2);
        foreach (var (calls, names) in comparisons)
        {
            foreach (var call in calls)
            {
                pins[call.At] = new ReferencePin(false, $"the file compares snapshots {string.Join(" and ", names)}: moved to the stable model, each side would read the newest");
            }
        }

        var yaml = !Path.GetExtension(path).Equals(".sql", StringComparison.OrdinalIgnoreCase);
        var marked = MarkedLines(text, yaml);
        foreach (var call in references.Where(c => marked.Contains(c.At.Line)))
        {
            pins[call.At] = new ReferencePin(true, "its line is marked 'electionmatch: pinned'");
        }

        return pins;
    }

    /// <summary>The match and the snapshot a call names: a dated staging model or snapshot table, or the match's stable model (named as such).</summary>
    private static (string Match, string Name)? SnapshotOf(JinjaCall call, string source)
    {
        var prefix = $"stg_{source}__";
        if (call.IsRef && call.RefModel.StartsWith(prefix, StringComparison.Ordinal))
        {
            var table = call.RefModel[prefix.Length..];
            return SnapshotName.TryParse(table) is { } dated ? (dated.Match, dated.Table) : (table, call.RefModel);
        }

        return call.IsSource && call.Arguments[0] == source && SnapshotName.TryParse(call.Arguments[1]) is { } name ? (name.Match, name.Table) : null;
    }

    private static HashSet<int> MarkedLines(string text, bool yaml)
    {
        var lineStarts = TextLines.Starts(text);
        var markers = JinjaMarker().Matches(text).AsEnumerable();
        if (yaml)
        {
            markers = markers.Concat(YamlMarker().Matches(text));
        }

        return markers.Select(m => lineStarts.BinarySearch(m.Index) is var line && line >= 0 ? line + 1 : ~line).ToHashSet();
    }

    [GeneratedRegex(@"\{#-?[ \t]*electionmatch:[ \t]*pinned\b[^\r\n]*?#\}")]
    private static partial Regex JinjaMarker();

    // As a YAML comment: a '#' that begins a line or follows a space.
    [GeneratedRegex(@"(?<=^|[ \t])#[ \t]*electionmatch:[ \t]*pinned\b", RegexOptions.Multiline)]
    private static partial Regex YamlMarker();
}
