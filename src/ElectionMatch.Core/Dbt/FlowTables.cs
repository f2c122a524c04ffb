using ElectionMatch.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace ElectionMatch.Dbt;

/// <summary>
/// Rewrites a source's flow-style <c>tables: [{name: a}, {name: b}]</c> (or <c>tables: []</c>) in block style so a table
/// can be added: each existing table keeps its own text (quoting, nested keys, comments inside it) as one item,
/// <c>- {name: a}</c>, a comment between items keeps its place, and no byte outside the list changes.
/// </summary>
internal static class FlowTables
{
    /// <summary>The column of the block list's dashes: two right of the <c>tables</c> key, as dbt's own examples indent.</summary>
    public static int ItemIndent(YamlMappingNode source) => (int)TablesKey(source).Start.Column - 1 + 2;

    /// <param name="block">The new table's lines, already indented to <see cref="ItemIndent"/> and ending in a line break.</param>
    public static string ToBlock(YamlFile yaml, YamlMappingNode source, YamlSequenceNode tables, string block)
    {
        RefuseUnsafe(yaml, source, tables);
        var (open, items, close) = Locate(yaml, tables);
        var text = yaml.Text;
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var indent = new string(' ', ItemIndent(source));

        // The key line, without the space before '[' (nor the line break, when '[' opened a line of its own), and with
        // what followed ']' on its line: only a comment can, under a block mapping.
        var keyLine = text[..open].TrimEnd(' ', '\t');
        keyLine = keyLine.EndsWith('\n') ? keyLine.TrimEnd('\n').TrimEnd('\r').TrimEnd(' ', '\t') : keyLine;
        var lineEnd = text.IndexOf('\n', close);
        var rest = (lineEnd < 0 ? text[close..] : text[close..lineEnd]).TrimEnd('\r').TrimEnd(' ', '\t');
        var lines = new List<string> { keyLine + rest };

        var previousEnd = open + 1;
        foreach (var (start, end) in items)
        {
            AddComments(text[previousEnd..start], lines, indent);
            var itemLines = text[start..end].Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            // Continuation lines of a table written over several lines move under its dash; inside a flow collection
            // their indentation carries no meaning (YAML folds it), it must only be deeper than the list's.
            lines.Add(indent + "- " + itemLines[0]);
            lines.AddRange(itemLines.Skip(1).Select(l => indent + "    " + l.TrimStart(' ', '\t')));
            previousEnd = end;
        }

        AddComments(text[previousEnd..(close - 1)], lines, indent);
        var after = lineEnd < 0 ? "" : text[(lineEnd + 1)..];
        return string.Concat(lines.Select(l => l + newline)) + block + after;
    }

    /// <summary>
    /// Where the list's '[' is, each item's text (from its first character to its last, a closing '}' included) and the
    /// offset after its ']', from the parser's events: the node tree keeps only where a collection starts. An anchor
    /// inside is refused, since a rewrite would move text between an anchor and its aliases. An alias of an anchor written
    /// whole before the list (a merge key, <c>{name: a, &lt;&lt;: *defaults}</c>) is kept in its item's text: that text
    /// stays after the anchor, and the alias on its entry.
    /// </summary>
    private static (int Open, List<(int Start, int End)> Items, int Close) Locate(YamlFile yaml, YamlSequenceNode tables)
    {
        var parser = new Parser(new StringReader(yaml.Text));
        var before = new HashSet<string>(StringComparer.Ordinal);
        while (parser.MoveNext() && !(parser.Current is SequenceStart s && s.Start.Index == tables.Start.Index))
        {
            // An anchor around the list could only be aliased inside it recursively, which YamlFile refuses (EM0505).
            if (parser.Current is NodeEvent { Anchor.IsEmpty: false } anchored)
            {
                before.Add(anchored.Anchor.Value);
            }
        }

        var items = new List<(int Start, int End)>();
        var depth = 0;
        var itemStart = 0;
        while (parser.MoveNext())
        {
            var e = parser.Current!;
            if (e is AnchorAlias alias && !before.Contains(alias.Value.Value) || e is NodeEvent { Anchor.IsEmpty: false })
            {
                throw DiagnosticException.At(Codes.YamlShape, new SourceSpan(yaml.DisplayName, (int)e.Start.Line, (int)e.Start.Column), AnchorRefused);
            }

            if (depth == 0 && e is SequenceEnd)
            {
                return ((int)tables.Start.Index, items, EndOf(yaml, tables, e));
            }

            itemStart = depth == 0 ? (int)e.Start.Index : itemStart;
            depth += e switch
            {
                SequenceStart or MappingStart => 1,
                SequenceEnd or MappingEnd => -1,
                _ => 0,
            };
            if (depth == 0)
            {
                items.Add((itemStart, EndOf(yaml, tables, e)));
            }
        }

        throw DiagnosticException.At(Codes.YamlShape, yaml.At(tables), "this flow-style 'tables:' list could not be located in the text; write it in block style to let ElectionMatch add to it");
    }

    /// <summary>
    /// The comments between two items (or the brackets and an item): one on the line of what came before stays at the end
    /// of that line, one on a line of its own becomes a line at the items' indentation. Commas and spaces are dropped.
    /// </summary>
    private static void AddComments(string gap, List<string> lines, string indent)
    {
        var at = 0;
        var sameLine = true;
        while (at < gap.Length)
        {
            var c = gap[at];
            if (c == '\n')
            {
                sameLine = false;
                at++;
            }
            else if (c == '#')
            {
                var end = gap.IndexOf('\n', at);
                var comment = (end < 0 ? gap[at..] : gap[at..end]).TrimEnd('\r');
                if (sameLine)
                {
                    var spaces = Math.Max(1, at - gap.LastIndexOfAny([',', '\n'], Math.Max(0, at - 1)) - 1);
                    lines[^1] += new string(' ', spaces) + comment;
                }
                else
                {
                    lines.Add(indent + comment);
                }

                at = end < 0 ? gap.Length : end;
            }
            else
            {
                at++;
            }
        }
    }

    /// <summary>The offset after an event's text. A closing bracket's event ends where it starts; its text is the bracket.</summary>
    private static int EndOf(YamlFile yaml, YamlSequenceNode tables, ParsingEvent e)
    {
        if (e is not (SequenceEnd or MappingEnd))
        {
            return (int)e.End.Index;
        }

        var at = (int)e.Start.Index;
        return at < yaml.Text.Length && yaml.Text[at] == (e is SequenceEnd ? ']' : '}')
            ? at + 1
            : throw DiagnosticException.At(Codes.YamlShape, yaml.At(tables), "this flow-style 'tables:' list could not be located in the text; write it in block style to let ElectionMatch add to it");
    }

    private const string AnchorRefused =
        "this flow-style 'tables:' list holds a YAML anchor or alias (&name, or *name of an anchor inside the list, a merge key's '<<: *name' too), which rewriting it in block style could break; write the list in block style (one '- name: …' per line) to let ElectionMatch add to it";

    /// <summary>
    /// What a rewrite could change the meaning of keeps an error: a list that is itself an anchor or alias (its text may be
    /// elsewhere, and shared), and a source in flow style (a block list cannot sit inside it).
    /// </summary>
    private static void RefuseUnsafe(YamlFile yaml, YamlMappingNode source, YamlSequenceNode tables)
    {
        if (source.Style == MappingStyle.Flow)
        {
            throw DiagnosticException.At(Codes.YamlShape, yaml.At(source), "this source is written in flow style ({name: …, tables: […]}); write it as a block mapping to let ElectionMatch add a table to it");
        }

        if (!tables.Anchor.IsEmpty)
        {
            throw DiagnosticException.At(Codes.YamlShape, yaml.At(tables), AnchorRefused);
        }
    }

    private static YamlScalarNode TablesKey(YamlMappingNode source) =>
        source.Children.Keys.OfType<YamlScalarNode>().First(k => k.Value == "tables");
}
