using System.Text.RegularExpressions;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>
/// The small part of dbt's Jinja a matching tool needs without dbt installed: finding
/// <c>source()</c> and <c>ref()</c> calls with their positions and replacing them with relations.
/// </summary>
public static partial class ModelSql
{
    /// <summary>
    /// A compiled model's query as a parenthesised subquery: its trailing semicolon dropped, and the closing parenthesis
    /// on a line of its own, so a <c>--</c> comment on the query's last line does not swallow it.
    /// </summary>
    public static string AsSubquery(string compiled) => "(" + compiled.Trim().TrimEnd(';') + "\n)";

    public static IReadOnlyList<JinjaCall> Calls(string sql, string displayPath)
    {
        // dbt never renders what a Jinja comment or a raw block holds, so a ref() there is no dependency to check or rewrite.
        var code = WithoutUnrendered(sql);
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < sql.Length; i++)
        {
            if (sql[i] == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        var calls = new List<JinjaCall>();
        foreach (Match m in Expression().Matches(code))
        {
            var body = m.Groups["body"].Value;
            var call = CallSyntax().Match(body);
            var function = call.Success ? call.Groups["fn"].Value : body.Trim();
            var args = call.Success
                ? ArgumentSyntax().Matches(call.Groups["args"].Value).Select(a => a.Groups["v"].Value).ToList()
                : [];

            // Point at the function name inside the braces, as an IDE would.
            var offset = m.Index + m.Groups["body"].Index - m.Index + (body.Length - body.TrimStart().Length);
            var line = lineStarts.BinarySearch(offset);
            line = line >= 0 ? line : ~line - 1;
            calls.Add(new JinjaCall(function, args, m.Index, m.Length, new SourceSpan(displayPath, line + 1, offset - lineStarts[line] + 1)));
        }

        return calls;
    }

    /// <summary>
    /// Every <c>ref()</c> and <c>source()</c> call in the model's Jinja, also inside another call
    /// (<c>{{ dbt_utils.star(from=ref('m')) }}</c>) or a statement (<c>{% set r = ref('m') %}</c>): each is a dependency
    /// dbt records. The offset and length are the call's own (<c>ref('m')</c>), for an edit of its arguments alone.
    /// </summary>
    public static IReadOnlyList<JinjaCall> References(string sql, string displayPath)
    {
        var code = WithoutUnrendered(sql);
        var lineStarts = TextLines.Starts(code);
        var references = new List<JinjaCall>();
        foreach (var region in Expression().Matches(code).Concat(BlockTag().Matches(code)).OrderBy(m => m.Index))
        {
            foreach (Match call in NestedCall().Matches(region.Value))
            {
                var offset = region.Index + call.Index;
                var args = ArgumentSyntax().Matches(call.Groups["args"].Value).Select(a => a.Groups["v"].Value).ToList();
                references.Add(new JinjaCall(call.Groups["fn"].Value, args, offset, call.Length, At(displayPath, lineStarts, offset)));
            }
        }

        return references;
    }

    /// <summary>
    /// Every <c>ref()</c> and <c>source()</c> in a properties YAML file, where dbt reads them bare: as a whole value (a
    /// test's <c>to: ref('m')</c>, an exposure's <c>depends_on: [ref('m')]</c> or <c>- ref('m')</c>, quoted or not). One
    /// inside prose (a <c>description:</c> that mentions <c>ref('m')</c>) is text to dbt and is not read, nor is one in a
    /// YAML comment (<c># …</c>). The arguments are read as YAML unquotes the value: <c>"ref(\"m\")"</c> and
    /// <c>'ref(''m'')'</c> name <c>m</c>, as <c>"ref('m')"</c> does.
    /// </summary>
    public static IReadOnlyList<JinjaCall> YamlReferences(string yaml, string displayPath)
    {
        var code = YamlComment().Replace(WithoutUnrendered(yaml), m => new string(' ', m.Length));
        var lineStarts = TextLines.Starts(code);
        var references = new List<JinjaCall>();
        foreach (Match call in NestedCall().Matches(code))
        {
            if (YamlValueQuote(code, call) is not { } quote)
            {
                continue;
            }

            var args = YamlUnquoted(call.Groups["args"].Value, quote);
            references.Add(new JinjaCall(call.Groups["fn"].Value, [.. ArgumentSyntax().Matches(args).Select(a => a.Groups["v"].Value)], call.Index, call.Length, At(displayPath, lineStarts, call.Index)));
        }

        return references;
    }

    /// <summary>
    /// Whether the call is a YAML value of its own: after a key's colon, a list dash, '[' or ',' (and a quote), and before
    /// a quote, ',', ']', '}' or the line's end. Returns the quote that opens the value (a space for a plain scalar), or null.
    /// </summary>
    private static char? YamlValueQuote(string code, Match call)
    {
        var lineStart = code.LastIndexOf('\n', Math.Max(0, call.Index - 1)) + 1;
        var lineEnd = code.IndexOf('\n', call.Index + call.Length);
        var before = code[lineStart..call.Index];
        var after = code[(call.Index + call.Length)..(lineEnd < 0 ? code.Length : lineEnd)];
        if (!YamlValueStart().IsMatch(before) || !YamlValueEnd().IsMatch(after))
        {
            return null;
        }

        return before.TrimEnd() is [.., var last and ('"' or '\'')] ? last : ' ';
    }

    /// <summary>A call's arguments as YAML reads the scalar holding them: <c>\"</c> and <c>\\</c> in a double-quoted one, <c>''</c> in a single-quoted one.</summary>
    private static string YamlUnquoted(string args, char quote) => quote switch
    {
        '"' => YamlEscape().Replace(args, m => m.Groups["c"].Value),
        '\'' => args.Replace("''", "'", StringComparison.Ordinal),
        _ => args,
    };

    [GeneratedRegex(@"\\(?<c>[""\\/])")]
    private static partial Regex YamlEscape();

    [GeneratedRegex(@"(^\s*(-\s*)?|:\s*|[\[,]\s*)[""']?\s*$")]
    private static partial Regex YamlValueStart();

    [GeneratedRegex(@"^\s*[""']?\s*([,\]}].*)?\r?$")]
    private static partial Regex YamlValueEnd();

    /// <summary>The references of a file dbt resolves ref() in: <see cref="YamlReferences"/> for YAML, <see cref="References"/> for SQL.</summary>
    public static IReadOnlyList<JinjaCall> ReferencesIn(string path, string text, string displayPath) =>
        Path.GetExtension(path).Equals(".sql", StringComparison.OrdinalIgnoreCase) ? References(text, displayPath) : YamlReferences(text, displayPath);

    private static SourceSpan At(string displayPath, List<int> lineStarts, int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        line = line >= 0 ? line : ~line - 1;
        return new SourceSpan(displayPath, line + 1, offset - lineStarts[line] + 1);
    }

    /// <summary>Replaces each call with what <paramref name="resolve"/> returns; <c>config()</c> calls disappear.</summary>
    public static string Compile(string sql, string displayPath, Func<JinjaCall, string> resolve)
    {
        // Jinja comments render as nothing; blanked (newlines kept) they cannot hide a call or a statement.
        sql = WithoutComments(sql);
        if (BlockTag().Match(sql) is { Success: true } block)
        {
            var at = Calls(sql[..block.Index] + "{{ x }}", displayPath)[^1].At;
            throw DiagnosticException.At(Codes.StagingSqlFailed, at, $"Jinja statement '{block.Value.Trim()}' needs dbt to compile; ElectionMatch understands only source(), ref() and config()");
        }

        var result = new System.Text.StringBuilder();
        var position = 0;
        foreach (var call in Calls(sql, displayPath))
        {
            result.Append(sql, position, call.Offset - position);
            result.Append(call.Function == "config" ? "" : resolve(call));
            position = call.Offset + call.Length;
        }

        result.Append(sql, position, sql.Length - position);
        return result.ToString();
    }

    /// <summary>The SQL with every Jinja comment (<c>{# … #}</c>) blanked to spaces, keeping its newlines and every offset.</summary>
    private static string WithoutComments(string sql) => Blanked(Comment(), sql);

    /// <summary>
    /// As <see cref="WithoutComments"/>, and every <c>{% raw %}…{% endraw %}</c> block blanked too: dbt prints what it
    /// holds as text, so a ref() in it is no call. Read left to right, so a <c>{#</c> inside a raw block opens no comment.
    /// </summary>
    private static string WithoutUnrendered(string sql) => Blanked(Unrendered(), sql);

    private static string Blanked(Regex regions, string sql) =>
        regions.Replace(sql, m => string.Concat(m.Value.Select(c => c is '\n' or '\r' ? c : ' ')));

    // "{{-" and "-}}" (or "+") only control whitespace around the expression.
    [GeneratedRegex(@"\{\{[-+]?(?<body>.*?)[-+]?\}\}", RegexOptions.Singleline)]
    private static partial Regex Expression();

    // ref(...) or source(...) with literal arguments, not a method such as adapter.ref(...) or a name ending in ref.
    [GeneratedRegex(@"(?<![\w.])(?<fn>ref|source)\s*\((?<args>[^()]*)\)")]
    private static partial Regex NestedCall();

    // A YAML comment starts at a '#' that begins a line or follows a space; a '#' inside a word (ref('a#b')) is text.
    [GeneratedRegex(@"(?<=^|[ \t])#[^\r\n]*", RegexOptions.Multiline)]
    private static partial Regex YamlComment();

    [GeneratedRegex(@"\{#.*?#\}", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"\{#.*?#\}|\{%[-+]?\s*raw\s*[-+]?%\}.*?\{%[-+]?\s*endraw\s*[-+]?%\}", RegexOptions.Singleline)]
    private static partial Regex Unrendered();

    [GeneratedRegex(@"^\s*(?<fn>\w+)\s*\((?<args>.*)\)\s*$", RegexOptions.Singleline)]
    private static partial Regex CallSyntax();

    // A quoted value after "name =" (v = '2', version="2") is a keyword argument, not a positional one.
    [GeneratedRegex("""(?<![\w=]\s*)(['"])(?<v>[^'"]*)\1""")]
    private static partial Regex ArgumentSyntax();

    [GeneratedRegex(@"\{%.*?%\}", RegexOptions.Singleline)]
    private static partial Regex BlockTag();
}
