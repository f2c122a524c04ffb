using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

public sealed class ModelSqlTests
{
    private const string Model = "{{ config(materialized='table') }}\nselect *\nfrom {{ ref('stg_a') }} as a\njoin {{source( \"raw\" , 'b' )}} as b using (id)\n";

    [Fact]
    public void Calls_are_found_with_their_line_and_column()
    {
        var calls = ModelSql.Calls(Model, "m.sql");

        Assert.Equal(["config", "ref", "source"], calls.Select(c => c.Function));
        Assert.Equal(new SourceSpan("m.sql", 3, 9), calls[1].At);
        Assert.Equal("stg_a", calls[1].RefModel);
        Assert.Equal(new SourceSpan("m.sql", 4, 8), calls[2].At);
        Assert.Equal(["raw", "b"], calls[2].Arguments);
    }

    [Fact]
    public void Compile_replaces_relations_and_drops_config()
    {
        var sql = ModelSql.Compile(Model, "m.sql", c => c.IsRef ? "main.stg_a" : "raw.b");

        Assert.Equal("\nselect *\nfrom main.stg_a as a\njoin raw.b as b using (id)\n", sql);
    }

    [Fact]
    public void Jinja_statements_are_refused_with_their_position()
    {
        var error = Assert.Throws<DiagnosticException>(() => ModelSql.Compile("select 1\n{% if x %}\n", "m.sql", _ => ""));

        Assert.Equal(2, error.Diagnostics[0].Line);
    }
}
