using System.Globalization;
using ElectionMatch.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace ElectionMatch.Dbt;

/// <summary>Typed, position-aware reads from one YAML mapping; every failure names the file, line and key.</summary>
internal sealed class YamlMap
{
    public YamlMap(YamlFile file, YamlMappingNode node)
    {
        File = file;
        Node = node;
    }

    public YamlFile File { get; }

    public YamlMappingNode Node { get; }

    public SourceSpan At => File.At(Node);

    public IEnumerable<string> Keys => Node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    public YamlNode? Get(string key) =>
        Node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public SourceSpan AtKey(string key)
    {
        var k = Node.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(n => n.Value == key);
        return k is null ? At : File.At(k);
    }

    public SourceSpan AtValue(string key) => Get(key) is { } v ? File.At(v) : AtKey(key);

    public bool Has(string key) => Get(key) is not null;

    public string? String(string key, bool required = false)
    {
        var node = Get(key);
        if (node is null || IsNull(node))
        {
            return required ? throw Missing(key) : null;
        }

        if (node is not YamlScalarNode scalar)
        {
            throw DiagnosticException.At(Codes.YamlShape, File.At(node), $"'{key}' must be a text value, not a {Describe(node)}");
        }

        return scalar.Value;
    }

    public string RequiredString(string key) => String(key, required: true)!;

    public double? Number(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        var number = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value);

        // .NET reads NaN, Infinity and 1e999 (as infinity), and YAML writes .nan and .inf: no setting takes one, and a range
        // check (value < min || value > max) lets NaN through, to fail later in DuckDB or a TimeSpan.
        if ((number && !double.IsFinite(value)) || IsNonFinite(text))
        {
            throw DiagnosticException.At(Codes.InvalidSetting, AtValue(key), $"'{key}' must be a finite number, got '{text}'");
        }

        return number ? value : throw DiagnosticException.At(Codes.YamlShape, AtValue(key), $"'{key}' must be a number, got '{text}'");
    }

    /// <summary>YAML's spellings of a float that is not a number or is infinite (.nan, .inf, -.Inf, …).</summary>
    private static bool IsNonFinite(string text) =>
        text.TrimStart('+', '-').ToLowerInvariant() is ".nan" or ".inf";

    public YamlMap? Map(string key, bool required = false)
    {
        var node = Get(key);
        if (node is null || IsNull(node))
        {
            return required ? throw Missing(key) : null;
        }

        return node is YamlMappingNode map
            ? new YamlMap(File, map)
            : throw DiagnosticException.At(Codes.YamlShape, File.At(node), $"'{key}' must be a mapping, not a {Describe(node)}");
    }

    public IReadOnlyList<YamlMap> MapList(string key)
    {
        var node = Get(key);
        if (node is null || IsNull(node))
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw DiagnosticException.At(Codes.YamlShape, File.At(node), $"'{key}' must be a list, not a {Describe(node)}");
        }

        return sequence.Children
            .Select(child => child is YamlMappingNode map
                ? new YamlMap(File, map)
                : throw DiagnosticException.At(Codes.YamlShape, File.At(child), $"each item of '{key}' must be a mapping, not a {Describe(child)}"))
            .ToList();
    }

    public IReadOnlyList<string> StringList(string key)
    {
        var node = Get(key);
        return node switch
        {
            null => [],
            YamlScalarNode s when IsNull(s) => [],
            YamlScalarNode s => [s.Value ?? ""],
            YamlSequenceNode seq => seq.Children
                .Select(c => c is YamlScalarNode s ? s.Value ?? "" : throw DiagnosticException.At(Codes.YamlShape, File.At(c), $"each item of '{key}' must be text"))
                .ToList(),
            _ => throw DiagnosticException.At(Codes.YamlShape, File.At(node), $"'{key}' must be a list of text values"),
        };
    }

    /// <summary>Where each item of a list is written (the value itself when it is one text value), in the order of <see cref="StringList"/>.</summary>
    public IReadOnlyList<SourceSpan> ItemsAt(string key) => Get(key) switch
    {
        YamlSequenceNode seq => seq.Children.Select(File.At).ToList(),
        YamlScalarNode s when !IsNull(s) => [File.At(s)],
        _ => [],
    };

    /// <summary>The entries of a mapping whose keys are names chosen by the user (match names, column mappings).</summary>
    public IEnumerable<(string Key, YamlNode Value, SourceSpan At)> Entries() =>
        Node.Children.Select(e => (((YamlScalarNode)e.Key).Value ?? "", e.Value, File.At(e.Key)));

    /// <summary>Unknown keys are errors, with the nearest valid key suggested when one is close.</summary>
    public IEnumerable<Diagnostic> UnknownKeys(IReadOnlyCollection<string> allowed)
    {
        foreach (var key in Node.Children.Keys.OfType<YamlScalarNode>())
        {
            var name = key.Value ?? "";
            if (allowed.Contains(name))
            {
                continue;
            }

            var suggestion = Spelling.Nearest(name, allowed);
            var hint = suggestion is null ? $"valid keys here: {string.Join(", ", allowed)}" : $"did you mean '{suggestion}'?";
            yield return Diagnostic.Error(Codes.UnknownKey, File.At(key), $"unknown key '{name}'; {hint}");
        }
    }

    public DiagnosticException Missing(string key) =>
        DiagnosticException.At(Codes.MissingKey, At, $"missing required key '{key}'");

    /// <summary>
    /// A true-or-false setting's value as PyYAML (YAML 1.1, which dbt reads with) reads one: true, yes or on and false, no or
    /// off, in lower case, capitalised or upper case; <see cref="bool.TryParse(string?, out bool)"/>'s spellings too. False
    /// for anything else.
    /// </summary>
    public static bool TryReadBoolean(string text, out bool value)
    {
        if (bool.TryParse(text, out value))
        {
            return true;
        }

        switch (text.Trim())
        {
            case "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                value = true;
                return true;
            case "no" or "No" or "NO" or "off" or "Off" or "OFF":
                value = false;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether a node is YAML's null as the settings read it: plain <c>null</c>, <c>~</c> or nothing, not quoted.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: not YamlDotNet.Core.ScalarStyle.SingleQuoted and not YamlDotNet.Core.ScalarStyle.DoubleQuoted } s
        && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "text value",
    };
}
