using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests;

/// <summary>
/// What dbt gives the Jinja of each file ElectionMatch reads: dbt_project.yml (env_var, target; var only from --vars),
/// profiles.yml and dbt_project.yml's profile (env_var; no target, as dbt renders them before it chooses one), and
/// Jinja's own lexing of <c>{{+</c>.
/// </summary>
public sealed class JinjaContextTests
{
    private const string Sources = "models/staging/__sources.yaml";

    private static Diagnostic Refused(FixtureCopy fixture) =>
        Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics.Single();

    [Fact]
    public void The_projects_name_is_rendered_with_env_var_as_dbt_renders_it()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("dbt_project.yml", "name: goodparty", "name: \"{{ env_var('EM_TEST_SURELY_UNSET_PROJECT', 'goodparty') }}\"");
        // Vars under the project's rendered name apply to its files.
        fixture.Replace(Sources, "    schema: model_predictions\n", "    schema: \"{{ var('mp_schema') }}\"\n");
        File.AppendAllText(fixture.PathOf("dbt_project.yml"), "\nvars:\n  goodparty:\n    mp_schema: model_predictions\n");

        // Before, the name was the text "{{ env_var(…) }}": no such profile in profiles.yml (EM0012).
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal(("goodparty", "goodparty"), (context.Project.Name, context.Target.Profile));
        Assert.Equal("model_predictions", context.Sources.Find("model_predictions", "candidacy_ddhq_matches_20251016")!.Schema);
        Assert.Contains("EM_TEST_SURELY_UNSET_PROJECT", context.Target.EnvironmentVariables);
    }

    [Fact]
    public void A_project_name_that_renders_empty_is_an_error_at_its_line()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("dbt_project.yml", "name: goodparty", "name: \"{{ env_var('EM_TEST_SURELY_UNSET_PROJECT', '') }}\"");

        // Before, the project was named "{{ env_var(…) }}" without a word (its vars: scope named so too).
        var error = Refused(fixture);

        Assert.Equal(("EM0002", 1, 7), (error.Code, error.Line, error.Column));
        Assert.EndsWith("dbt_project.yml", error.File, StringComparison.Ordinal);
        Assert.Equal("name renders empty ('{{ env_var('EM_TEST_SURELY_UNSET_PROJECT', '') }}'); dbt needs the project's name", error.Message);
    }

    [Fact]
    public void Literals_in_profiles_yml_and_dbt_project_yml_are_rendered_as_dbt_renders_them()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("dbt_project.yml", "target-path: \"target\"", "target-path: \"{{ 'build' }}\"");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ 'target' }}/w.duckdb\"\n      schema: \"{{ 'DBT_CI' | lower }}\"\n");

        // Before, each was taken as written: a folder named "{{ 'target' }}", a schema "{{ 'DBT_CI' | lower }}".
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal(Path.Combine(fixture.Directory, "target", "w.duckdb"), context.Target.DatabasePath);
        Assert.Equal("dbt_ci", context.Target.Schema);
        Assert.Equal(Path.Combine(fixture.Directory, "build", "manifest.json"), context.Project.ManifestJsonPath);
    }

    [Theory]
    [InlineData("profiles.yml", "      path: \"target/{{ target.name }}.duckdb\"\n", 6, 13,
        "path holds '{{ target.name }}', but dbt renders profiles.yml before it chooses a target, so target is undefined there and dbt fails on it")]
    [InlineData("profiles.yml", "      path: target/w.duckdb\n      schema: \"dbt_{{ target['name'] | lower }}\"\n", 7, 15,
        "schema holds '{{ target['name'] | lower }}', but dbt renders profiles.yml before it chooses a target")]
    [InlineData("dbt_project.yml", "profile: \"{{ target.profile_name }}\"", 4, 10,
        "profile holds '{{ target.profile_name }}', but dbt renders dbt_project.yml's profile before it chooses a target, so target is undefined there and dbt fails on it")]
    [InlineData("dbt_project.yml", "name: \"gp_{{ target.name }}\"", 1, 7,
        "name holds '{{ target.name }}': dbt renders it with the target it chose, but ElectionMatch reads dbt_project.yml before it chooses one, so it does not render target there")]
    [InlineData("dbt_project.yml", "target-path: \"target/{{ target.name }}\"", 10, 14,
        "target-path holds '{{ target.name }}': dbt renders it with the target it chose, but ElectionMatch reads dbt_project.yml before it chooses one")]
    public void Target_in_profiles_yml_or_dbt_project_yml_is_an_error_at_its_key_naming_the_expression(string file, string text, int line, int column, string message)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        if (file == "profiles.yml")
        {
            fixture.Write(file, "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n" + text);
        }
        else
        {
            var key = text[..text.IndexOf(':', StringComparison.Ordinal)];
            var line0 = fixture.Read(file).Split('\n').First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
            fixture.Replace(file, line0, text);
        }

        // Before, the text was passed through: a warehouse file, schema, profile or folder named "…{{ target.name }}…".
        var error = Refused(fixture);

        Assert.Equal(("EM0017", line, column), (error.Code, error.Line, error.Column));
        Assert.EndsWith(file, error.File, StringComparison.Ordinal);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plus_after_the_opening_braces_is_read_as_jinja_reads_it_and_strips_nothing()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("dbt_project.yml", "profile: goodparty", "profile: \"{{+ env_var('EM_TEST_SURELY_UNSET_PROFILE', 'goodparty') }}\"");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"target/ {{+ env_var('EM_TEST_SURELY_UNSET_FILE', 'w') -}} \\n.duckdb\"\n");
        fixture.Replace(Sources, "      - name: l2_districts\n", "      - name: l2_districts\n        identifier: \"l2 {{+ 'districts' }} v2\"\n");

        // Before, each was EM0017: the + was read as part of the expression.
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal("goodparty", context.Target.Profile);
        // {{+ strips nothing before it (the space stays), -}} all after it (the newline too).
        Assert.Equal(Path.Combine(fixture.Directory, "target", " w.duckdb"), context.Target.DatabasePath);
        Assert.Equal("l2 districts v2", context.Sources.Find("airbyte_source", "l2_districts")!.Identifier);
    }

    [Theory]
    [InlineData("profiles.yml", 6, 13)]
    [InlineData(Sources, 56, 13)]
    public void A_plus_before_the_closing_braces_is_an_error_at_its_key_for_jinja_reads_no_such_closing(string file, int line, int column)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        if (file == "profiles.yml")
        {
            fixture.Write(file, "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('EM_TEST_SURELY_UNSET_FILE', 'target/w.duckdb') +}}\"\n");
        }
        else
        {
            fixture.Replace(file, "    schema: model_predictions\n", "    schema: \"{{ 'model_predictions' +}}\"\n");
        }

        var error = Refused(fixture);

        Assert.Equal(("EM0017", line, column), (error.Code, error.Line, error.Column));
        Assert.EndsWith(file, error.File, StringComparison.Ordinal);
        Assert.Contains("'+}}' does not close a Jinja expression (only '}}' and '-}}' do: Jinja reads the + as an addition with nothing after it), and dbt fails on it too", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expression_without_its_closing_braces_in_profiles_yml_is_an_error_at_its_key()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"target/{{ 'w' }.duckdb\"\n");

        // Before, the text was passed through: a warehouse file named "{{ 'w' }.duckdb" in target/.
        var error = Refused(fixture);

        Assert.Equal(("EM0017", 6, 13), (error.Code, error.Line, error.Column));
        Assert.Equal("path holds '{{ 'w' }.duckdb', a Jinja expression without its closing }}, on which dbt fails too; close it with }} or remove it", error.Message);
    }

    [Fact]
    public void An_env_var_inside_a_jinja_comment_is_not_among_the_variables_a_build_depends_on()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("dbt_project.yml", "profile: goodparty", "profile: \"goodparty{# env_var('EM_TEST_IN_A_PROJECT_COMMENT') #}\"");
        fixture.Replace("profiles.yml", "'target/goodparty.duckdb') }}\"", "'target/goodparty.duckdb') }}{# or {{ env_var('EM_TEST_IN_A_PROFILES_COMMENT') }} #}\"");
        fixture.Replace(Sources, "    schema: model_predictions\n", "    schema: \"model_predictions{#- {{ env_var('EM_TEST_IN_A_SOURCES_COMMENT', 'x') }} -#}\"\n");

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        // What dotnet build hashes (ProjectTask.EnvironmentVariables): before, the three commented variables were listed,
        // so setting or changing one (which dbt never reads) made the next build regenerate and check again.
        var reported = context.Target.EnvironmentVariables.Union(context.Sources.EnvironmentVariables, StringComparer.Ordinal).ToList();
        Assert.Contains("GOODPARTY_WAREHOUSE", reported);
        Assert.DoesNotContain(reported, v => v.StartsWith("EM_TEST_IN_A_", StringComparison.Ordinal));
    }
}
