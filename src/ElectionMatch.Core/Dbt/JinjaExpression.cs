using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>
/// The <c>{{ … }}</c> expressions dbt renders in YAML values, evaluated as Jinja does: <c>env_var()</c>, <c>var()</c> (where
/// dbt_project.yml's vars apply) or a literal, then filters. A filter outside <see cref="Filters"/> is EM0017 at the key:
/// dropping it would give another value (<c>| upper</c> on a schema names another schema).
/// </summary>
internal static partial class JinjaExpression
{
    /// <summary>The filters rendered: Jinja's own and dbt's <c>as_text</c>, those a schema, path or name takes.</summary>
    public static readonly IReadOnlyList<string> Filters = ["upper", "lower", "trim", "replace", "default", "d", "string", "as_text"];

    /// <summary>
    /// Renders <paramref name="value"/> as Jinja does: every <c>{{ … }}</c> evaluated, every <c>{# … #}</c> comment
    /// rendered as nothing; a <c>{% … %}</c> statement is EM0017, as is a comment without its <c>#}</c> or an expression
    /// without its <c>}}</c> (dbt fails on those too), and any expression not rendered here: taken as text, it named a
    /// file, schema or profile that does not exist.
    /// </summary>
    /// <param name="key">The key whose value this is, for messages.</param>
    /// <param name="context">Where the value is, which decides what dbt gives its Jinja (<see cref="JinjaContext"/>).</param>
    /// <param name="vars">dbt_project.yml's vars, which var() reads in a sources file; elsewhere var() is EM0017.</param>
    /// <param name="read">Collects the names of the environment variables read (a build depends on their values): only
    /// those evaluated, so never one inside a comment.</param>
    /// <param name="environment">Reads an environment variable; null for the process's.</param>
    /// <returns>Null when the value is one expression that yields none: dbt renders a YAML value natively, so the key is unset.</returns>
    public static string? Render(string value, SourceSpan at, string key, JinjaContext context, ProjectVars vars, ISet<string>? read = null, Func<string, string?>? environment = null)
    {
        if (!Opening().IsMatch(value))
        {
            return value;
        }

        // Read left to right, as Jinja's lexer reads: a {{ inside a comment opens no expression, a {# inside a string no comment.
        var tags = Tag().Matches(value);
        if (tags.FirstOrDefault(t => t.Groups["statement"].Success) is { } statement)
        {
            throw Statement(at, key, statement.Value, context);
        }

        if (tags.FirstOrDefault(t => t.Groups["comment"].Success && !t.Groups["close"].Success) is { } unclosed)
        {
            throw DiagnosticException.At(Codes.SourceJinjaUnsupported, at,
                $"{key} holds '{unclosed.Value}', a Jinja comment without its closing #}}, on which dbt fails too; close it with #}} or remove it");
        }

        // The text around each tag, with Jinja's whitespace control applied: {{- and {#- drop the whitespace (newlines too)
        // before the tag, -}} and -#} that after it, as dbt renders the value. A + ({{+, {#+, +#}) strips nothing: it only
        // turns off lstrip_blocks and trim_blocks, which dbt leaves off.
        var texts = new List<string>();
        for (var i = 0; i <= tags.Count; i++)
        {
            var from = i == 0 ? 0 : tags[i - 1].Index + tags[i - 1].Length;
            var text = value[from..(i == tags.Count ? value.Length : tags[i].Index)];
            text = i > 0 && tags[i - 1].Groups["close"].Value.StartsWith('-') ? text.TrimStart() : text;
            texts.Add(i < tags.Count && tags[i].Value.Length > 2 && tags[i].Value[2] == '-' ? text.TrimEnd() : text);
        }

        var whole = tags.Count(t => t.Groups["expression"].Success) == 1 && texts.All(t => t.Length == 0);
        object? lone = null;
        var rendered = new StringBuilder(texts[0]);
        for (var i = 0; i < tags.Count; i++)
        {
            if (tags[i].Groups["expression"].Success)
            {
                rendered.Append(RenderOne(tags[i], at, key, context, vars, read, environment, out lone));
            }

            rendered.Append(texts[i + 1]);
        }

        return whole && lone is null ? null : rendered.ToString();
    }

    // dbt renders a statement here (an {% if %} choosing a path by target); ElectionMatch renders none, and taken as text it
    // would name a schema or file that does not exist.
    private static DiagnosticException Statement(SourceSpan at, string key, string statement, JinjaContext context) =>
        DiagnosticException.At(Codes.SourceJinjaUnsupported, at,
            $"{key} holds the Jinja statement '{statement}', and ElectionMatch does not render Jinja statements ({{% … %}}); write the value itself, or {{{{ env_var('X', 'default') }}}}"
            + (context != JinjaContext.Sources ? ", which dbt and ElectionMatch both read here" : $" or {{{{ var('x', 'default') }}}} (from dbt_project.yml's vars:), which dbt and ElectionMatch both read here")
            + ", to set it per environment");

    // One {{ … }} as dbt renders it: env_var() and literals everywhere, var() in a sources file; anything else is an error
    // at the key, saying whether dbt fails on it too or only ElectionMatch does not render it.
    private static string RenderOne(Match m, SourceSpan at, string key, JinjaContext context, ProjectVars vars, ISet<string>? read, Func<string, string?>? environment, out object? result)
    {
        result = null;
        var inner = m.Groups["inner"].Value;
        if (!m.Groups["close"].Success)
        {
            throw DiagnosticException.At(Codes.SourceJinjaUnsupported, at,
                $"{key} holds '{m.Value}', a Jinja expression without its closing }}}}, on which dbt fails too; close it with }}}} or remove it");
        }

        // Jinja reads + after {{ (it changes nothing there), but before }} only - : the + is an addition missing its operand.
        if (m.Groups["close"].Value == "}}" && inner.EndsWith('+'))
        {
            throw DiagnosticException.At(Codes.SourceJinjaUnsupported, at,
                $"{key} holds '{m.Value}': '+}}}}' does not close a Jinja expression (only '}}}}' and '-}}}}' do: Jinja reads the + as an addition with nothing after it), and dbt fails on it too; write }}}}");
        }

        if (context != JinjaContext.Sources && VarCall().IsMatch(inner))
        {
            throw VarOutsideSources(at, key, m.Value);
        }

        if (!TryParse(inner, out var parsed))
        {
            throw context != JinjaContext.Sources && TargetName().IsMatch(StringLiteral().Replace(inner, "''"))
                ? TargetOutsideSources(at, key, m.Value, context)
                : Unsupported(at, key, m.Value);
        }

        result = Evaluate(parsed, m.Value, at, key, context == JinjaContext.Sources ? vars : null, read, environment);
        return Text(result);
    }

    // dbt renders profiles.yml and dbt_project.yml's profile: to find the target, with no target in their context (an
    // undefined name whose attribute is read fails); it renders dbt_project.yml's other keys with the target it chose, which
    // ElectionMatch chooses only after reading dbt_project.yml.
    private static DiagnosticException TargetOutsideSources(SourceSpan at, string key, string jinja, JinjaContext context)
    {
        var file = Path.GetFileName(at.File);
        var where = file == "dbt_project.yml" ? "dbt_project.yml's profile" : file;
        return DiagnosticException.At(Codes.SourceJinjaUnsupported, at, context == JinjaContext.Profiles
            ? $"{key} holds '{jinja}', but dbt renders {where} before it chooses a target, so target is undefined there and dbt fails on it; write the value itself, or {{{{ env_var('X', 'default') }}}}, which dbt and ElectionMatch both read here"
            : $"{key} holds '{jinja}': dbt renders it with the target it chose, but ElectionMatch reads dbt_project.yml before it chooses one, so it does not render target there; write the value itself, or {{{{ env_var('X', 'default') }}}}, which dbt and ElectionMatch both read here");
    }

    // dbt renders profiles.yml (and dbt_project.yml) before it reads the project's vars:, so var() there reads only the
    // --vars given on dbt's command line, which ElectionMatch never sees: rendered any other way it could name another
    // warehouse than dbt's, and left as text it named a file called "{{ var(…) }}".
    private static DiagnosticException VarOutsideSources(SourceSpan at, string key, string jinja) =>
        DiagnosticException.At(Codes.SourceJinjaUnsupported, at,
            $"{key} holds '{jinja}', but in {Path.GetFileName(at.File)} dbt reads var() only from the --vars given on its command line (not from dbt_project.yml's vars:), which ElectionMatch does not see; write the value itself, or {{{{ env_var('X', 'default') }}}}, which dbt and ElectionMatch both read here");

    /// <summary>The EM0017 for Jinja ElectionMatch does not render.</summary>
    public static DiagnosticException Unsupported(SourceSpan at, string key, string jinja) =>
        DiagnosticException.At(Codes.SourceJinjaUnsupported, at,
            $"{key} holds Jinja that ElectionMatch does not render ('{jinja}'); only {{{{ env_var('X', 'default') }}}}, {{{{ var('x', 'default') }}}} (from dbt_project.yml's vars:; in a sources file) and literals are rendered here, with the filters {string.Join(", ", Filters)}; write the value itself or one of those");

    private static object? Evaluate(Parsed parsed, string jinja, SourceSpan at, string key, ProjectVars? vars, ISet<string>? read, Func<string, string?>? environment)
    {
        var value = parsed.Function switch
        {
            null => parsed.Arguments[0].Value,
            "env_var" when parsed.Arguments is [{ Value: string name }, ..] && parsed.Arguments.Count <= 2 => EnvVar(name, parsed.Arguments.Count == 2 ? Text(parsed.Arguments[1].Value) : null, at, read, environment),
            "var" when vars is not null && parsed.Arguments is [{ Value: string name }, ..] && parsed.Arguments.Count <= 2 => Var(name, parsed.Arguments.Count == 2 ? parsed.Arguments[1] : null, at, key, vars),
            _ => throw Unsupported(at, key, jinja),
        };
        foreach (var filter in parsed.Filters)
        {
            value = Apply(filter, value, jinja, at, key);
        }

        return value;
    }

    // Read names are recorded before the value: one unset but defaulted is still an input (setting it changes the value).
    private static string EnvVar(string name, string? fallback, SourceSpan at, ISet<string>? read, Func<string, string?>? environment)
    {
        read?.Add(name);
        return EnvVars.Value(name, fallback, at, environment);
    }

    private static object? Var(string name, Argument? fallback, SourceSpan at, string key, ProjectVars vars)
    {
        if (vars.Find(name) is { } found)
        {
            return found.Shape is null ? found.Value : throw DiagnosticException.At(Codes.SourceJinjaUnsupported, at,
                $"{key}: var('{name}') is {found.Shape} in dbt_project.yml's vars: (line {found.At.Line}), not a value this key can take"
                + (found.Shape == "a mapping" ? "; a mapping under vars: named after a package holds that package's vars, which dbt applies to that package's files only: name one of its keys in var(), or set the project's under its own name" : "; name one value"));
        }

        if (fallback is not null)
        {
            return fallback.Value;
        }

        var elsewhere = vars.SetForAnotherPackage(name) is { } other
            ? $"; it is set under '{other.Package}:' (dbt_project.yml line {other.At.Line}), which dbt applies to package {other.Package}'s files only"
            : "";
        throw DiagnosticException.At(Codes.VarUndefined, at,
            $"{key}: var('{name}') has no value: dbt_project.yml's vars: does not set it and var() gives no default (a --vars given to dbt is not seen here){elsewhere}; set it under vars: or give a default");
    }

    private static object? Apply(Filter filter, object? value, string jinja, SourceSpan at, string key)
    {
        var args = filter.Arguments;
        string Positional(int i, string name) =>
            (args.FirstOrDefault(a => a.Name == name) ?? (i < args.Count && args[i].Name is null ? args[i] : null))?.Value is { } v ? Text(v) : "";
        return filter.Name switch
        {
            "upper" when args.Count == 0 => Text(value).ToUpperInvariant(),
            "lower" when args.Count == 0 => Text(value).ToLowerInvariant(),
            "trim" when args.Count == 0 => Text(value).Trim(),
            "trim" when args.Count == 1 => Text(value).Trim(Positional(0, "chars").ToCharArray()),
            "replace" when args.Count is 2 or 3 => Replace(Text(value), Positional(0, "old"), Positional(1, "new"),
                args.Count == 3 ? args[2].Value as long? : null),
            // env_var() and var() never yield Jinja's undefined (dbt fails first), so default applies only with its boolean
            // (second) argument, to a value that is false: an empty text, 0, false or none.
            "default" or "d" when args.Count <= 2 =>
                Truthy(args.FirstOrDefault(a => a.Name == "boolean")?.Value ?? (args.Count == 2 ? args[1].Value : false)) && !Truthy(value)
                    ? (args.FirstOrDefault(a => a.Name is null or "default_value")?.Value ?? "")
                    : value,
            "string" or "as_text" when args.Count == 0 => Text(value),
            _ => throw DiagnosticException.At(Codes.SourceJinjaUnsupported, at,
                $"{key}: the filter '{filter.Name}' in '{jinja}' is not one ElectionMatch renders ({string.Join(", ", Filters)}, with Jinja's arguments); rendered without it, the value would differ from dbt's: write the value itself, or use one of those"),
        };
    }

    private static string Replace(string text, string old, string replacement, long? count)
    {
        if (count is null or < 0)
        {
            return old.Length == 0 ? text : text.Replace(old, replacement, StringComparison.Ordinal);
        }

        var result = new StringBuilder();
        var from = 0;
        for (var n = 0; n < count && old.Length > 0; n++)
        {
            var i = text.IndexOf(old, from, StringComparison.Ordinal);
            if (i < 0)
            {
                break;
            }

            result.Append(text, from, i - from).Append(replacement);
            from = i + old.Length;
        }

        return result.Append(text, from, text.Length - from).ToString();
    }

    private static bool Truthy(object? value) => value switch
    {
        null => false,
        string s => s.Length > 0,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        _ => true,
    };

    /// <summary>A value as Jinja prints it (Python's str): True, False, None, 5, 5.0.</summary>
    public static string Text(object? value) => value switch
    {
        null => "None",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d when double.IsInteger(d) && Math.Abs(d) < 1e16 => d.ToString("0.0", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private sealed record Argument(string? Name, object? Value);

    private sealed record Filter(string Name, IReadOnlyList<Argument> Arguments);

    /// <param name="Function">env_var, var or another name called; null for a literal (its value the one argument).</param>
    private sealed record Parsed(string? Function, IReadOnlyList<Argument> Arguments, IReadOnlyList<Filter> Filters);

    /// <summary>Reads <c>primary ( | filter [ ( arguments ) ] )*</c>, whose arguments are literals; anything else is not read.</summary>
    private static bool TryParse(string inner, out Parsed parsed)
    {
        parsed = null!;
        var tokens = new List<(string Kind, string Text, object? Value)>();
        foreach (Match t in Token().Matches(inner))
        {
            if (t.Groups["bad"].Success)
            {
                return false;
            }

            var text = t.Value.Trim();
            tokens.Add(t.Groups["str"].Success ? ("lit", text, Unquote(text))
                : t.Groups["num"].Success ? ("lit", text, Number(text))
                : t.Groups["name"].Success ? Word(text)
                : ("punct", text, null));
        }

        var i = 0;
        bool Is(string text) => i < tokens.Count && tokens[i].Kind == "punct" && tokens[i].Text == text;
        bool Arguments(out List<Argument> args)
        {
            args = [];
            if (!Is("("))
            {
                return true;
            }

            i++;
            while (!Is(")"))
            {
                string? name = null;
                if (i + 1 < tokens.Count && tokens[i].Kind == "name" && tokens[i + 1] is ("punct", "=", _))
                {
                    name = tokens[i].Text;
                    i += 2;
                }

                if (i >= tokens.Count || tokens[i].Kind != "lit")
                {
                    return false;
                }

                args.Add(new Argument(name, tokens[i++].Value));
                if (Is(","))
                {
                    i++;
                }
                else if (!Is(")"))
                {
                    return false;
                }
            }

            i++;
            return true;
        }

        string? function = null;
        List<Argument> arguments;
        if (i < tokens.Count && tokens[i].Kind == "lit")
        {
            arguments = [new Argument(null, tokens[i++].Value)];
        }
        else if (i < tokens.Count && tokens[i].Kind == "name" && i + 1 < tokens.Count && tokens[i + 1] is ("punct", "(", _))
        {
            function = tokens[i++].Text;
            if (!Arguments(out arguments))
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        var filters = new List<Filter>();
        while (Is("|"))
        {
            i++;
            if (i >= tokens.Count || tokens[i].Kind != "name")
            {
                return false;
            }

            var name = tokens[i++].Text;
            if (!Arguments(out var filterArguments))
            {
                return false;
            }

            filters.Add(new Filter(name, filterArguments));
        }

        parsed = new Parsed(function, arguments, filters);
        return i == tokens.Count;
    }

    private static (string Kind, string Text, object? Value) Word(string word) => word switch
    {
        "true" or "True" => ("lit", word, true),
        "false" or "False" => ("lit", word, false),
        "none" or "None" => ("lit", word, null),
        _ => ("name", word, null),
    };

    private static object Number(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) ? (object)whole : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>A Jinja string literal's text: its quotes removed and its backslash escapes read.</summary>
    private static string Unquote(string literal) =>
        Regex.Replace(literal[1..^1], @"\\(.)", m => m.Groups[1].Value switch { "n" => "\n", "t" => "\t", var c => c });

    /// <summary>Whether a value holds Jinja: <c>{{</c>, <c>{%</c> or <c>{#</c>.</summary>
    [GeneratedRegex(@"\{[{%#]")]
    private static partial Regex Opening();

    /// <summary>
    /// One tag: a <c>{# … #}</c> comment (its end the first <c>#}</c>; <c>{#-</c>, <c>-#}</c> and Jinja's <c>+</c> forms), a
    /// <c>{% … %}</c> statement, or a <c>{{ … }}</c> expression with its whitespace control (<c>{{-</c>, <c>-}}</c>, and
    /// <c>{{+</c>, which Jinja's lexer takes after any opening; it takes no <c>+}}</c>); an unclosed one runs to the end,
    /// without <c>close</c>.
    /// </summary>
    [GeneratedRegex(@"(?<comment>\{\#[-+]?.*?(?:(?<close>[-+]?\#\})|$))|(?<statement>\{%.*?(?:%\}|$))|(?<expression>\{\{[-+]?(?<inner>(?:'(?:[^'\\]|\\.)*'|""(?:[^""\\]|\\.)*""|(?!-?\}\}).)*?)(?:(?<close>-?\}\})|$))", RegexOptions.Singleline)]
    private static partial Regex Tag();

    /// <summary>The name target in an expression (its string literals blanked first), not an attribute or a longer name.</summary>
    [GeneratedRegex(@"(?<![\w.])target(?!\w)")]
    private static partial Regex TargetName();

    [GeneratedRegex(@"'(?:[^'\\]|\\.)*'|""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();

    /// <summary>A call of var() in an expression (not a name that ends in var, such as env_var).</summary>
    [GeneratedRegex(@"(?<![\w.])var\s*\(")]
    private static partial Regex VarCall();

    [GeneratedRegex(@"\s*(?:(?<str>'(?:[^'\\]|\\.)*'|""(?:[^""\\]|\\.)*"")|(?<num>-?\d+(?:\.\d+)?(?![\w.]))|(?<name>[A-Za-z_]\w*)|(?<punct>[()|,=])|(?<bad>\S))\s*")]
    private static partial Regex Token();
}
