using System.Diagnostics.CodeAnalysis;
using System.Text;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>
/// A relation written as text in electionmatch.yml: exactly one <c>source('s', 't')</c> or <c>ref('m')</c>
/// (<c>ref('package', 'm')</c>, keyword arguments such as <c>v=2</c> aside), read as dbt's Jinja reads it.
/// Model SQL is read by <see cref="ModelSql"/>; a setting is parsed strictly, since a typo there (a missing comma,
/// which Jinja would turn into one joined string) must not name some other relation.
/// </summary>
internal static class RelationExpression
{
    public const string Usage = "write source('source_name', 'table_name') or ref('model_name')";

    /// <summary>The call, or EM0032 at <paramref name="at"/> saying what is wrong with it.</summary>
    public static JinjaCall Parse(string expression, SourceSpan at) =>
        TryParse(expression, at, out var call, out var problem)
            ? call
            : throw DiagnosticException.At(Codes.InvalidSetting, at, Message(expression, problem));

    /// <summary>The problem of a table or model name written alone, whose message says which calls would name it.</summary>
    private const string NameAlone = "a table or model name alone is not one";

    public static string Message(string expression, string problem) =>
        problem == NameAlone
            ? $"'{expression}' is not a relation: {problem}; write source('source_name', '{expression.Trim()}') with the name of the source that declares the table in a sources YAML, or ref('{expression.Trim()}') for a dbt model"
            : $"'{expression}' is not a relation: {problem}; {Usage}";

    public static bool TryParse(string expression, SourceSpan at, [NotNullWhen(true)] out JinjaCall? call, out string problem)
    {
        call = null;
        var reader = new Reader(expression);
        reader.SkipSpace();
        var function = reader.Identifier();
        if (function is not ("source" or "ref"))
        {
            reader.SkipSpace();
            problem = function is null ? "it is not a call" : reader.AtEnd ? NameAlone : $"'{function}' is neither source() nor ref()";
            return false;
        }

        reader.SkipSpace();
        if (!reader.Take('('))
        {
            problem = $"'(' must follow {function}";
            return false;
        }

        var arguments = new List<string>();
        var keywords = 0;
        while (true)
        {
            reader.SkipSpace();
            if (reader.Take(')'))
            {
                break;
            }

            if (reader.AtEnd)
            {
                problem = $"{function}( is never closed with ')'";
                return false;
            }

            if (!Argument(reader, arguments, ref keywords, out problem))
            {
                return false;
            }

            reader.SkipSpace();
            if (reader.Take(','))
            {
                continue;
            }

            if (reader.Peek is '\'' or '"')
            {
                var next = reader.Copy();
                problem = !next.TryString(out var following)
                    ? $"the arguments must be separated by a comma, and a quote after '{arguments[^1]}' is not closed"
                    : $"the arguments must be separated by a comma: '{arguments[^1]}' is followed by '{following}' without one (Jinja would join them into one string, '{arguments[^1]}{following}')";
                return false;
            }

            if (!reader.AtEnd && reader.Peek != ')')
            {
                problem = $"the arguments must be separated by a comma: unexpected '{reader.Rest.Trim()}' after argument {arguments.Count + keywords}";
                return false;
            }
        }

        reader.SkipSpace();
        if (!reader.AtEnd)
        {
            problem = $"text follows the closing parenthesis: '{reader.Rest.Trim()}'";
            return false;
        }

        if (function == "source" && keywords > 0)
        {
            problem = "source() takes no keyword arguments, only the source name and the table name";
            return false;
        }

        var expected = function == "source" ? "2 (source name and table name)" : "1 (model name) or 2 (package and model name)";
        if (function == "source" ? arguments.Count != 2 : arguments.Count is not (1 or 2))
        {
            problem = $"{function}() takes {expected} quoted arguments; it has {arguments.Count}";
            return false;
        }

        problem = "";
        call = new JinjaCall(function, arguments, 0, expression.Length, at);
        return true;
    }

    /// <summary>One argument: a quoted string (positional, before any keyword argument) or <c>name=value</c>.</summary>
    private static bool Argument(Reader reader, List<string> arguments, ref int keywords, out string problem)
    {
        problem = "";
        if (reader.Peek is '\'' or '"')
        {
            if (!reader.TryString(out var value))
            {
                problem = $"the quote that opens argument {arguments.Count + keywords + 1} is not closed";
                return false;
            }

            if (keywords > 0)
            {
                problem = $"the quoted argument '{value}' follows a keyword argument";
                return false;
            }

            arguments.Add(value);
            return true;
        }

        // A keyword argument (ref's v=2 or version='2') is dbt's; its value does not change the relation read here.
        var start = reader.Copy();
        if (reader.Identifier() is { } name)
        {
            reader.SkipSpace();
            if (reader.Take('='))
            {
                reader.SkipSpace();
                if ((reader.Peek is '\'' or '"' && reader.TryString(out _)) || reader.Number())
                {
                    keywords++;
                    return true;
                }

                problem = $"keyword argument {name}= needs a quoted string or a number";
                return false;
            }
        }

        problem = $"argument {arguments.Count + keywords + 1} ('{start.Rest.Split(',', ')')[0].Trim()}') is not a quoted string";
        return false;
    }

    private sealed class Reader(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        public char Peek => AtEnd ? '\0' : text[_position];

        public string Rest => text[_position..];

        public Reader Copy() => new(text) { _position = _position };

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        public bool Take(char c)
        {
            if (AtEnd || Peek != c)
            {
                return false;
            }

            _position++;
            return true;
        }

        public string? Identifier()
        {
            var start = _position;
            while (!AtEnd && (char.IsAsciiLetter(text[_position]) || text[_position] == '_' || (_position > start && char.IsAsciiDigit(text[_position]))))
            {
                _position++;
            }

            return _position > start ? text[start.._position] : null;
        }

        public bool Number()
        {
            var start = _position;
            while (!AtEnd && (char.IsAsciiDigit(text[_position]) || text[_position] == '.'))
            {
                _position++;
            }

            return _position > start;
        }

        /// <summary>A Jinja string literal from the quote here; false (and the position unchanged) when it is not closed.</summary>
        public bool TryString(out string value)
        {
            var quote = text[_position];
            var builder = new StringBuilder();
            for (var i = _position + 1; i < text.Length; i++)
            {
                if (text[i] == '\\' && i + 1 < text.Length)
                {
                    builder.Append(text[++i]);
                }
                else if (text[i] == quote)
                {
                    _position = i + 1;
                    value = builder.ToString();
                    return true;
                }
                else
                {
                    builder.Append(text[i]);
                }
            }

            value = "";
            return false;
        }
    }
}
