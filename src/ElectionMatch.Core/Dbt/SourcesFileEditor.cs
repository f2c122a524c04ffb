using ElectionMatch.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace ElectionMatch.Dbt;

/// <summary>
/// Surgical edits to a user's sources YAML: new text is inserted after the last item of a list,
/// and every other byte (comments, order, quoting, blank lines) stays as it was.
/// </summary>
public static class SourcesFileEditor
{
    /// <summary>Adds a table entry (YAML whose first line starts with "- " at column 0) to a source's <c>tables:</c>.</summary>
    public static string AddTable(string text, string path, string sourceName, string entry)
    {
        var yaml = YamlFile.Parse(path, text);
        var sources = SourcesList(yaml);
        var source = sources.Children.OfType<YamlMappingNode>().FirstOrDefault(s => NameOf(s) == sourceName)
            ?? throw DiagnosticException.At(Codes.SourceNotFound, yaml.At(sources), $"source '{sourceName}' is not declared in this file");
        if (!source.Children.TryGetValue(new YamlScalarNode("tables"), out var tablesNode) || tablesNode is not YamlSequenceNode tables)
        {
            throw DiagnosticException.At(Codes.YamlShape, yaml.At(source), $"source '{sourceName}' has no 'tables:' list to add to; add one table by hand first");
        }

        if (!WrittenIn(tables, source))
        {
            // Adding to the list where it is written would add the table to the anchor's own mapping too, or only.
            throw DiagnosticException.At(Codes.YamlShape, yaml.At(source), $"source '{sourceName}' takes its 'tables:' from an anchor written elsewhere in the file (a merge key '<<' or an alias); write its own 'tables:' list to let ElectionMatch add to it");
        }

        // dbt reads `tables: [{name: a}]` and `tables: []` as well; that one list is rewritten in block style.
        return tables.Style == YamlDotNet.Core.Events.SequenceStyle.Flow
            ? FlowTables.ToBlock(yaml, source, tables, Block(entry, FlowTables.ItemIndent(source), NewlineOf(yaml.Text)))
            : InsertAfterLastItem(yaml, tables, entry);
    }

    /// <summary>
    /// Adds <c>manifest: value</c> to the <c>meta:</c> of a table entry ElectionMatch generated (the one holding
    /// <c>generated_by:</c>, top-level or under <c>config:</c>), on the line after <c>generated_by:</c> and at its indent,
    /// as the entry's template places it. Null when the entry has no such <c>meta:</c> (an entry the user wrote).
    /// </summary>
    public static string? AddManifest(string text, string path, string sourceName, string tableName, string manifest)
    {
        var yaml = YamlFile.Parse(path, text);
        var table = Table(yaml, sourceName, tableName);
        var meta = new[] { Child(Child(table, "config"), "meta"), Child(table, "meta") }
            .FirstOrDefault(m => m is not null && m.Children.ContainsKey(new YamlScalarNode("generated_by")));
        if (meta is null)
        {
            return null;
        }

        if (meta.Style == YamlDotNet.Core.Events.MappingStyle.Flow)
        {
            throw DiagnosticException.At(Codes.YamlShape, yaml.At(meta), $"the meta of snapshot '{tableName}' is written in flow style ({{a: b}}); write it as a block mapping to let ElectionMatch add its `manifest:` line");
        }

        var key = meta.Children.Keys.First(k => k is YamlScalarNode { Value: "generated_by" });
        if (!WrittenIn(key, table!))
        {
            return null; // merged from an anchor elsewhere: the line after it is another entry's
        }

        var lines = TextLines.Starts(text);
        var after = LastContentLine(yaml, meta.Children[key]);
        var newline = NewlineOf(text);
        var offset = after < lines.Count ? lines[after] : text.Length;
        var prefix = text[..offset];
        if (offset == text.Length && !prefix.EndsWith('\n'))
        {
            prefix += newline;
        }

        return prefix + new string(' ', (int)key.Start.Column - 1) + "manifest: " + manifest + newline + text[offset..];
    }

    /// <summary>
    /// Moves the top-level <c>meta:</c> of a table entry ElectionMatch generated (holding <c>generated_by:</c>) under
    /// <c>config:</c>, the form dbt 1.10 reads without PropertyMovedToConfigDeprecation: its lines, comments inside it
    /// included, indented one step deeper under a new <c>config:</c> line in its place, or moved to the end of the entry's
    /// block <c>config:</c> when it has one. Every other byte stays. Null when there is nothing to move: an entry the user
    /// wrote, a meta already under config:, or one this cannot move (a config: in flow style or holding a meta: too).
    /// </summary>
    public static string? MoveMetaUnderConfig(string text, string path, string sourceName, string tableName)
    {
        var yaml = YamlFile.Parse(path, text);
        var table = Table(yaml, sourceName, tableName);
        if (table is null || Child(table, "meta") is not { } meta || !meta.Children.ContainsKey(new YamlScalarNode("generated_by"))
            || !WrittenIn(meta, table) || !table.Children.Keys.Any(k => k is YamlScalarNode { Value: "meta" } && WrittenIn(k, table)))
        {
            return null;
        }

        var key = table.Children.Keys.First(k => k is YamlScalarNode { Value: "meta" });
        var lines = TextLines.Starts(text);
        var first = (int)key.Start.Line;
        var column = (int)key.Start.Column - 1;
        if (text.AsSpan(lines[first - 1], column).Trim().Length != 0)
        {
            return null; // meta: shares its line with the item's dash: not a line of its own to move
        }

        var start = lines[first - 1];
        var end = LastContentLine(yaml, meta) < lines.Count ? lines[LastContentLine(yaml, meta)] : text.Length;
        var block = text[start..end];
        var newline = NewlineOf(text);
        if (end == text.Length && !block.EndsWith('\n'))
        {
            block += newline;
        }

        var step = meta.Style == YamlDotNet.Core.Events.MappingStyle.Block && meta.Children.Count > 0 ? (int)meta.Children.Keys.First().Start.Column - 1 - column : 2;
        var configKey = table.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: "config" });
        if (configKey is null)
        {
            return text[..start] + new string(' ', column) + "config:" + newline + Indented(block, step) + text[end..];
        }

        if (table.Children[configKey] is not YamlMappingNode { Style: not YamlDotNet.Core.Events.MappingStyle.Flow } config
            || config.Children.Count == 0 || config.Children.ContainsKey(new YamlScalarNode("meta")))
        {
            return null;
        }

        var configEnd = LastContentLine(yaml, config) < lines.Count ? lines[LastContentLine(yaml, config)] : text.Length;
        var moved = Indented(block, (int)config.Children.Keys.First().Start.Column - 1 - column);
        var configTail = configEnd == text.Length && !text.EndsWith('\n') ? newline : "";
        return start < configEnd
            ? text[..start] + text[end..configEnd] + configTail + moved + text[configEnd..]
            : text[..configEnd] + configTail + moved + text[configEnd..start] + text[end..];
    }

    /// <summary>Each line of <paramref name="block"/> that holds anything, <paramref name="spaces"/> columns deeper.</summary>
    private static string Indented(string block, int spaces) =>
        string.Concat(block.Split('\n').Select((l, i) => (i > 0 ? "\n" : "") + (l.Trim().Length == 0 ? l : new string(' ', spaces) + l)));

    private static YamlMappingNode? Table(YamlFile yaml, string sourceName, string tableName) =>
        SourcesList(yaml).Children.OfType<YamlMappingNode>()
            .Where(s => NameOf(s) == sourceName)
            .SelectMany(s => s.Children.TryGetValue(new YamlScalarNode("tables"), out var t) && t is YamlSequenceNode tables ? tables.Children.OfType<YamlMappingNode>() : [])
            .FirstOrDefault(t => NameOf(t) == tableName);

    /// <summary>
    /// Removes a table entry from a source's <c>tables:</c>: the lines from its dash to its last line of content, with
    /// the comments inside it. Every other byte stays, comments and blank lines around it too. Null when the source
    /// declares no such table in this file.
    /// </summary>
    public static string? RemoveTable(string text, string path, string sourceName, string tableName)
    {
        var yaml = YamlFile.Parse(path, text);
        foreach (var source in SourcesList(yaml).Children.OfType<YamlMappingNode>().Where(s => NameOf(s) == sourceName))
        {
            if (!source.Children.TryGetValue(new YamlScalarNode("tables"), out var tablesNode) || tablesNode is not YamlSequenceNode tables
                || tables.Children.OfType<YamlMappingNode>().FirstOrDefault(t => NameOf(t) == tableName) is not { } table)
            {
                continue;
            }

            if (tables.Style == YamlDotNet.Core.Events.SequenceStyle.Flow)
            {
                throw DiagnosticException.At(Codes.YamlShape, yaml.At(tables), $"the tables of source '{sourceName}' are written in flow style ([a, b]); write them as a block list, or remove '{tableName}' by hand");
            }

            if (!WrittenIn(tables, source) || !WrittenIn(table, tables))
            {
                throw DiagnosticException.At(Codes.YamlShape, yaml.At(source), $"source '{sourceName}' takes '{tableName}' from an anchor written elsewhere in the file (a merge key '<<' or an alias); remove it there by hand");
            }

            if (tables.Children.Count == 1)
            {
                // An empty `tables:` reads as null, which dbt refuses; what the source becomes is the user's call.
                throw DiagnosticException.At(Codes.YamlShape, yaml.At(table), $"'{tableName}' is the only table of source '{sourceName}' in this file; remove it (and the source, or its tables: key) by hand");
            }

            var lines = TextLines.Starts(text);
            var first = DashLine(text, lines, table);
            var last = LastContentLine(yaml, table);
            var start = lines[first - 1];
            var end = last < lines.Count ? lines[last] : text.Length;
            var removed = text[..start] + text[end..];
            try
            {
                YamlFile.Parse(path, removed);
            }
            catch (DiagnosticException)
            {
                // The entry holds an anchor an alias or merge key elsewhere uses: removing it would leave a file dbt cannot read.
                throw DiagnosticException.At(Codes.YamlShape, yaml.At(table), $"'{tableName}' holds a YAML anchor used elsewhere in the file; removing it would break that alias, so remove it by hand");
            }

            return removed;
        }

        return null;
    }

    /// <summary>The 1-based line of an item's dash: its own first line, or the line above when the dash stands alone.</summary>
    private static int DashLine(string text, List<int> lines, YamlNode item)
    {
        var line = (int)item.Start.Line;
        if (text.AsSpan(lines[line - 1], (int)item.Start.Column - 1).Contains('-'))
        {
            return line;
        }

        while (line > 1 && text.AsSpan(lines[line - 2], lines[line - 1] - lines[line - 2]).Trim().Length == 0)
        {
            line--;
        }

        return line - 1;
    }

    private static YamlMappingNode? Child(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child as YamlMappingNode : null;

    public static bool DeclaresSource(string text, string path, string sourceName) =>
        YamlFile.Parse(path, text) is { Root: not null } yaml && SourcesList(yaml).Children.OfType<YamlMappingNode>().Any(s => NameOf(s) == sourceName);

    /// <summary>Adds a whole source entry to the file's <c>sources:</c> list.</summary>
    public static string AddSource(string text, string path, string entry)
    {
        var yaml = YamlFile.Parse(path, text);
        if (yaml.Root is null)
        {
            // An empty file (or comments only) declares nothing, as dbt reads it: the list starts here, after any comments.
            var newline = NewlineOf(text);
            var prefix = text.Length == 0 || text.EndsWith('\n') ? text : text + newline;
            return prefix + "version: 2" + newline + newline + "sources:" + newline + Block(entry, 2, newline);
        }

        var sources = SourcesList(yaml);
        if (sources.Children.Count == 0)
        {
            throw DiagnosticException.At(Codes.YamlShape, yaml.At(sources), "the 'sources:' list is empty; add the source by hand first");
        }

        return InsertAfterLastItem(yaml, sources, entry);
    }

    private static YamlSequenceNode SourcesList(YamlFile yaml)
    {
        var root = yaml.RootMap();
        return root.Get("sources") as YamlSequenceNode
            ?? throw DiagnosticException.At(Codes.YamlShape, root.At, "this file has no 'sources:' list");
    }

    private static string? NameOf(YamlMappingNode node) =>
        node.Children.TryGetValue(new YamlScalarNode("name"), out var name) ? (name as YamlScalarNode)?.Value : null;

    private static string InsertAfterLastItem(YamlFile yaml, YamlSequenceNode sequence, string entry)
    {
        if (sequence.Style == YamlDotNet.Core.Events.SequenceStyle.Flow)
        {
            throw DiagnosticException.At(Codes.YamlShape, yaml.At(sequence), "this list is written in flow style ([a, b]); write it as a block list to let ElectionMatch add to it");
        }

        if (!WrittenIn(sequence.Children[^1], sequence))
        {
            // An alias as the last item ('- *shared') is written where its anchor is: a new item would go there.
            throw DiagnosticException.At(Codes.YamlShape, yaml.At(sequence), "this list ends with an alias (- *name); add an item after it by hand first");
        }

        var text = yaml.Text;
        var lines = TextLines.Starts(text);
        var first = sequence.Children[0];
        var dashIndent = DashColumn(text, lines, first);
        var lastLine = TrailingCommentsEnd(text, lines, LastContentLine(yaml, sequence.Children[^1]), dashIndent);

        var newline = NewlineOf(text);
        var block = Block(entry, dashIndent, newline);

        // Insert at the start of the line after the last item's last line.
        var offset = lastLine < lines.Count ? lines[lastLine] : text.Length;
        var prefix = text[..offset];
        if (offset == text.Length && prefix.Length > 0 && !prefix.EndsWith('\n'))
        {
            prefix += newline;
        }

        return prefix + block + text[offset..];
    }

    /// <summary>
    /// The last line of the comments that follow an item's content indented deeper than the list's dashes (blank lines
    /// between them included): they belong to that item, so a new item goes after them, not between the item and its
    /// comment. <c>RemoveTable</c> leaves such comments of a removed entry where they are: the user's, never deleted.
    /// </summary>
    private static int TrailingCommentsEnd(string text, List<int> lines, int lastLine, int dashIndent)
    {
        var end = lastLine;
        for (var line = lastLine + 1; line <= lines.Count; line++)
        {
            var content = text.AsSpan(lines[line - 1], (line < lines.Count ? lines[line] : text.Length) - lines[line - 1]).TrimEnd("\r\n");
            var indent = content.Length - content.TrimStart(' ').Length;
            if (content.Trim().Length == 0)
            {
                continue;
            }

            if (indent <= dashIndent || content[indent] != '#')
            {
                break;
            }

            end = line;
        }

        return end;
    }

    /// <summary>The file's own line break: a file written on Windows keeps CRLF.</summary>
    private static string NewlineOf(string text) => text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";

    /// <summary>The entry's lines indented to the list's items, each ending in the file's line break.</summary>
    private static string Block(string entry, int indent, string newline) =>
        string.Concat(entry.TrimEnd('\n', '\r').Split('\n').Select(l => (l.Length == 0 ? "" : new string(' ', indent) + l.TrimEnd('\r')) + newline));

    private static int DashColumn(string text, List<int> lines, YamlNode item)
    {
        var lineStart = lines[(int)item.Start.Line - 1];
        var column = (int)item.Start.Column - 1;
        for (var i = lineStart + column - 1; i >= lineStart; i--)
        {
            if (text[i] == '-')
            {
                return i - lineStart;
            }
        }

        // "-" on its own line with the mapping below it: the dash sits two columns left of the content.
        return Math.Max(0, column - 2);
    }

    /// <summary>
    /// Whether a node of a container is written inside it: one reached through an alias or a merge key
    /// (<c>&lt;&lt;: *defaults</c>) is written where its anchor is, and an anchor comes before its aliases, so before the
    /// container unless inside it. (A block collection's end mark is where the next token starts, so it is not compared.)
    /// </summary>
    private static bool WrittenIn(YamlNode node, YamlNode container) => node.Start.Index >= container.Start.Index;

    /// <summary>The 1-based number of the last line that holds content of this node.</summary>
    private static int LastContentLine(YamlFile yaml, YamlNode node)
    {
        var last = 0;
        // A merge key ('<<: *defaults') is taken out of its mapping when read, but its line is still the mapping's.
        var nodes = node.AllNodes.SelectMany(n => yaml.MergeKeys.TryGetValue(n, out var merge) ? merge.SelectMany(m => m.AllNodes).Prepend(n) : [n]);
        foreach (var descendant in nodes)
        {
            var end = descendant.End;
            var line = end.Column <= 1 && end.Line > descendant.Start.Line ? end.Line - 1 : end.Line;
            last = Math.Max(last, (int)line);
        }

        return last;
    }
}
