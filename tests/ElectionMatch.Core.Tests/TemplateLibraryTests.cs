using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;

namespace ElectionMatch.Tests;

public sealed class TemplateLibraryTests : IDisposable
{
    private readonly string _project = Path.Combine(Path.GetTempPath(), "em-templates-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose() => Directory.Delete(_project, recursive: true);

    [Fact]
    public void A_template_override_that_does_not_parse_is_reported_at_the_line_and_column_of_the_parse_error()
    {
        var path = Path.Combine(_project, "electionmatch", "templates", StagingModelRenderer.SqlTemplate);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "with\n    source as (\n        select * from {{ source_call \n    )\nselect * from source\n");

        var error = Assert.Throws<DiagnosticException>(() => TemplateLibrary.ForProject(_project).Render(StagingModelRenderer.SqlTemplate, new Dictionary<string, object?>()));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.EndsWith(Path.Combine("electionmatch", "templates", "staging", "model.sql.liquid"), diagnostic.File, StringComparison.Ordinal);
        // Fluid says "… at (3:37)": the unclosed {{ on line 3.
        Assert.Equal((3, 37), (diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void A_parse_error_is_one_line_and_found_before_anything_is_rendered()
    {
        // Before, the message went on with Fluid's "Source:" and the text, a diagnostic line each in MSBuild.
        Override(StagingModelRenderer.SqlTemplate, "select\n{%- for column in columns %}\n    {{ column.sql_name }}\n{%- endfo %}\n");

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => TemplateLibrary.ForProject(_project).ParseOverrides()).Diagnostics);

        Assert.Equal((Codes.InvalidSetting, 4), (diagnostic.Code, diagnostic.Line));
        Assert.Equal("template does not parse: '{% endfor %}' was expected at (4:1)", diagnostic.Message);
    }

    [Fact]
    public void A_name_the_model_lacks_is_an_error_at_the_template_and_a_name_given_without_a_value_is_not()
    {
        // Before, a misspelt member rendered as nothing: models that did not parse, reported by check at each of them.
        Override(StagingModelRenderer.SqlTemplate, "select\n{%- for column in columns %}\n    {{ column.sql_nam }}\n{%- endfor %}\n");
        Override(StagingModelRenderer.LatestSqlTemplate, "{{ ref_cal }}");
        Override(StagingModelRenderer.YamlTemplate, "{% if manifest %}{{ manifest }}{% endif %}{{ columns.size }}{{ columns.first.name }}");
        var templates = TemplateLibrary.ForProject(_project);
        var columns = new List<Dictionary<string, object?>> { new() { ["name"] = "a", ["sql_name"] = "a" } };

        var member = Assert.Single(Assert.Throws<DiagnosticException>(() => templates.Render(StagingModelRenderer.SqlTemplate, new Dictionary<string, object?> { ["columns"] = columns })).Diagnostics);
        var variable = Assert.Single(Assert.Throws<DiagnosticException>(() => templates.Render(StagingModelRenderer.LatestSqlTemplate, new Dictionary<string, object?> { ["ref_call"] = "x" })).Diagnostics);

        Assert.Equal(Codes.InvalidSetting, member.Code);
        Assert.EndsWith(Path.Combine("electionmatch", "templates", "staging", "model.sql.liquid"), member.File, StringComparison.Ordinal);
        Assert.Equal(3, member.Line);
        Assert.Equal("template cannot be rendered: it uses an undefined member 'sql_nam' of column, a dictionary, which has name and sql_name; did you mean 'sql_name'?; the names a template can use are those the shipped template of the same name uses (templates/staging/model.sql.liquid)", member.Message);
        Assert.StartsWith("template cannot be rendered: it uses an undefined variable 'ref_cal';", variable.Message, StringComparison.Ordinal);
        Assert.Equal("1a", templates.Render(StagingModelRenderer.YamlTemplate, new Dictionary<string, object?> { ["manifest"] = null, ["columns"] = columns }));
    }

    [Fact]
    public void A_member_a_string_or_a_list_lacks_is_the_same_error_at_its_line_and_filters_still_apply()
    {
        // Before, Liquid answered nil for any member of a string or a list but size, first and last: rendered as nothing.
        Override(StagingModelRenderer.SqlTemplate, "select\n{%- for column in columns %}\n    {{ column.sql_name | upcase }}, {{ column.sql_name.size }}\n    {{ column.sql_name.nmae }}\n{%- endfor %}\n");
        Override(StagingModelRenderer.LatestSqlTemplate, "{{ columns.size }} {{ columns.first.name }}\n{{ columns | map: 'name' | join: ',' }}\n\n  {% if columns.frist %}x{% endif %}");
        Override(StagingModelRenderer.YamlTemplate, "{{ columns | map: 'name' | join: ',' | upcase }} {{ columns.last.sql_name.last }} {{ ref_call | append: '!' }}");
        var templates = TemplateLibrary.ForProject(_project);
        var model = new Dictionary<string, object?>
        {
            ["columns"] = new List<Dictionary<string, object?>> { new() { ["name"] = "a", ["sql_name"] = "ab" }, new() { ["name"] = "c", ["sql_name"] = "cd" } },
            ["ref_call"] = "x",
        };

        var onString = Assert.Single(Assert.Throws<DiagnosticException>(() => templates.Render(StagingModelRenderer.SqlTemplate, model)).Diagnostics);
        var onList = Assert.Single(Assert.Throws<DiagnosticException>(() => templates.Render(StagingModelRenderer.LatestSqlTemplate, model)).Diagnostics);

        Assert.Equal(Codes.InvalidSetting, onString.Code);
        Assert.EndsWith(Path.Combine("electionmatch", "templates", "staging", "model.sql.liquid"), onString.File, StringComparison.Ordinal);
        Assert.Equal((4, 24), (onString.Line, onString.Column));
        Assert.Equal("template cannot be rendered: it uses an undefined member 'nmae' of column.sql_name, a string, which has size, first and last only; the names a template can use are those the shipped template of the same name uses (templates/staging/model.sql.liquid)", onString.Message);
        Assert.EndsWith(Path.Combine("electionmatch", "templates", "staging", "latest.sql.liquid"), onList.File, StringComparison.Ordinal);
        Assert.Equal((4, 17), (onList.Line, onList.Column));
        Assert.Equal("template cannot be rendered: it uses an undefined member 'frist' of columns, a list, which has size, first and last only; did you mean 'first'?; the names a template can use are those the shipped template of the same name uses (templates/staging/latest.sql.liquid)", onList.Message);
        Assert.Equal("A,C d x!", templates.Render(StagingModelRenderer.YamlTemplate, model));
    }

    [Fact]
    public void A_member_of_a_number_or_a_boolean_is_the_same_error_naming_no_member_and_filters_still_apply()
    {
        const string Prompt = "prompts/l2_ballotready.liquid";
        // Before, Liquid answered nil for any member of a number or a boolean (size too): rendered as nothing.
        Override(Prompt, "{{ max_candidates | plus: 1 }} {{ max_candidates }}\n  {{ max_candidates.size }}");
        Override(StagingModelRenderer.YamlTemplate, "{% if latest %}x{% endif %}\n{% for column in columns %}{% for test in column.tests %}{% for arg in test.args %}{{ arg.value | times: 2 }}{{ arg.value.vlaue }}{% endfor %}{% endfor %}{% endfor %}");
        Override(StagingModelRenderer.SourceTableTemplate, "{{ meta_in_config }}\n\n {% if meta_in_config.fist %}x{% endif %}");
        Override(StagingModelRenderer.LatestSqlTemplate, "{{ max_candidates | plus: 1 }} {{ max_candidates | times: 1.0 }} {{ value | times: 2 }} {{ meta_in_config }} {{ meta_in_config | default: 'no' }} {% if latest %}x{% endif %}");
        var templates = TemplateLibrary.ForProject(_project);
        var yaml = new Dictionary<string, object?>
        {
            ["latest"] = true,
            ["columns"] = new List<Dictionary<string, object?>>
            {
                new() { ["tests"] = new List<Dictionary<string, object?>> { new() { ["args"] = new List<Dictionary<string, object?>> { new() { ["key"] = "min_value", ["value"] = 1.5 } } } } },
            },
        };

        var onNumber = Assert.Single(Assert.Throws<DiagnosticException>(() => templates.Render(Prompt, new Dictionary<string, object?> { ["max_candidates"] = 8 })).Diagnostics);
        var onMember = Assert.Single(Assert.Throws<DiagnosticException>(() => templates.Render(StagingModelRenderer.YamlTemplate, yaml)).Diagnostics);
        var onBoolean = Assert.Single(Assert.Throws<DiagnosticException>(() => templates.Render(StagingModelRenderer.SourceTableTemplate, new Dictionary<string, object?> { ["meta_in_config"] = false })).Diagnostics);

        Assert.Equal(Codes.InvalidSetting, onNumber.Code);
        Assert.EndsWith(Path.Combine("electionmatch", "templates", "prompts", "l2_ballotready.liquid"), onNumber.File, StringComparison.Ordinal);
        Assert.Equal((2, 21), (onNumber.Line, onNumber.Column));
        Assert.Equal("template cannot be rendered: it uses an undefined member 'size' of max_candidates, a number, which has no member; the names a template can use are those the shipped template of the same name uses (templates/prompts/l2_ballotready.liquid)", onNumber.Message);
        Assert.Equal(2, onMember.Line);
        Assert.Equal("template cannot be rendered: it uses an undefined member 'vlaue' of arg.value, a number, which has no member; the names a template can use are those the shipped template of the same name uses (templates/staging/model.yml.liquid)", onMember.Message);
        Assert.Equal((3, 23), (onBoolean.Line, onBoolean.Column));
        Assert.Equal("template cannot be rendered: it uses an undefined member 'fist' of meta_in_config, a boolean, which has no member; the names a template can use are those the shipped template of the same name uses (templates/sources/table.yml.liquid)", onBoolean.Message);
        Assert.Equal("9 8.0 3.0 false no x", templates.Render(StagingModelRenderer.LatestSqlTemplate, new Dictionary<string, object?> { ["max_candidates"] = 8, ["value"] = 1.5, ["meta_in_config"] = false, ["latest"] = true }));
    }

    private void Override(string name, string text)
    {
        var path = Path.Combine(_project, "electionmatch", "templates", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
