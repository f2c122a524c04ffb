using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using ElectionMatch.Diagnostics;
using Fluid;
using Fluid.Values;

namespace ElectionMatch.Generation;

/// <summary>
/// The Liquid templates of templates/, shipped inside the library; a dbt repo overrides any of them
/// by putting a file with the same relative path under its own <c>electionmatch/templates/</c>.
/// </summary>
public sealed partial class TemplateLibrary
{
    private static readonly FluidParser Parser = new();
    private static readonly JsonSerializerOptions YamlStringJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string? _overrideDirectory;
    private readonly TemplateOptions _options;
    private readonly ConcurrentDictionary<string, (IFluidTemplate Template, string Sha256, string Origin)> _cache = new();

    public TemplateLibrary(string? overrideDirectory)
    {
        _overrideDirectory = overrideDirectory;
        _options = new TemplateOptions();
        // A YAML double-quoted scalar is a JSON string, so JSON escaping is exactly right.
        _options.Filters.AddFilter("yaml_string", (input, _, _) =>
            new ValueTask<FluidValue>(new StringValue(JsonSerializer.Serialize(input.ToStringValue(), YamlStringJson))));
    }

    public static TemplateLibrary ForProject(string projectDirectory) =>
        new(Path.Combine(projectDirectory, "electionmatch", "templates"));

    /// <summary>SHA-256 of the template text in use, for manifests.</summary>
    public string Sha256(string name) => Load(name).Sha256;

    public string Render(string name, IReadOnlyDictionary<string, object?> model)
    {
        var (template, _, _) = Load(name);
        var context = new TemplateContext(_options);
        foreach (var (key, value) in model)
        {
            context.SetValue(key, value);
        }

        return template.Render(context);
    }

    private (IFluidTemplate Template, string Sha256, string Origin) Load(string name) => _cache.GetOrAdd(name, key =>
    {
        var (text, origin) = ReadText(key);
        if (!Parser.TryParse(text, out var template, out var error))
        {
            throw DiagnosticException.At(Codes.InvalidSetting, ParseErrorAt(origin, error), $"template does not parse: {error}");
        }

        return (template, Snapshots.SnapshotManifest.Sha256(text), origin);
    });

    /// <summary>Where Fluid says the text stopped parsing, "… at (9:43)" in its message; without that, the template as a whole.</summary>
    private static SourceSpan ParseErrorAt(string origin, string error) =>
        ParsePosition().Match(error) is { Success: true } m
            ? new SourceSpan(origin, int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture))
            : SourceSpan.TextFile(origin);

    [System.Text.RegularExpressions.GeneratedRegex(@" at \((?<line>\d+):(?<column>\d+)\)")]
    private static partial System.Text.RegularExpressions.Regex ParsePosition();

    private (string Text, string Origin) ReadText(string name)
    {
        if (_overrideDirectory is not null)
        {
            var path = Path.Combine(_overrideDirectory, name);
            if (File.Exists(path))
            {
                return (File.ReadAllText(path), Dbt.DisplayPath.For(path));
            }
        }

        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("templates/" + name)
            ?? throw new InvalidOperationException($"template '{name}' is not embedded in the library");
        using var reader = new StreamReader(stream);
        return (reader.ReadToEnd(), "templates/" + name);
    }
}
