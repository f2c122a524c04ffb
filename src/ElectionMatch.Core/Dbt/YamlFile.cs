using ElectionMatch.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ElectionMatch.Dbt;

/// <summary>A YAML file parsed with positions, so every later error can name its file, line and column.</summary>
internal sealed class YamlFile
{
    // Deeply nested documents are hostile or broken; dbt files never come close.
    private const int MaxDepth = 64;
    private const long MaxBytes = 16 * 1024 * 1024;

    // A billion-laughs document is small on disk but expands through aliases; real dbt files stay far below this.
    private const long MaxExpandedNodes = 1_000_000;

    private YamlFile(string path, string text, YamlNode? root)
    {
        Path = path;
        Text = text;
        Root = root;
    }

    public string Path { get; }

    public string DisplayName => DisplayPath.For(Path);

    public string Text { get; }

    public YamlNode? Root { get; }

    /// <summary>The merge keys (<c>&lt;&lt;</c>) applied and taken out of each mapping, with their values, as written in it.</summary>
    public IReadOnlyDictionary<YamlNode, IReadOnlyList<YamlNode>> MergeKeys { get; private set; } = new Dictionary<YamlNode, IReadOnlyList<YamlNode>>();

    public static YamlFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw DiagnosticException.At(Codes.FileMissing, SourceSpan.PathOnly(DisplayPath.For(path)), "file not found");
        }

        if (new FileInfo(path).Length > MaxBytes)
        {
            throw DiagnosticException.At(Codes.YamlSyntax, SourceSpan.TextFile(DisplayPath.For(path)), $"file is larger than {MaxBytes / (1024 * 1024)} MiB");
        }

        return Parse(path, ReadUtf8(path));
    }

    /// <summary>The file's text; bytes that are not UTF-8 are an error at their line, not silently replaced characters.</summary>
    private static string ReadUtf8(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            return new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (System.Text.DecoderFallbackException e)
        {
            var line = 1 + bytes.AsSpan(0, Math.Max(0, Math.Min(e.Index, bytes.Length))).Count((byte)'\n');
            throw DiagnosticException.At(Codes.YamlSyntax, new SourceSpan(DisplayPath.For(path), line, 1), "the file is not UTF-8 (YAML files must be); re-save it as UTF-8");
        }
    }

    public static YamlFile Parse(string path, string text)
    {
        var display = DisplayPath.For(path);
        if (MergeConflictMarkers.FirstConflict(text) is var (start, end))
        {
            // The parser would name some line near the markers as mis-indented or not a document start, not the merge.
            throw DiagnosticException.At(Codes.YamlSyntax, new SourceSpan(display, start, 1), MergeConflictMarkers.Advice(start, end));
        }

        try
        {
            // Depth is checked on the event stream first: building the node tree recurses, and a
            // document of a hundred thousand '[' would overflow the stack before any later check.
            CheckDepth(display, text);
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count > 1)
            {
                // dbt reads one document a file (PyYAML's safe_load refuses a second); ignoring it would drop settings unseen.
                var second = stream.Documents[1].RootNode.Start;
                throw DiagnosticException.At(Codes.YamlSyntax, new SourceSpan(display, (int)second.Line, (int)second.Column), "a second YAML document ('---') in one file; dbt and ElectionMatch read one document a file, so merge the two");
            }

            var root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
            var file = new YamlFile(path, text, root);
            if (root is not null)
            {
                file.CheckExpansion(root);
                file.MergeKeys = YamlMerge.Apply(file, root);
            }

            return file;
        }
        catch (YamlException e)
        {
            // The parser wraps the scanner's error; the innermost one knows where the text went wrong.
            var innermost = e;
            while (innermost.InnerException is YamlException inner)
            {
                innermost = inner;
            }

            var at = innermost.Start.Line > 0 ? innermost.Start : e.Start;
            var span = new SourceSpan(display, (int)at.Line, (int)at.Column);
            if (innermost.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndentedLine(text) is { } line)
            {
                // The scanner reports tab indentation at the start of the document; point at the tab instead.
                span = new SourceSpan(display, line, 1);
            }

            throw DiagnosticException.At(Codes.YamlSyntax, span, Describe(innermost));
        }
        catch (ArgumentException e)
        {
            // YamlDotNet reports a duplicate key as an ArgumentException from the mapping it builds.
            throw DiagnosticException.At(Codes.YamlSyntax, SourceSpan.TextFile(display), $"invalid YAML: {e.Message}");
        }
    }

    public SourceSpan At(YamlNode node) => new(DisplayName, (int)node.Start.Line, (int)node.Start.Column);

    public SourceSpan AtStart => new(DisplayName, 1, 1);

    public YamlMap RootMap()
    {
        return Root switch
        {
            YamlMappingNode map => new YamlMap(this, map),
            null => throw DiagnosticException.At(Codes.YamlShape, AtStart, "the file is empty; expected a mapping"),
            _ => throw DiagnosticException.At(Codes.YamlShape, At(Root), "expected a mapping at the top of the file"),
        };
    }

    private static void CheckDepth(string display, string text)
    {
        var parser = new Parser(new StringReader(text));
        // Where each open mapping or sequence started: YamlDotNet's parser fails on some unclosed flow collections
        // ("key: [oops" at the end of a file) with an InvalidOperationException that carries no position.
        var open = new Stack<Mark>();
        while (MoveNext(parser, display, open))
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    open.Push(parser.Current.Start);
                    if (open.Count > MaxDepth)
                    {
                        var at = parser.Current.Start;
                        throw DiagnosticException.At(Codes.YamlShape, new SourceSpan(display, (int)at.Line, (int)at.Column), $"nesting deeper than {MaxDepth} levels");
                    }

                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    open.TryPop(out _);
                    break;
            }
        }
    }

    private static bool MoveNext(Parser parser, string display, Stack<Mark> open)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (InvalidOperationException)
        {
            var at = open.TryPeek(out var start) ? start : parser.Current?.Start ?? Mark.Empty;
            throw DiagnosticException.At(Codes.YamlSyntax, new SourceSpan(display, Math.Max(1, (int)at.Line), Math.Max(1, (int)at.Column)),
                "invalid YAML: the collection that starts here is not closed (a '[' without its ']', or a '{' without its '}'?)");
        }
    }

    /// <summary>
    /// Refuses a document whose aliases expand past <see cref="MaxExpandedNodes"/> (a "billion laughs" bomb): an alias is the
    /// same node object as its anchor, so each distinct node is sized once and a shared one counts at every use.
    /// </summary>
    private void CheckExpansion(YamlNode root)
    {
        var sizes = new Dictionary<YamlNode, long>(ReferenceEqualityComparer.Instance);
        var open = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        long Size(YamlNode node)
        {
            if (sizes.TryGetValue(node, out var known))
            {
                return known;
            }

            // An alias inside its own anchor's node (a: &x [*x]) expands without end; counting it would overflow the stack.
            if (!open.Add(node))
            {
                throw DiagnosticException.At(Codes.YamlAliasExpansion, At(node), "an alias inside the node its anchor names (a recursive alias, such as a: &x [*x]) expands without end; write the values out instead");
            }

            var children = node switch
            {
                YamlMappingNode map => map.Children.SelectMany(e => new[] { e.Key, e.Value }),
                YamlSequenceNode sequence => sequence.Children,
                _ => [],
            };
            long size = 1;
            foreach (var child in children)
            {
                size += Size(child);
                if (size > MaxExpandedNodes)
                {
                    throw DiagnosticException.At(Codes.YamlAliasExpansion, At(child), $"aliases expand this document past {MaxExpandedNodes:N0} nodes (a YAML alias bomb?); write the values out instead of nesting aliases");
                }
            }

            open.Remove(node);
            sizes[node] = size;
            return size;
        }

        Size(root);
    }

    private static int? FirstTabIndentedLine(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indentation = lines[i][..(lines[i].Length - lines[i].TrimStart(' ', '\t').Length)];
            if (indentation.Contains('\t', StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        return null;
    }

    private static string Describe(YamlException e)
    {
        var message = e.Message;
        if (message.Contains("Duplicate key", StringComparison.OrdinalIgnoreCase) || message.Contains("same key", StringComparison.OrdinalIgnoreCase))
        {
            // dbt 1.10 reads the last value and warns (DuplicateYAMLKeysDeprecation); which one was meant is a guess.
            var key = System.Text.RegularExpressions.Regex.Match(message, "Duplicate key (.+)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase) is { Success: true } m ? $" '{m.Groups[1].Value.Trim()}'" : "";
            return $"duplicate key{key}: the mapping already has it above; keep one (dbt reads the last one, with a warning that duplicate keys are deprecated; ElectionMatch does not guess which was meant)";
        }

        return Indentation(message) is { } words ? $"invalid YAML: {words}" : $"invalid YAML: {message}";
    }

    /// <summary>
    /// The parser's words for a mis-indented line, the commonest YAML mistake, said as what to do: a line one space off
    /// its siblings, a key indented under a value, a key among a list's items. Null for any other error.
    /// </summary>
    private static string? Indentation(string message)
    {
        if (message.Contains("did not find expected key", StringComparison.Ordinal))
        {
            return "this line does not start in the column of the keys of its mapping above; indent it as its sibling keys are (each key of a mapping starts in the same column)";
        }

        if (message.Contains("did not find expected '-' indicator", StringComparison.Ordinal))
        {
            return "this line stands in the column of the list's '-' items above but is not one; start it with '- ', or indent it as the keys it belongs with";
        }

        if (message.Contains("found invalid mapping", StringComparison.Ordinal))
        {
            return "a 'key: value' where a value is being read: the key is indented deeper than its sibling keys, under a value (indent it as they are), or a value holds ': ' (quote it), or a key above lacks the space after its ':'";
        }

        return null;
    }
}
