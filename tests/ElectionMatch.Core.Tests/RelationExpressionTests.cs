using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

public sealed class RelationExpressionTests
{
    private static readonly SourceSpan At = new("electionmatch.yml", 21, 17);

    [Theory]
    [InlineData("source('airbyte_source', 'hubspot_api_candidacy')", "source", "airbyte_source,hubspot_api_candidacy")]
    [InlineData(" source ( \"raw\" ,'b' , ) ", "source", "raw,b")]
    [InlineData("ref('stg_a')", "ref", "stg_a")]
    [InlineData("ref('package', 'stg_a', v=2)", "ref", "package,stg_a")]
    [InlineData("ref('stg_a', version='2')", "ref", "stg_a")]
    public void Relations_dbt_reads_as_written_are_parsed(string expression, string function, string arguments)
    {
        var call = RelationExpression.Parse(expression, At);

        Assert.Equal(function, call.Function);
        Assert.Equal(arguments.Split(','), call.Arguments);
        Assert.Equal(At, call.At);
    }

    [Theory]
    [InlineData("source('airbyte_source' 'hubspot_api_candidacy')", "the arguments must be separated by a comma: 'airbyte_source' is followed by 'hubspot_api_candidacy' without one")]
    [InlineData("ref('a' 'b')", "the arguments must be separated by a comma: 'a' is followed by 'b' without one (Jinja would join them into one string, 'ab')")]
    [InlineData("source('a'; 'b')", "the arguments must be separated by a comma: unexpected")]
    [InlineData("source('a', 'b)", "the quote that opens argument 2 is not closed")]
    [InlineData("ref('a'')", "the arguments must be separated by a comma, and a quote after 'a' is not closed")]
    [InlineData("source('a', 'b') where 1", "text follows the closing parenthesis: 'where 1'")]
    [InlineData("source('a', 'b'))", "text follows the closing parenthesis: ')'")]
    [InlineData("source('a', 'b'", "source( is never closed with ')'")]
    [InlineData("source('a', b)", "argument 2 ('b') is not a quoted string")]
    [InlineData("source('a', 'b', 'c')", "source() takes 2 (source name and table name) quoted arguments; it has 3")]
    [InlineData("ref(v=2)", "ref() takes 1 (model name) or 2 (package and model name) quoted arguments; it has 0")]
    [InlineData("select 1", "'select' is neither source() nor ref()")]
    // Before: "'hubspot_candidacy' is neither source() nor ref()", as if the table were a function's name.
    [InlineData("hubspot_candidacy", "'hubspot_candidacy' is not a relation: a table or model name alone is not one; write source('source_name', 'hubspot_candidacy') with the name of the source that declares the table in a sources YAML, or ref('hubspot_candidacy') for a dbt model")]
    [InlineData("source('a', 'b', v=2)", "source() takes no keyword arguments, only the source name and the table name")]
    public void Malformed_relations_are_EM0032_saying_what_is_wrong(string expression, string problem)
    {
        var error = Assert.Throws<DiagnosticException>(() => RelationExpression.Parse(expression, At));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal((Codes.InvalidSetting, 21), (diagnostic.Code, diagnostic.Line));
        Assert.Contains(problem, diagnostic.Message, StringComparison.Ordinal);
    }
}
