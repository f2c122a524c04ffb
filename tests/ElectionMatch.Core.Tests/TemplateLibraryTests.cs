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

    private void Override(string name, string text)
    {
        var path = Path.Combine(_project, "electionmatch", "templates", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
