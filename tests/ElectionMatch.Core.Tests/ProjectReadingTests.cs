using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

public sealed class ProjectReadingTests
{
    [Fact]
    public void The_fixture_project_reads_with_its_duckdb_target_and_sources()
    {
        using var fixture = FixtureCopy.Of("goodparty");

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal("goodparty", context.Project.Name);
        Assert.Equal(fixture.WarehousePath, context.Target.DatabasePath);
        Assert.Equal("dbt", context.Target.Schema);
        Assert.Equal(
            ["candidacy_ddhq_matches_20251016", "candidacy_ddhq_matches_20251112"],
            context.DeclaredSnapshots("candidacy_ddhq_matches").Take(2).Select(s => s.Name.Table));
        Assert.Equal("data/airbyte/ddhq_election_results.csv", context.Sources.Find("airbyte_source", "ddhq_gdrive_election_results")!.ExternalLocation);
        Assert.Equal("data/airbyte/ballotready_positions.csv", context.Sources.Find("airbyte_source", "ballotready_api_position")!.ExternalLocation);
    }

    [Fact]
    public void Env_var_in_profiles_is_expanded()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  target: ci\n  outputs:\n    ci:\n      type: duckdb\n      path: \"{{ env_var('EM_TEST_WAREHOUSE_DIR') }}/w.duckdb\"\n");
        Environment.SetEnvironmentVariable("EM_TEST_WAREHOUSE_DIR", "/tmp/em-elsewhere");
        try
        {
            var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
            Assert.Equal("/tmp/em-elsewhere/w.duckdb", context.Target.DatabasePath);
        }
        finally
        {
            Environment.SetEnvironmentVariable("EM_TEST_WAREHOUSE_DIR", null);
        }
    }

    [Fact]
    public void A_value_read_through_a_dbt_env_secret_variable_is_masked_in_what_is_printed_and_another_is_not()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  target: ci\n  outputs:\n    ci:\n      type: duckdb\n      path: \"{{ env_var('DBT_ENV_SECRET_EM_TEST_DIR') }}/{{ env_var('EM_TEST_PLAIN_DIR') }}/w.duckdb\"\n");
        Environment.SetEnvironmentVariable("DBT_ENV_SECRET_EM_TEST_DIR", "/tmp/em-secret-Vq8Lz2");
        Environment.SetEnvironmentVariable("EM_TEST_PLAIN_DIR", "em-plain-Hk4Ty7");
        try
        {
            var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

            Assert.Equal("/tmp/em-secret-Vq8Lz2/em-plain-Hk4Ty7/w.duckdb", context.Target.DatabasePath);
            Assert.Equal("***/em-plain-Hk4Ty7/w.duckdb", Secrets.Redact(context.Target.DatabasePath));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DBT_ENV_SECRET_EM_TEST_DIR", null);
            Environment.SetEnvironmentVariable("EM_TEST_PLAIN_DIR", null);
        }
    }

    [Fact]
    public void Env_var_in_the_projects_profile_and_model_paths_is_rendered_as_dbt_does()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var project = fixture.Read("dbt_project.yml")
            .Replace("profile: goodparty", "profile: \"{{ env_var('EM_TEST_SURELY_UNSET_PROFILE', 'goodparty') }}\"", StringComparison.Ordinal)
            .Replace("model-paths: [\"models\"]", "model-paths: [\"{{ env_var('EM_TEST_SURELY_UNSET_MODELS', 'models') }}\"]", StringComparison.Ordinal);
        fixture.Write("dbt_project.yml", project);

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal("goodparty", context.Target.Profile);
        Assert.Equal(["models"], context.Project.ModelPaths);
        Assert.Equal(["EM_TEST_SURELY_UNSET_MODELS", "EM_TEST_SURELY_UNSET_PROFILE"], context.Target.EnvironmentVariables.Where(v => v.StartsWith("EM_TEST", StringComparison.Ordinal)));
        Assert.NotNull(context.Sources.Find("airbyte_source", "hubspot_api_candidacy"));
    }

    [Fact]
    public void Refs_are_read_from_the_test_analysis_and_snapshot_folders_dbt_project_yml_names()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("dbt_project.yml", fixture.Read("dbt_project.yml").Replace("test-paths: [\"tests\"]", "test-paths: [\"checks\"]\nanalysis-paths: [\"adhoc\"]\nsnapshot-paths: [\"snaps\"]", StringComparison.Ordinal));
        // The defaults (tests, analyses, snapshots) are not read when dbt_project.yml names other folders; an analysis's YAML holds no test.
        foreach (var file in new[] { "checks/a.sql", "checks/t.yml", "adhoc/b.sql", "adhoc/b.yml", "snaps/c.sql", "tests/d.sql", "analyses/e.sql", "snapshots/f.sql" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fixture.PathOf(file))!);
            fixture.Write(file, "select 1\n");
        }

        var files = Dbt.DbtProject.Load(fixture.Directory).ReferencingFiles()
            .Select(f => Path.GetRelativePath(fixture.Directory, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("models/", StringComparison.Ordinal));

        Assert.Equal(["adhoc/b.sql", "checks/a.sql", "checks/t.yml", "snaps/c.sql"], files);
    }

    [Fact]
    public void Refs_are_read_from_analyses_when_dbt_project_yml_names_no_analysis_paths()
    {
        // dbt-core 1.0 and later compile analyses/ when analysis-paths is unset (core/dbt/config/project.py:
        // value_or(cfg.analysis_paths, ["analyses"])), so a ref() there of a missing snapshot fails dbt's parse. Before,
        // no analysis folder was read without the setting: check passed it, prune dropped a snapshot it read, and
        // generate --rewrite-refs left it on a dated model.
        using var fixture = FixtureCopy.Of("goodparty");
        Assert.DoesNotContain("analysis-paths", fixture.Read("dbt_project.yml"), StringComparison.Ordinal);
        Directory.CreateDirectory(fixture.PathOf("analyses"));
        fixture.Write("analyses/e.sql", "select 1\n");

        var files = Dbt.DbtProject.Load(fixture.Directory).ReferencingFiles()
            .Select(f => Path.GetRelativePath(fixture.Directory, f).Replace('\\', '/'));

        Assert.Contains("analyses/e.sql", files);
    }

    [Fact]
    public void Refs_are_read_from_the_macro_folders_dbt_project_yml_names_and_from_macros_without_one()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        foreach (var file in new[] { "macros/latest.sql", "shared_macros/pick.sql" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fixture.PathOf(file))!);
            fixture.Write(file, "{% macro m() %}{{ return(ref('x')) }}{% endmacro %}\n");
        }

        string[] Read() => [.. Dbt.DbtProject.Load(fixture.Directory).ReferencingFiles()
            .Select(f => Path.GetRelativePath(fixture.Directory, f).Replace('\\', '/'))
            .Where(f => f.Contains("macros/", StringComparison.Ordinal))];
        var asInFixture = Read();
        fixture.Replace("dbt_project.yml", "macro-paths: [\"macros\"]\n", "");
        var byDefault = Read();
        fixture.Replace("dbt_project.yml", "test-paths: [\"tests\"]\n", "test-paths: [\"tests\"]\nmacro-paths: [\"shared_macros\"]\n");

        Assert.Equal(["macros/latest.sql"], asInFixture);
        Assert.Equal(["macros/latest.sql"], byDefault);
        Assert.Equal(["shared_macros/pick.sql"], Read());
    }

    [Fact]
    public void Env_var_and_var_in_a_sources_schema_database_identifier_and_external_location_are_rendered_as_dbt_does()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("models/staging/__sources.yaml", "    schema: model_predictions\n", "    schema: \"{{ var('mp_schema', 'not_this') }}\"\n    database: \"{{ var('mp_database', 'goodparty') }}\"\n");
        fixture.Replace("models/staging/__sources.yaml", "external_location: \"data/airbyte/hubspot_candidacy.csv\"",
            "external_location: \"{{ env_var('EM_TEST_SURELY_UNSET_DATA', 'data') }}/airbyte/{{ var('hubspot_file') }}.csv\"");
        fixture.Replace("models/staging/__sources.yaml", "      - name: l2_districts\n", "      - name: l2_districts\n        identifier: \"{{ var('districts', 'l2_districts') }}_v2\"\n");
        // Project-wide vars, and those under the project's own name, which win (dbt's scoping).
        File.AppendAllText(fixture.PathOf("dbt_project.yml"), "\nvars:\n  mp_schema: ml_predictions\n  hubspot_file: wrong\n  goodparty:\n    mp_schema: model_predictions\n    hubspot_file: hubspot_candidacy\n");

        var sources = ProjectContext.Load(new ProjectOptions(fixture.Directory)).Sources;

        var snapshot = sources.Find("model_predictions", "candidacy_ddhq_matches_20251016")!;
        Assert.Equal(("model_predictions", "goodparty"), (snapshot.Schema, snapshot.Database));
        // Line 57: the identifier line added above it.
        Assert.Equal((57, 13), (snapshot.SchemaAt.Line, snapshot.SchemaAt.Column));
        Assert.EndsWith("models/staging/__sources.yaml", snapshot.SchemaAt.File, StringComparison.Ordinal);
        var hubspot = sources.Find("airbyte_source", "hubspot_api_candidacy")!;
        Assert.Equal("data/airbyte/hubspot_candidacy.csv", hubspot.ExternalLocation);
        Assert.Equal((11, 30), (hubspot.LocationAt.Line, hubspot.LocationAt.Column));
        Assert.Equal("l2_districts_v2", sources.Find("airbyte_source", "l2_districts")!.Identifier);
        Assert.Contains("EM_TEST_SURELY_UNSET_DATA", sources.EnvironmentVariables);
    }

    [Fact]
    public void External_location_under_config_meta_is_read_for_a_table_and_for_a_source_as_dbt_1_10_writes_it()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // dbt >= 1.10 moves a table's meta under config:; before, only config: and a top-level meta: were read, so the
        // table resolved to a schema in the warehouse that does not exist.
        fixture.Replace("models/staging/__sources.yaml", "        meta:\n          external_location: \"data/airbyte/ddhq_election_results.csv\"",
            "        config:\n          meta:\n            external_location: \"data/airbyte/ddhq_election_results.csv\"");
        fixture.Replace("models/staging/__sources.yaml", "  - name: l2_source\n", "  - name: l2_source\n    config:\n      meta:\n        external_location: \"data/l2/{name}.csv\"\n");
        fixture.Replace("models/staging/__sources.yaml", "        config:\n          external_location: \"data/l2/l2_nationwide_uniform.csv\"\n", "");

        var sources = ProjectContext.Load(new ProjectOptions(fixture.Directory)).Sources;

        var results = sources.Find("airbyte_source", "ddhq_gdrive_election_results")!;
        Assert.Equal("data/airbyte/ddhq_election_results.csv", results.ExternalLocation);
        Assert.Equal((25, 32), (results.LocationAt.Line, results.LocationAt.Column));
        Assert.Equal("data/l2/l2_nationwide_uniform.csv", sources.Find("l2_source", "l2_nationwide_uniform")!.ExternalLocation);
    }

    [Fact]
    public void Merge_keys_in_the_sources_yaml_and_profiles_yml_are_applied_as_dbt_applies_them()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // Before, '<<' was read as a key of its own: the table had no external_location, and a run failed in DuckDB
        // with "schema airbyte_source does not exist".
        fixture.Replace("models/staging/__sources.yaml", "          external_location: \"data/airbyte/ddhq_election_results.csv\"",
            "          <<: {external_location: \"data/airbyte/ddhq_election_results.csv\"}");
        fixture.Write("profiles.yml", "goodparty:\n  target: ci\n  outputs:\n    dev: &dev\n      type: duckdb\n      path: target/dev.duckdb\n      schema: dbt\n    ci:\n      <<: *dev\n      path: target/ci.duckdb\n");

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        var results = context.Sources.Find("airbyte_source", "ddhq_gdrive_election_results")!;
        Assert.Equal("data/airbyte/ddhq_election_results.csv", results.ExternalLocation);
        Assert.Equal((24, 35), (results.LocationAt.Line, results.LocationAt.Column));
        Assert.Equal((Path.Combine(fixture.Directory, "target", "ci.duckdb"), "dbt"), (context.Target.DatabasePath, context.Target.Schema));
    }

    [Fact]
    public void Filters_on_env_var_var_and_literals_in_a_sources_file_are_rendered_as_jinja_does()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("models/staging/__sources.yaml", "    schema: model_predictions\n", "    schema: \"{{ var('mp_schema', 'MODEL_PREDICTIONS') | lower }}\"\n    database: \"{{ env_var('EM_TEST_SURELY_UNSET_DB', '') | default('goodparty', true) }}\"\n");
        fixture.Replace("models/staging/__sources.yaml", "external_location: \"data/airbyte/hubspot_candidacy.csv\"",
            "external_location: \"{{ env_var('EM_TEST_SURELY_UNSET_DATA', ' DATA ') | trim | lower }}/airbyte/{{ var('hubspot_file') | replace('-', '_') | string }}.csv\"");
        fixture.Replace("models/staging/__sources.yaml", "      - name: l2_districts\n", "      - name: l2_districts\n        identifier: \"{{ 'L2' | lower() }}_districts{{- var('suffix', '') | as_text | upper -}}\"\n");
        File.AppendAllText(fixture.PathOf("dbt_project.yml"), "\nvars:\n  hubspot_file: hubspot-candidacy\n  suffix: _v2\n");

        var sources = ProjectContext.Load(new ProjectOptions(fixture.Directory)).Sources;

        var snapshot = sources.Find("model_predictions", "candidacy_ddhq_matches_20251016")!;
        Assert.Equal(("model_predictions", "goodparty"), (snapshot.Schema, snapshot.Database));
        Assert.Equal("data/airbyte/hubspot_candidacy.csv", sources.Find("airbyte_source", "hubspot_api_candidacy")!.ExternalLocation);
        Assert.Equal("l2_districts_V2", sources.Find("airbyte_source", "l2_districts")!.Identifier);
        Assert.Contains("EM_TEST_SURELY_UNSET_DATA", sources.EnvironmentVariables);
    }

    [Fact]
    public void Unquoted_var_defaults_and_typed_vars_render_as_python_prints_them_and_a_lone_none_leaves_the_key_unset()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("models/staging/__sources.yaml", "    schema: model_predictions\n", "    schema: \"{{ var('mp_schema', none) }}\"\n");
        fixture.Replace("models/staging/__sources.yaml", "      - name: l2_districts\n",
            "      - name: l2_districts\n        identifier: \"l2_{{ var('schema_suffix', 5) }}_{{ var('flag', false) }}_{{ var('ratio', 0.5) }}_{{ var('release') }}_{{ var('strict') }}_{{ var('quoted') }}\"\n");
        File.AppendAllText(fixture.PathOf("dbt_project.yml"), "\nvars:\n  release: 2\n  strict: true\n  quoted: \"true\"\n");

        var sources = ProjectContext.Load(new ProjectOptions(fixture.Directory)).Sources;

        // dbt renders a YAML value natively: a lone none is no schema, so the source's name is.
        Assert.Equal("model_predictions", sources.Find("model_predictions", "candidacy_ddhq_matches_20251016")!.Schema);
        Assert.Equal("l2_5_False_0.5_2_True_true", sources.Find("airbyte_source", "l2_districts")!.Identifier);
    }

    [Fact]
    public void A_filter_on_env_var_in_profiles_yml_is_rendered()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('EM_TEST_SURELY_UNSET_DIR', 'TARGET') | lower }}/w.duckdb\"\n      schema: \"{{ env_var('EM_TEST_SURELY_UNSET_SCHEMA', 'dbt-ci') | replace('-', '_') }}\"\n");

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal(Path.Combine(fixture.Directory, "target", "w.duckdb"), context.Target.DatabasePath);
        Assert.Equal("dbt_ci", context.Target.Schema);
    }

    [Fact]
    public void Whitespace_control_strips_the_whitespace_and_newlines_beside_an_expression_in_a_sources_file_as_jinja_does()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // Double-quoted YAML: \n is a newline in the value dbt renders.
        fixture.Replace("models/staging/__sources.yaml", "    schema: model_predictions\n", "    schema: \" \\n {{- var('mp_schema', none) -}} \\n \"\n");
        fixture.Replace("models/staging/__sources.yaml", "external_location: \"data/airbyte/hubspot_candidacy.csv\"",
            "external_location: \"data/airbyte/ \\n  {{- env_var('EM_TEST_SURELY_UNSET_FILE', 'hubspot_candidacy') -}} \\n .csv\"");
        fixture.Replace("models/staging/__sources.yaml", "      - name: l2_districts\n", "      - name: l2_districts\n        identifier: \"l2 {{ 'districts' -}} \\n\\t _v2\"\n");

        var sources = ProjectContext.Load(new ProjectOptions(fixture.Directory)).Sources;

        // {{- … -}} alone with whitespace around it is the expression alone: a none leaves the key unset, as in dbt.
        Assert.Equal("model_predictions", sources.Find("model_predictions", "candidacy_ddhq_matches_20251016")!.Schema);
        Assert.Equal("data/airbyte/hubspot_candidacy.csv", sources.Find("airbyte_source", "hubspot_api_candidacy")!.ExternalLocation);
        // -}} strips only after: the space before is the value's.
        Assert.Equal("l2 districts_v2", sources.Find("airbyte_source", "l2_districts")!.Identifier);
    }

    [Fact]
    public void Whitespace_control_strips_the_whitespace_and_newlines_beside_an_env_var_in_profiles_yml()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"target/\\n  {{- env_var('EM_TEST_SURELY_UNSET_FILE', 'w') -}}  \\n.duckdb\"\n      schema: |\n        {{- env_var('EM_TEST_SURELY_UNSET_SCHEMA', 'dbt_ci') -}}\n\n");

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        // Before, the spaces and newlines were kept: a file named "  w  \n.duckdb" in "target/\n".
        Assert.Equal(Path.Combine(fixture.Directory, "target", "w.duckdb"), context.Target.DatabasePath);
        Assert.Equal("dbt_ci", context.Target.Schema);
    }

    [Fact]
    public void Jinja_comments_in_a_sources_file_render_as_nothing_with_their_whitespace_control()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("models/staging/__sources.yaml", "    schema: model_predictions\n", "    schema: \"model_{# the dbt schema #}predictions\"\n");
        // A comment hides what it holds: an env_var() without default there is never read.
        fixture.Replace("models/staging/__sources.yaml", "external_location: \"data/airbyte/hubspot_candidacy.csv\"",
            "external_location: \"data/airbyte/ \\n {#- {{ env_var('EM_TEST_SURELY_UNSET_NO_DEFAULT') }} -#} \\n hubspot_candidacy.csv\"");
        fixture.Replace("models/staging/__sources.yaml", "      - name: l2_districts\n", "      - name: l2_districts\n        identifier: \"l2 {#+ v2 +#} districts\"\n");

        // Before, each was EM0017: a comment was refused as Jinja ElectionMatch does not render.
        var sources = ProjectContext.Load(new ProjectOptions(fixture.Directory)).Sources;

        Assert.Equal("model_predictions", sources.Find("model_predictions", "candidacy_ddhq_matches_20251016")!.Schema);
        Assert.Equal("data/airbyte/hubspot_candidacy.csv", sources.Find("airbyte_source", "hubspot_api_candidacy")!.ExternalLocation);
        // {#+ and +#} strip nothing: the spaces around the comment are the value's.
        Assert.Equal("l2  districts", sources.Find("airbyte_source", "l2_districts")!.Identifier);
    }

    [Fact]
    public void Jinja_comments_in_profiles_yml_and_dbt_project_yml_render_as_nothing_with_their_whitespace_control()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("dbt_project.yml", "profile: goodparty", "profile: \"good{# the profile in profiles.yml #}party\"");
        fixture.Replace("dbt_project.yml", "model-paths: [\"models\"]", "model-paths: [\"models {#- var('models') -#}\"]");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"target/\\n  {#- {{ var('warehouse') }} -#}  \\nw.duckdb\"\n      schema: \"{# CI's #}dbt_ci\"\n");

        // Before, each was taken as text: a profile named "good{# … #}party", a file named "target/\n  {#- … -#}  \nw.duckdb".
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal("goodparty", context.Target.Profile);
        Assert.Equal(["models"], context.Project.ModelPaths);
        Assert.Equal(Path.Combine(fixture.Directory, "target", "w.duckdb"), context.Target.DatabasePath);
        Assert.Equal("dbt_ci", context.Target.Schema);
    }

    [Theory]
    [InlineData("profiles.yml", "      path: \"{% if true %}target/w.duckdb{% endif %}\"\n", 6, 13, "path holds the Jinja statement '{% if true %}', and ElectionMatch does not render Jinja statements ({% … %}); write the value itself, or {{ env_var('X', 'default') }}, which dbt and ElectionMatch both read here")]
    [InlineData("profiles.yml", "      path: target/w.duckdb\n      schema: \"{{ env_var('EM_TEST_SURELY_UNSET_SCHEMA', 'dbt') }}{%- set x = 1 -%}\"\n", 7, 15, "schema holds the Jinja statement '{%- set x = 1 -%}', and ElectionMatch does not render Jinja statements")]
    [InlineData("dbt_project.yml", "profile: \"{% if target.name == 'ci' %}ci{% else %}goodparty{% endif %}\"", 4, 10, "profile holds the Jinja statement '{% if target.name == 'ci' %}', and ElectionMatch does not render Jinja statements")]
    [InlineData("dbt_project.yml", "target-path: \"{# the build's #}{% raw %}target{% endraw %}\"", 10, 14, "target-path holds the Jinja statement '{% raw %}', and ElectionMatch does not render Jinja statements")]
    public void A_jinja_statement_in_profiles_yml_or_dbt_project_yml_is_an_error_at_its_key(string file, string text, int line, int column, string message)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        if (file == "profiles.yml")
        {
            fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n" + text);
        }
        else
        {
            fixture.Replace("dbt_project.yml", text.StartsWith("profile", StringComparison.Ordinal) ? "profile: goodparty" : "target-path: \"target\"", text);
        }

        // Before, the text was passed through: a warehouse file, a schema or a profile named after the statement.
        var error = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics.Single();

        Assert.Equal(("EM0017", line, column), (error.Code, error.Line, error.Column));
        Assert.EndsWith(file, error.File, StringComparison.Ordinal);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("profiles.yml")]
    [InlineData("models/staging/__sources.yaml")]
    public void A_jinja_comment_without_its_end_is_an_error_at_its_key(string file)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var (line, column) = file == "profiles.yml" ? (7, 13) : (56, 13);
        if (file == "profiles.yml")
        {
            fixture.Replace(file, "'target/goodparty.duckdb') }}\"", "'target/goodparty.duckdb') }}{# the warehouse\"");
        }
        else
        {
            fixture.Replace(file, "    schema: model_predictions\n", "    schema: \"model_predictions{# the dbt schema\"\n");
        }

        // Before, profiles.yml passed it through as text (and dbt fails on it).
        var error = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics.Single();

        Assert.Equal(("EM0017", line, column), (error.Code, error.Line, error.Column));
        Assert.EndsWith(file, error.File, StringComparison.Ordinal);
        Assert.Contains("a Jinja comment without its closing #}, on which dbt fails too", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("      path: \"{{ var('warehouse', 'target/w.duckdb') }}\"\n", 6, 13, "path holds '{{ var('warehouse', 'target/w.duckdb') }}', but in profiles.yml dbt reads var() only from the --vars given on its command line (not from dbt_project.yml's vars:), which ElectionMatch does not see")]
    [InlineData("      path: target/w.duckdb\n      schema: \"{{ env_var('EM_TEST_SURELY_UNSET_SCHEMA', 'dbt') }}_{{ var('suffix') | lower }}\"\n", 7, 15, "schema holds '{{ var('suffix') | lower }}', but in profiles.yml dbt reads var() only from the --vars")]
    public void Var_in_profiles_yml_is_an_error_at_its_key_for_dbt_reads_it_only_from_its_command_line(string output, int line, int column, string message)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // dbt_project.yml's vars: set it, and dbt still would not read them in profiles.yml.
        File.AppendAllText(fixture.PathOf("dbt_project.yml"), "\nvars:\n  warehouse: target/other.duckdb\n  suffix: CI\n");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n" + output);

        // Before, the text was passed through: a warehouse file named "{{ var('warehouse', 'target/w.duckdb') }}".
        var error = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics.Single();

        Assert.Equal(("EM0017", line, column), (error.Code, error.Line, error.Column));
        Assert.EndsWith("profiles.yml", error.File, StringComparison.Ordinal);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Var_in_the_projects_profile_is_an_error_at_its_key_for_dbt_reads_it_there_only_from_its_command_line_too()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("dbt_project.yml", fixture.Read("dbt_project.yml").Replace("profile: goodparty", "profile: \"{{ var('profile', 'goodparty') }}\"", StringComparison.Ordinal) + "\nvars:\n  profile: goodparty\n");

        // Before, the text was taken as the profile's name without a word.
        var error = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics.Single();

        Assert.Equal(("EM0017", 4, 10), (error.Code, error.Line, error.Column));
        Assert.EndsWith("dbt_project.yml", error.File, StringComparison.Ordinal);
        Assert.StartsWith("profile holds '{{ var('profile', 'goodparty') }}', but in dbt_project.yml dbt reads var() only from the --vars given on its command line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_filter_ElectionMatch_does_not_render_in_profiles_yml_is_an_error_at_its_key()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('EM_TEST_SURELY_UNSET_DIR', 'target') | title }}/w.duckdb\"\n");

        var error = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics.Single();

        Assert.Equal(("EM0017", 6, 13), (error.Code, error.Line, error.Column));
        Assert.EndsWith("profiles.yml", error.File, StringComparison.Ordinal);
        Assert.StartsWith("path: the filter 'title' in '{{ env_var('EM_TEST_SURELY_UNSET_DIR', 'target') | title }}' is not one ElectionMatch renders", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  mp_schema: [model_predictions, ml_predictions]\n", "\"{{ var('mp_schema') }}\"", "EM0017", "schema: var('mp_schema') is a list in dbt_project.yml's vars: (line 23), not a value this key can take")]
    [InlineData("  mp_schema:\n    dev: model_predictions\n", "\"{{ var('mp_schema', 'x') }}\"", "EM0017", "schema: var('mp_schema') is a mapping in dbt_project.yml's vars: (line 24), not a value this key can take; a mapping under vars: named after a package holds that package's vars")]
    [InlineData("  other_package:\n    mp_schema: model_predictions\n", "\"{{ var('mp_schema') }}\"", "EM0016", "schema: var('mp_schema') has no value: dbt_project.yml's vars: does not set it and var() gives no default (a --vars given to dbt is not seen here); it is set under 'other_package:' (dbt_project.yml line 24), which dbt applies to package other_package's files only")]
    public void A_var_that_is_a_list_or_mapping_or_set_only_for_another_package_is_an_error_at_the_key(string vars, string schema, string code, string message)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("models/staging/__sources.yaml", "    schema: model_predictions\n", $"    schema: {schema}\n");
        File.AppendAllText(fixture.PathOf("dbt_project.yml"), "\nvars:\n" + vars);

        var error = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics.Single();

        Assert.Equal((code, 56, 13), (error.Code, error.Line, error.Column));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"{{ target.schema }}\"", "EM0017", "schema holds Jinja that ElectionMatch does not render ('{{ target.schema }}')")]
    [InlineData("\"{% if true %}x{% endif %}\"", "EM0017", "schema holds the Jinja statement '{% if true %}', and ElectionMatch does not render Jinja statements ({% … %}); write the value itself, or {{ env_var('X', 'default') }} or {{ var('x', 'default') }} (from dbt_project.yml's vars:), which dbt and ElectionMatch both read here")]
    [InlineData("\"{{ var('mp_schema') }}\"", "EM0016", "schema: var('mp_schema') has no value")]
    [InlineData("\"{{ var('mp_schema', 'model_predictions') | title }}\"", "EM0017", "schema: the filter 'title' in '{{ var('mp_schema', 'model_predictions') | title }}' is not one ElectionMatch renders")]
    [InlineData("\"{{ env_var('EM_TEST_SURELY_UNSET', 'x') ~ '_y' }}\"", "EM0017", "schema holds Jinja that ElectionMatch does not render ('{{ env_var('EM_TEST_SURELY_UNSET', 'x') ~ '_y' }}')")]
    public void Other_Jinja_in_a_sources_schema_is_an_error_at_its_line_and_column(string schema, string code, string message)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Replace("models/staging/__sources.yaml", "    schema: model_predictions\n", $"    schema: {schema}\n");

        var error = Assert.Throws<DiagnosticException>(() => ProjectContext.Load(new ProjectOptions(fixture.Directory))).Diagnostics.Single();

        Assert.Equal((code, 56, 13), (error.Code, error.Line, error.Column));
        Assert.EndsWith("models/staging/__sources.yaml", error.File, StringComparison.Ordinal);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DBT_TARGET_chooses_the_target_when_no_target_is_given_and_the_option_wins_over_it()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: target/dev.duckdb\n    ci:\n      type: duckdb\n      path: target/ci.duckdb\n");
        var project = Dbt.DbtProject.Load(fixture.Directory);
        string? Environment(string name) => name == "DBT_TARGET" ? "ci" : null;

        var fromVariable = Dbt.Profiles.Resolve(project, null, null, Environment);
        var fromOption = Dbt.Profiles.Resolve(project, null, "dev", Environment);
        var fromProfile = Dbt.Profiles.Resolve(project, null, null, _ => null);

        Assert.Equal(("ci", "ci.duckdb"), (fromVariable.Target, Path.GetFileName(fromVariable.DatabasePath)));
        Assert.Contains("DBT_TARGET", fromVariable.EnvironmentVariables);
        Assert.Equal(("dev", "dev.duckdb"), (fromOption.Target, Path.GetFileName(fromOption.DatabasePath)));
        Assert.Equal("dev", fromProfile.Target);
    }

    [Fact]
    public void A_warehouse_path_under_the_home_directory_is_not_a_folder_named_tilde_in_the_project()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ~/warehouses/gp.duckdb\n");

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Combine(home, "warehouses", "gp.duckdb"), context.Target.DatabasePath);
    }

    [Fact]
    public void An_unset_env_var_without_default_names_the_profiles_line()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('EM_TEST_SURELY_UNSET') }}\"\n");

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.EnvVarUnset, diagnostic.Code);
        Assert.EndsWith("profiles.yml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(6, diagnostic.Line);
        Assert.Contains("EM_TEST_SURELY_UNSET", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("target")]
    [InlineData("warehouse/")]
    public void A_warehouse_path_that_names_a_directory_is_reported_at_the_profiles_path_line(string path)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        Directory.CreateDirectory(fixture.PathOf("target"));
        fixture.Write("profiles.yml", $"goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{{{ env_var('EM_TEST_SURELY_UNSET', '{path}') }}}}\"\n      schema: dbt\n");

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.UnsupportedAdapter, diagnostic.Code);
        Assert.EndsWith("profiles.yml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal((6, 13), (diagnostic.Line, diagnostic.Column));
        // path: as written in profiles.yml (every message about path: quotes it so), then the directory it resolved to.
        Assert.Contains($"path '{{{{ env_var('EM_TEST_SURELY_UNSET', '{path}') }}}}' resolves to the directory", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("not a database file", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("md:goodparty?motherduck_token={{ env_var('EM_TEST_PLANTED_TOKEN') }}", "md:goodparty?…")]
    [InlineData("MD:goodparty?motherduck_token={{ env_var('EM_TEST_PLANTED_TOKEN') }}", "MD:goodparty?…")]
    [InlineData("motherduck:goodparty?motherduck_token={{ env_var('EM_TEST_PLANTED_TOKEN') }}", "motherduck:goodparty?…")]
    [InlineData("target/goodparty.duckdb?motherduck_token={{ env_var('EM_TEST_PLANTED_TOKEN') }}", "target/goodparty.duckdb?…")]
    [InlineData("{{ env_var('EM_TEST_PLANTED_URL') }}", "{{ env_var('EM_TEST_PLANTED_URL') }}")]
    [InlineData("md:goodparty?motherduck_token=mdTOKENwrittenInProfiles55", "md:goodparty?…")]
    public void A_connection_string_path_is_refused_quoting_path_as_written_without_the_token(string path, string quoted)
    {
        const string token = "mdTOKENsecret987654321";
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", $"goodparty:\n  target: prod\n  outputs:\n    prod:\n      type: duckdb\n      path: \"{path}\"\n      schema: dbt\n");
        Environment.SetEnvironmentVariable("EM_TEST_PLANTED_TOKEN", token);
        Environment.SetEnvironmentVariable("EM_TEST_PLANTED_URL", "md:goodparty?motherduck_token=" + token);
        Diagnostic diagnostic;
        try
        {
            diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));
        }
        finally
        {
            Environment.SetEnvironmentVariable("EM_TEST_PLANTED_TOKEN", null);
            Environment.SetEnvironmentVariable("EM_TEST_PLANTED_URL", null);
        }

        Assert.Equal(Codes.UnsupportedAdapter, diagnostic.Code);
        Assert.EndsWith("profiles.yml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal((6, 13), (diagnostic.Line, diagnostic.Column));
        Assert.Contains($"path '{quoted}' is a connection string, not a database file", diagnostic.Message, StringComparison.Ordinal);
        // The whole diagnostic as printed, and its message as MSBuild logs it: neither the variable's value nor a written token.
        foreach (var text in new[] { diagnostic.ToString(), diagnostic.Message })
        {
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain("mdTOKENwrittenInProfiles55", text, StringComparison.Ordinal);
            Assert.DoesNotContain("motherduck_token", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("target/run:1.duckdb")]
    [InlineData("C:gp.duckdb")]
    public void A_path_with_a_colon_after_its_first_slash_or_a_drive_letter_is_a_local_file(string path)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", $"goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{path}\"\n");

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal(Path.GetFullPath(Path.Combine(fixture.Directory, path)), context.Target.DatabasePath);
    }

    [Fact]
    public void A_missing_profiles_file_is_reported_with_the_places_searched()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        File.Delete(fixture.PathOf("profiles.yml"));
        var empty = Path.Combine(fixture.Directory, "no-profiles-here");
        Directory.CreateDirectory(empty);

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory, ProfilesDirectory: empty)));

        Assert.Equal(Codes.ProfilesMissing, diagnostic.Code);
        Assert.Contains("no-profiles-here", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_DBT_PROFILES_DIR_without_profiles_yml_is_EM0011_naming_that_folder_though_the_project_holds_one()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var typo = Path.Combine(fixture.Directory, "profiles-typo");
        var project = Dbt.DbtProject.Load(fixture.Directory);

        // As dbt: while DBT_PROFILES_DIR is set only that folder is looked in; before, the project's profiles.yml (or ~/.dbt's) was used.
        var diagnostic = Single(() => Dbt.Profiles.Resolve(project, null, null, name => name == "DBT_PROFILES_DIR" ? typo : null));

        Assert.Equal(Codes.ProfilesMissing, diagnostic.Code);
        Assert.EndsWith("dbt_project.yml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(4, diagnostic.Line);
        Assert.Contains($"profiles.yml not found in {typo}, the folder DBT_PROFILES_DIR names; while DBT_PROFILES_DIR is set, dbt looks only there", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_DBT_PROFILES_DIR_is_read_from_where_the_command_was_started_not_from_the_project()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var started = Path.Combine(fixture.Directory, "elsewhere");
        Directory.CreateDirectory(Path.Combine(started, "profs"));
        File.WriteAllText(Path.Combine(started, "profs", "profiles.yml"), "goodparty:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: target/other.duckdb\n");
        var project = Dbt.DbtProject.Load(fixture.Directory);
        Func<string, string?> Variable(string value) => name => name == "DBT_PROFILES_DIR" ? value : null;

        var found = Dbt.Profiles.Resolve(project, null, null, Variable("profs"), started);
        var missing = Single(() => Dbt.Profiles.Resolve(project, null, null, Variable("profs-typo"), started));

        Assert.Equal(Path.Combine(started, "profs", "profiles.yml"), found.ProfilesFile);
        Assert.Equal(Codes.ProfilesMissing, missing.Code);
        Assert.Contains($"profiles.yml not found in {Path.Combine(started, "profs-typo")}, the folder DBT_PROFILES_DIR names ('profs-typo', read from {started}, where the command was started)", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_profiles_folder_written_from_the_home_directory_is_found_there_however_it_is_given()
    {
        // A shell expands ~ only at a word's start: --profiles-dir=~/.dbt, -p:ElectionMatchProfilesDirectory=~/.dbt and a
        // quoted "~/.dbt" arrive as written. Before, each named a folder '~' under the working directory (EM0011).
        using var fixture = FixtureCopy.Of("goodparty");
        Directory.CreateDirectory(fixture.PathOf("profs"));
        File.Move(fixture.PathOf("profiles.yml"), fixture.PathOf("profs/profiles.yml"));
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var fromHome = "~/" + Path.GetRelativePath(home, fixture.PathOf("profs")).Replace('\\', '/');
        var project = Dbt.DbtProject.Load(fixture.Directory);

        var option = Dbt.WorkingDirectory.In(fixture.PathOf("models"), () => Dbt.Profiles.Resolve(project, fromHome, null, _ => null));
        var variable = Dbt.Profiles.Resolve(project, null, null, name => name == "DBT_PROFILES_DIR" ? fromHome : null, fixture.PathOf("models"));

        Assert.Equal(fixture.PathOf("profs/profiles.yml"), option.ProfilesFile);
        Assert.Equal(fixture.PathOf("profs/profiles.yml"), variable.ProfilesFile);
        Assert.Equal(Path.Join(home, "x"), Dbt.WorkingDirectory.ExpandHome("~/x"));
        Assert.Equal(home, Dbt.WorkingDirectory.ExpandHome("~"));
        Assert.Equal("~user/x", Dbt.WorkingDirectory.ExpandHome("~user/x"));
        Assert.Equal("a/~/x", Dbt.WorkingDirectory.ExpandHome("a/~/x"));
    }

    [Fact]
    public void A_project_that_names_no_profile_is_refused_at_its_name_as_dbt_refuses_it()
    {
        // dbt: "no profile was specified for this dbt project". Before, the profile named after the project was read.
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("dbt_project.yml", fixture.Read("dbt_project.yml").Replace("profile: goodparty\n", "", StringComparison.Ordinal));

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.MissingKey, diagnostic.Code);
        Assert.EndsWith("dbt_project.yml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal((1, 7), (diagnostic.Line, diagnostic.Column));
        Assert.Equal("dbt_project.yml names no profile, and dbt does not run without one; add `profile: <name>` naming a profile of profiles.yml", diagnostic.Message);
    }

    [Fact]
    public void A_profile_that_names_no_target_reads_its_default_output_as_dbt_does()
    {
        // dbt-core takes the output named default (and warns); before, ElectionMatch read dev, a warehouse dbt never reads.
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  outputs:\n    default:\n      type: duckdb\n      path: target/default.duckdb\n    dev:\n      type: duckdb\n      path: target/dev.duckdb\n");

        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        Assert.Equal(("default", "default.duckdb"), (context.Target.Target, Path.GetFileName(context.Target.DatabasePath)));

        // With no output named default, the error says the default was chosen because the profile names no target.
        fixture.Write("profiles.yml", "goodparty:\n  outputs:\n    dev:\n      type: duckdb\n      path: target/dev.duckdb\n");
        var missing = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));
        Assert.Equal(Codes.ProfileOrTargetMissing, missing.Code);
        Assert.Contains("target 'default' (the default, as the profile names no target:) is not among the outputs of profile 'goodparty' (dev)", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_yaml_file_over_the_size_limit_is_reported_at_its_first_line()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        using (var settings = File.AppendText(fixture.PathOf("electionmatch.yml")))
        {
            var comment = "#" + new string('x', 1023) + "\n";
            for (var i = 0; i < 16 * 1024 + 1; i++)
            {
                settings.Write(comment);
            }
        }

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.YamlSyntax, diagnostic.Code);
        Assert.EndsWith("electionmatch.yml", diagnostic.File, StringComparison.Ordinal);
        // The whole file is the subject: line 1, so MSBuild prints file(1,1) and CI annotates it.
        Assert.Equal((1, 1), (diagnostic.Line, diagnostic.Column));
        Assert.Contains("larger than 16 MiB", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_profile_is_reported_where_dbt_project_yml_names_it_with_the_one_meant()
    {
        // Before: profiles.yml(1,1), "is not in this profiles.yml", naming neither the profiles there nor the one meant.
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("dbt_project.yml", fixture.Read("dbt_project.yml").Replace("profile: goodparty", "profile: goodprty", StringComparison.Ordinal));

        var misspelt = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));
        fixture.Write("dbt_project.yml", fixture.Read("dbt_project.yml").Replace("profile: goodprty", "profile: elsewhere", StringComparison.Ordinal));
        var other = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.ProfileOrTargetMissing, misspelt.Code);
        Assert.Equal((fixture.PathOf("dbt_project.yml"), 4, 10), (misspelt.File, misspelt.Line, misspelt.Column));
        Assert.Equal($"profile 'goodprty' is not in {Dbt.DisplayPath.For(fixture.PathOf("profiles.yml"))}; did you mean 'goodparty'?", misspelt.Message);
        Assert.EndsWith("profiles.yml; it defines: goodparty", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_target_lists_the_ones_that_exist()
    {
        using var fixture = FixtureCopy.Of("goodparty");

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory, Target: "prod")));

        Assert.Equal(Codes.ProfileOrTargetMissing, diagnostic.Code);
        Assert.Contains("dev", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_target_is_reported_where_its_name_was_written_or_at_outputs_saying_what_named_it()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("profiles.yml", "goodparty:\n  target: nosuch\n  outputs:\n    dev:\n      type: duckdb\n      path: target/dev.duckdb\n");
        var project = Dbt.DbtProject.Load(fixture.Directory);

        var fromProfile = Single(() => Dbt.Profiles.Resolve(project, null, null, _ => null));
        var fromOption = Single(() => Dbt.Profiles.Resolve(project, null, "prod", _ => null));
        var fromVariable = Single(() => Dbt.Profiles.Resolve(project, null, null, name => name == "DBT_TARGET" ? "ci" : null));

        // Before, each was reported at the first output (dev:, line 4), which says nothing of where the name came from.
        Assert.Equal((Codes.ProfileOrTargetMissing, 2, 11), (fromProfile.Code, fromProfile.Line, fromProfile.Column));
        Assert.Contains("target 'nosuch' is not among the outputs of profile 'goodparty' (dev)", fromProfile.Message, StringComparison.Ordinal);
        Assert.Equal((Codes.ProfileOrTargetMissing, 3, 3), (fromOption.Code, fromOption.Line, fromOption.Column));
        Assert.Contains("target 'prod' (from --target, or ElectionMatchTarget in dotnet build) is not among", fromOption.Message, StringComparison.Ordinal);
        Assert.Equal((Codes.ProfileOrTargetMissing, 3, 3), (fromVariable.Code, fromVariable.Line, fromVariable.Column));
        Assert.Contains("target 'ci' (from DBT_TARGET) is not among", fromVariable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tab_indentation_is_a_syntax_error_at_its_line()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("electionmatch.yml", "version: 1\nmatches:\n\tx: 1\n");

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.YamlSyntax, diagnostic.Code);
        Assert.EndsWith("electionmatch.yml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(3, diagnostic.Line);
    }

    [Theory]
    [InlineData("electionmatch.yml", "engine:\n", "engine:\n  temp_directory: [oops\n")]
    [InlineData("models/staging/__sources.yaml", "version: 2\n", "version: 2\nextra: {oops\n")]
    public void An_unclosed_flow_collection_is_a_syntax_error_at_the_line_that_opens_it(string file, string find, string replace)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var text = fixture.Read(file);
        Assert.Contains(find, text, StringComparison.Ordinal);
        fixture.Write(file, text.Replace(find, replace, StringComparison.Ordinal));
        var line = text[..text.IndexOf(find, StringComparison.Ordinal)].Count(c => c == '\n') + 2;

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.YamlSyntax, diagnostic.Code);
        Assert.EndsWith(Path.GetFileName(file), diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(line, diagnostic.Line);
        Assert.Contains("not closed", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_document_is_a_syntax_error_at_its_first_line()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var text = fixture.Read("electionmatch.yml");
        fixture.Write("electionmatch.yml", text + "---\nengine:\n  threads: 1\n");
        var line = text.Count(c => c == '\n') + 2;

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.YamlSyntax, diagnostic.Code);
        Assert.EndsWith("electionmatch.yml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(line, diagnostic.Line);
        Assert.Contains("second YAML document", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_is_a_syntax_error()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("dbt_project.yml", "name: goodparty\nprofile: goodparty\nname: again\n");

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.YamlSyntax, diagnostic.Code);
        Assert.Contains("duplicate", diagnostic.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_misspelled_key_in_electionmatch_yml_suggests_the_right_one()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var text = fixture.Read("electionmatch.yml").Replace("    thresholds:", "    threshold:", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", text);
        var line = text.Split('\n').ToList().FindIndex(l => l.StartsWith("    threshold:", StringComparison.Ordinal)) + 1;

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.UnknownKey, diagnostic.Code);
        Assert.Equal(line, diagnostic.Line);
        Assert.Equal(5, diagnostic.Column);
        Assert.Contains("did you mean 'thresholds'?", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrongly_typed_value_names_its_key()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").Replace("accept: 0.95", "accept: high", StringComparison.Ordinal));

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.YamlShape, diagnostic.Code);
        Assert.Contains("'accept' must be a number", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_that_does_not_exist_is_reported_at_the_setting()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var text = fixture.Read("electionmatch.yml").Replace("'hubspot_api_candidacy'", "'hubspot_api_candidacies'", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", text);
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains("hubspot_api_candidacies", StringComparison.Ordinal)) + 1;
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        var left = context.Settings.Match("candidacy_ddhq_matches").Left;

        var diagnostic = Single(() => context.Resolver(null).Resolve(left.Relation, left.RelationAt));

        Assert.Equal(Codes.SourceNotFound, diagnostic.Code);
        Assert.Equal(line, diagnostic.Line);
        Assert.Contains("did you mean 'hubspot_api_candidacy'?", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Identifiers_with_quotes_cannot_break_out_of_the_sql()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var hostile = "x\"; drop table t; --";
        warehouse.Execute("create table t (a int)");
        warehouse.Execute($"create table {Sql.Identifier(hostile)} as select {Sql.Literal("it's")} as {Sql.Identifier("col\"umn")}");

        Assert.True(warehouse.TableExists("main", "t"));
        Assert.Equal("it's", warehouse.Scalar<string>($"select {Sql.Identifier("col\"umn")} from {Sql.Identifier(hostile)}"));
    }

    private static Diagnostic Single(Action action) => Assert.Single(Assert.Throws<DiagnosticException>(action).Diagnostics);

    [Fact]
    public void Engine_settings_are_read_and_a_bad_memory_limit_is_reported_at_its_line()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        Assert.Equal(((string?)null, (int?)null, "target/duckdb_tmp"), (context.Settings.Engine.MemoryLimit, context.Settings.Engine.Threads, context.Settings.Engine.TempDirectory));

        fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").Replace("engine:\n", "engine:\n  memory_limit: 3GB\n", StringComparison.Ordinal));
        var three = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        Assert.Equal("3GB", three.Settings.Engine.MemoryLimit);
        using (var run = DuckDbWarehouse.InMemory())
        {
            three.ApplyEngineSettings(run);
            Assert.Equal("2.7 GiB", run.Scalar<string>("select current_setting('memory_limit')"));
            Assert.Equal("2.7 GiB", run.Scalar<string>("select current_setting('block_allocator_memory')"));
        }

        var text = fixture.Read("electionmatch.yml").Replace("memory_limit: 3GB", "memory_limit: lots", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", text);
        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Contains("memory_limit", StringComparison.Ordinal)) + 1, diagnostic.Line);
    }

    // Before, explain, check, verify and generate opened the warehouse with DuckDB's defaults (memory_limit 80 % of the
    // machine, a thread per core): on a big warehouse, as much memory as DuckDB liked.
    [Fact]
    public void The_warehouse_a_reading_command_opens_has_the_engine_settings_a_run_applies()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").Replace("engine:\n", "engine:\n  memory_limit: 300MB\n  threads: 1\n", StringComparison.Ordinal));
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        Directory.CreateDirectory(Path.GetDirectoryName(context.Target.DatabasePath)!);
        using (DuckDbWarehouse.Open(context.Target.DatabasePath))
        {
        }

        using var locked = context.LockForReading("explain", out _);

        Assert.Equal(
            ("286.1 MiB", 1L, context.Project.Resolve("target/duckdb_tmp")),
            (locked.Warehouse.Scalar<string>("select current_setting('memory_limit')"), locked.Warehouse.Scalar<long>("select current_setting('threads')"), locked.Warehouse.Scalar<string>("select current_setting('temp_directory')")));
    }

    [Theory]
    [InlineData("dbt_project.yml", "dbt_project.yml")]
    [InlineData("dbt_project.yml/spill", "dbt_project.yml")]
    public void A_temp_directory_that_is_a_file_is_reported_at_its_line(string temp, string file)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var text = fixture.Read("electionmatch.yml").Replace("temp_directory: target/duckdb_tmp", $"temp_directory: {temp}", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", text);

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Contains("temp_directory:", StringComparison.Ordinal)) + 1, diagnostic.Line);
        Assert.Contains($"'temp_directory' must be a directory, but", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith($"{file} is a file", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_memory_limit_above_the_blocks_DuckDB_can_keep_sets_the_limit_and_keeps_as_many_blocks_as_DuckDB_allows()
    {
        // DuckDB keeps at most 80% of the machine's memory in blocks (its default memory_limit); no machine has 1000TB.
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").Replace("engine:\n", "engine:\n  memory_limit: 1000TB\n", StringComparison.Ordinal));
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));

        using var run = DuckDbWarehouse.InMemory();
        context.ApplyEngineSettings(run);

        using var fresh = DuckDbWarehouse.InMemory();
        using var asked = DuckDbWarehouse.InMemory();
        asked.Execute("set memory_limit = '1000TB'");
        Assert.Equal(asked.Scalar<string>("select current_setting('memory_limit')"), run.Scalar<string>("select current_setting('memory_limit')"));
        Assert.Equal(fresh.Scalar<string>("select current_setting('memory_limit')"), run.Scalar<string>("select current_setting('block_allocator_memory')"));
    }

    [Theory]
    [InlineData("1KB")]
    [InlineData("64MB")]
    [InlineData("0.1GB")]
    [InlineData("120MiB")]
    public void A_memory_limit_too_small_for_DuckDB_to_read_an_input_is_reported_at_its_line(string limit)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var text = fixture.Read("electionmatch.yml").Replace("engine:\n", $"engine:\n  memory_limit: {limit}\n", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", text);

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.EndsWith("electionmatch.yml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Contains("memory_limit", StringComparison.Ordinal)) + 1, diagnostic.Line);
        Assert.Contains($"'memory_limit' must be at least 128MB, got '{limit}'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("999999999TB")]
    public void A_memory_limit_too_large_for_DuckDB_to_read_is_reported_at_its_line(string limit)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var text = fixture.Read("electionmatch.yml").Replace("engine:\n", $"engine:\n  memory_limit: {limit}\n", StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", text);

        var diagnostic = Single(() => ProjectContext.Load(new ProjectOptions(fixture.Directory)));

        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.Equal(text.Split('\n').ToList().FindIndex(l => l.Contains("memory_limit", StringComparison.Ordinal)) + 1, diagnostic.Line);
        Assert.Contains($"'memory_limit' is too large, got '{limit}'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("128MB")]
    [InlineData("128MiB")]
    [InlineData("0.5gb")]
    public void A_memory_limit_of_128MB_or_more_is_accepted(string limit)
    {
        using var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").Replace("engine:\n", $"engine:\n  memory_limit: {limit}\n", StringComparison.Ordinal));

        Assert.Equal(limit, ProjectContext.Load(new ProjectOptions(fixture.Directory)).Settings.Engine.MemoryLimit);
    }

    [Fact]
    public void Without_a_memory_limit_a_run_gives_DuckDB_two_GiB_or_a_quarter_of_the_memory_and_keeps_as_much_of_its_blocks_in_memory()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var context = ProjectContext.Load(new ProjectOptions(fixture.Directory));
        Assert.Null(context.Settings.Engine.MemoryLimit);

        using var run = DuckDbWarehouse.InMemory();
        context.ApplyEngineSettings(run);
        using var expected = DuckDbWarehouse.InMemory();
        expected.Execute($"set memory_limit = '{EngineSettings.DefaultMemoryLimit(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)}'");
        Assert.Equal(expected.Scalar<string>("select current_setting('memory_limit')"), run.Scalar<string>("select current_setting('memory_limit')"));
        Assert.NotEqual(expected.Scalar<string>("select current_setting('block_allocator_memory')"), run.Scalar<string>("select current_setting('block_allocator_memory')"));
        Assert.Equal(run.Scalar<string>("select current_setting('memory_limit')"), run.Scalar<string>("select current_setting('block_allocator_memory')"));

        // 2 GiB on any machine with 8 GiB or more; a quarter of a smaller one.
        Assert.Equal("2048MiB", EngineSettings.DefaultMemoryLimit(64L << 30));
        Assert.Equal("2048MiB", EngineSettings.DefaultMemoryLimit(8L << 30));
        Assert.Equal("1024MiB", EngineSettings.DefaultMemoryLimit(4L << 30));
        // Never under the floor a set memory_limit must reach.
        Assert.Equal("128MiB", EngineSettings.DefaultMemoryLimit(256L << 20));
    }
}
