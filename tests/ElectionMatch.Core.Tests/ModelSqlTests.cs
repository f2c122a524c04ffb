using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

public sealed class ModelSqlTests
{
    private const string Model = "{{ config(materialized='table') }}\nselect *\nfrom {{ ref('stg_a') }} as a\njoin {{source( \"raw\" , 'b' )}} as b using (id)\n";

    [Theory]
    [InlineData("select 1 as a, 'x' as b;\n")]
    [InlineData("select 1 as a, 'x' as b -- the last line is a comment")]
    [InlineData("\n  select 1 as a, 'x' as b ; ")]
    public void A_model_read_as_a_subquery_keeps_its_columns_whatever_its_last_line(string compiled)
    {
        using var warehouse = ElectionMatch.Warehouse.DuckDbWarehouse.InMemory();
        var columns = warehouse.Describe($"select * from {ModelSql.AsSubquery(compiled)}");
        Assert.Equal(["a", "b"], columns.Select(c => c.Name));
    }

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

    [Fact]
    public void Refs_inside_raw_blocks_are_neither_calls_nor_references_as_dbt_never_renders_them()
    {
        const string sql = "select 1\n{% raw %} {{ ref('shown') }} {# not a comment here #} {% endraw %}\n{%- raw -%}\n{{ ref('also_shown') }}\n{%- endraw -%}\nfrom {{ ref('kept') }}\n";

        var calls = ModelSql.Calls(sql, "m.sql");
        var references = ModelSql.References(sql, "m.sql");

        Assert.Equal(["kept"], calls.Select(c => c.RefModel));
        Assert.Equal(["kept"], references.Select(c => c.RefModel));
        Assert.Equal(new SourceSpan("m.sql", 6, 9), references[0].At);
    }

    [Fact]
    public void Calls_inside_Jinja_comments_are_not_calls()
    {
        const string sql = "{# {{ ref('old') }} #}\nselect *\n{#\n  from {{ ref('older') }}\n#}\nfrom {{ ref('kept') }}\n";

        var calls = ModelSql.Calls(sql, "m.sql");

        Assert.Equal(["kept"], calls.Select(c => c.RefModel));
        Assert.Equal(new SourceSpan("m.sql", 6, 9), calls[0].At);
    }

    [Fact]
    public void Compile_drops_Jinja_comments_even_when_they_hold_a_statement()
    {
        var sql = ModelSql.Compile("{# {% if x %} {{ ref('old') }} #}\nselect * from {{ ref('a') }}\n", "m.sql", _ => "main.a");

        Assert.Equal("select * from main.a", sql.Trim());
    }

    [Fact]
    public void Whitespace_control_marks_do_not_hide_a_call()
    {
        var calls = ModelSql.Calls("select * from {{- ref('a') -}} join {{+ source('raw', 'b') +}}", "m.sql");

        Assert.Equal(["ref", "source"], calls.Select(c => c.Function));
        Assert.Equal("a", calls[0].RefModel);
        Assert.Equal(["raw", "b"], calls[1].Arguments);
    }

    [Theory]
    [InlineData("{{ ref('stg_a', version = '2') }}")]
    [InlineData("{{ ref('stg_a', v=\"2\") }}")]
    [InlineData("{{ ref('stg_a', v=2) }}")]
    public void A_quoted_keyword_argument_is_not_the_model_name(string sql)
    {
        var call = Assert.Single(ModelSql.Calls(sql, "m.sql"));

        Assert.True(call.IsRef);
        Assert.Equal(["stg_a"], call.Arguments);
    }

    [Fact]
    public void References_are_found_inside_other_calls_and_statements_but_not_in_comments()
    {
        const string sql = "{% set r = ref('in_set') %}\nselect {{ dbt_utils.star(from=ref('in_star'), except=['id']) }}\n"
            + "from {{ source('raw', 'b') }} {# ref('commented') #} join {{ adapter.ref('not_a_ref') }}\n";

        var references = ModelSql.References(sql, "m.sql");

        Assert.Equal(["ref in_set", "ref in_star", "source b"], references.Select(r => r.Function + " " + r.Arguments[^1]));
        Assert.Equal(new SourceSpan("m.sql", 2, 31), references[1].At);
        Assert.Equal("ref('in_star')", sql.Substring(references[1].Offset, references[1].Length));
    }

    [Fact]
    public void Yaml_references_are_read_as_yaml_unquotes_their_value()
    {
        var yaml = "exposures:\n  - name: e\n    depends_on: [\"ref(\\\"a\\\")\", 'ref(''b'')', \"ref('c')\"]\n";

        var references = ModelSql.YamlReferences(yaml, "x.yml");

        Assert.Equal(["a", "b", "c"], references.Select(r => r.RefModel));
        Assert.Equal([19, 33, 47], references.Select(r => r.At.Column));
    }
}
