using ElectionMatch.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace ElectionMatch.Dbt;

/// <summary>
/// Applies YAML merge keys (<c>&lt;&lt;: *defaults</c>, <c>&lt;&lt;: [*a, *b]</c>, <c>&lt;&lt;: {k: v}</c>) as PyYAML, which dbt reads
/// YAML with, applies them: a key written in the mapping wins over a merged one, and of a list, the earlier mapping wins.
/// YamlDotNet's representation model keeps <c>&lt;&lt;</c> as an ordinary key, so a merged <c>external_location</c> was not read.
/// The merged entries are the nodes where they are written, so an error in one names that line.
/// </summary>
internal static class YamlMerge
{
    /// <returns>The merge keys taken out of each mapping, with their values: text that is still the mapping's, which an edit of the file must keep with it.</returns>
    public static IReadOnlyDictionary<YamlNode, IReadOnlyList<YamlNode>> Apply(YamlFile file, YamlNode root)
    {
        var removed = new Dictionary<YamlNode, IReadOnlyList<YamlNode>>(ReferenceEqualityComparer.Instance);
        Flatten(file, root, new HashSet<YamlNode>(ReferenceEqualityComparer.Instance), removed);
        return removed;
    }

    /// <summary>Whether a mapping key is YAML's merge key: a plain <c>&lt;&lt;</c> (quoted, it is text) or one tagged <c>!!merge</c>.</summary>
    public static bool IsMergeKey(YamlNode key) =>
        key is YamlScalarNode { Value: "<<" } s
        && (s.Tag.IsEmpty ? s.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any : s.Tag.Value == "tag:yaml.org,2002:merge");

    private static void Flatten(YamlFile file, YamlNode node, HashSet<YamlNode> done, Dictionary<YamlNode, IReadOnlyList<YamlNode>> removed)
    {
        if (!done.Add(node))
        {
            return;
        }

        switch (node)
        {
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children)
                {
                    Flatten(file, child, done, removed);
                }

                break;
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children.ToList())
                {
                    Flatten(file, key, done, removed);
                    Flatten(file, value, done, removed);
                }

                Merge(file, mapping, removed);
                break;
        }
    }

    private static void Merge(YamlFile file, YamlMappingNode mapping, Dictionary<YamlNode, IReadOnlyList<YamlNode>> removed)
    {
        if (!mapping.Children.Keys.Any(IsMergeKey))
        {
            return;
        }

        removed[mapping] = mapping.Children.Where(e => IsMergeKey(e.Key)).SelectMany(e => new[] { e.Key, e.Value }).ToList();
        var explicitKeys = mapping.Children.Keys.Where(k => !IsMergeKey(k)).ToHashSet();
        var entries = new List<KeyValuePair<YamlNode, YamlNode>>();
        var taken = new HashSet<YamlNode>();
        foreach (var entry in mapping.Children.ToList())
        {
            if (!IsMergeKey(entry.Key))
            {
                entries.Add(entry);
                continue;
            }

            // In the merge key's place: each merged mapping's entries not written here, the first mapping of a list winning.
            foreach (var merged in Sources(file, entry.Value))
            {
                foreach (var item in merged.Children)
                {
                    if (!explicitKeys.Contains(item.Key) && taken.Add(item.Key))
                    {
                        entries.Add(item);
                    }
                }
            }
        }

        mapping.Children.Clear();
        foreach (var (key, value) in entries)
        {
            mapping.Children.Add(key, value);
        }
    }

    private static IEnumerable<YamlMappingNode> Sources(YamlFile file, YamlNode value) => value switch
    {
        YamlMappingNode map => [map],
        YamlSequenceNode list => list.Children.Select(item => item as YamlMappingNode
            ?? throw DiagnosticException.At(Codes.YamlShape, file.At(item), "each item of a merge key's list ('<<: [*a, *b]') must be a mapping, as dbt reads YAML")).ToList(),
        _ => throw DiagnosticException.At(Codes.YamlShape, file.At(value), "a merge key ('<<') takes a mapping or a list of mappings (an alias such as *defaults), as dbt reads YAML; this is a text value"),
    };
}
