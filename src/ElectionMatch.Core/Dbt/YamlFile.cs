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

    public static YamlFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw DiagnosticException.At(Codes.FileMissing, SourceSpan.WholeFile(DisplayPath.For(path)), "file not found");
        }

        if (new FileInfo(path).Length > MaxBytes)
        {
            throw DiagnosticException.At(Codes.YamlSyntax, SourceSpan.WholeFile(DisplayPath.For(path)), $"file is larger than {MaxBytes / (1024 * 1024)} MiB");
        }

        return Parse(path, File.ReadAllText(path));
    }

    public static YamlFile Parse(string path, string text)
    {
        var display = DisplayPath.For(path);
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            var root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
            var file = new YamlFile(path, text, root);
            if (root is not null)
            {
                file.CheckDepth(root, 0, []);
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
            throw DiagnosticException.At(Codes.YamlSyntax, SourceSpan.WholeFile(display), $"invalid YAML: {e.Message}");
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

    private void CheckDepth(YamlNode node, int depth, HashSet<YamlNode> seen)
    {
        if (depth > MaxDepth)
        {
            throw DiagnosticException.At(Codes.YamlShape, At(node), $"nesting deeper than {MaxDepth} levels");
        }

        // Aliases point at nodes already visited; walking them again is how alias bombs explode.
        if (!seen.Add(node))
        {
            return;
        }

        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    CheckDepth(key, depth + 1, seen);
                    CheckDepth(value, depth + 1, seen);
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children)
                {
                    CheckDepth(child, depth + 1, seen);
                }

                break;
        }
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
            return $"duplicate key: {message}";
        }

        return $"invalid YAML: {message}";
    }
}
