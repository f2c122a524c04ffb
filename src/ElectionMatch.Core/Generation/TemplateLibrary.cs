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
    private readonly ConcurrentDictionary<string, (IFluidTemplate Template, string Sha256, string Origin, string Text)> _cache = new();

    public TemplateLibrary(string? overrideDirectory)
    {
        _overrideDirectory = overrideDirectory;
        // A name the model does not have (a misspelt column.sql_nam in an override, or column.sql_name.nmae on a string) is an error, not empty text: it
        // rendered models that did not parse, reported by check at each generated file instead of the template. Fluid's
        // StrictVariables also refuses a name whose value is nil (a snapshot without a manifest yet), so the model's own
        // names are checked instead: an undefined top-level name, a member its dictionary lacks, a member other than
        // size, first and last of a string or a list, and any member of a number or a boolean (StrictMemberExpression, put
        // in each member access as a template loads).
        _options = new TemplateOptions
        {
            StrictFilters = true,
            Undefined = name => throw new FluidException($"undefined variable '{name}'"),
        };
        _options.ValueConverters.Add(value => value is IReadOnlyDictionary<string, object?> members ? new DictionaryValue(new StrictMembers(members, _options)) : null);
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
        var (template, _, origin, text) = Load(name);
        var context = new TemplateContext(_options);
        foreach (var (key, value) in model)
        {
            // A name the model gives without a value is defined, as nil: strict variables refuse only names it lacks.
            if (value is null)
            {
                context.SetValue(key, NilValue.Instance);
            }
            else
            {
                context.SetValue(key, value);
            }
        }

        try
        {
            return template.Render(context);
        }
        catch (FluidException e)
        {
            throw DiagnosticException.At(Codes.InvalidSetting, TemplateText.Where(origin, text, e),
                $"template cannot be rendered: it uses an {e.Message.Replace("Undefined", "undefined", StringComparison.Ordinal)}; the names a template can use are those the shipped template of the same name uses (templates/{name})");
        }
    }

    /// <summary>
    /// Parses every override under the project's <c>electionmatch/templates/</c> that replaces a shipped template, so a
    /// broken one is one error before anything is rendered (EM0032 at its line), not an error at the first file that
    /// uses it after others were written.
    /// </summary>
    public void ParseOverrides()
    {
        if (_overrideDirectory is null || !Directory.Exists(_overrideDirectory))
        {
            return;
        }

        var shipped = Assembly.GetExecutingAssembly().GetManifestResourceNames().Where(n => n.StartsWith("templates/", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_overrideDirectory, "*.liquid", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(_overrideDirectory, file).Replace(Path.DirectorySeparatorChar, '/');
            if (shipped.Contains("templates/" + name))
            {
                Load(name);
            }
        }
    }

    private (IFluidTemplate Template, string Sha256, string Origin, string Text) Load(string name) => _cache.GetOrAdd(name, key =>
    {
        var (text, origin) = ReadText(key);
        if (!Parser.TryParse(text, out var template, out var error))
        {
            // Fluid's message goes on with "Source:" and the template's text: the first line says what and where.
            throw DiagnosticException.At(Codes.InvalidSetting, ParseErrorAt(origin, error), $"template does not parse: {error.Split('\n')[0].TrimEnd('\r')}");
        }

        return (new StrictMemberRewriter().VisitTemplate(template), Snapshots.SnapshotManifest.Sha256(text), origin, text);
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

    /// <summary>A model dictionary whose missing members are an error when a template reads them (Liquid's own size, first and last aside).</summary>
    private sealed class StrictMembers(IReadOnlyDictionary<string, object?> members, TemplateOptions options) : IFluidIndexable
    {
        public int Count => members.Count;

        public IEnumerable<string> Keys => members.Keys;

        public bool TryGetValue(string name, out FluidValue value)
        {
            if (members.TryGetValue(name, out var member))
            {
                value = FluidValue.Create(member, options);
                return true;
            }

            value = NilValue.Instance;
            return StrictMemberExpression.LiquidMembers.Contains(name, StringComparer.Ordinal) ? false : throw new UndefinedMemberException(name, "a dictionary", [.. members.Keys], owner: null);
        }
    }
}
