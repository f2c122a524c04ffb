using System.Text.Json;
using ElectionMatch.Checks;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests;

/// <summary>
/// The generated YAML follows the dbt version the project targets: dbt_version in electionmatch.yml, else the lower bound
/// of require-dbt-version, else the form every dbt reads. Each form is read back with PyYAML, as dbt reads it.
/// </summary>
public sealed class DbtYamlFormTests(PyYaml pyYaml) : IClassFixture<PyYaml>, IDisposable
{
    private const string StagingDirectory = "models/staging/model_predictions_source";
    private const string StableYaml = StagingDirectory + "/stg_model_predictions__candidacy_ddhq_matches.yml";
    private const string SourcesYaml = "models/staging/__sources.yaml";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private ProjectContext Load() => ProjectContext.Load(new ProjectOptions(_fixture.Directory));

    private void SetDbtVersion(string? line)
    {
        var text = _fixture.Read("electionmatch.yml");
        text = string.Join('\n', text.Split('\n').Where(l => !l.StartsWith("dbt_version:", StringComparison.Ordinal)));
        _fixture.Write("electionmatch.yml", line is null ? text : text.Replace("version: 1\n", "version: 1\n" + line + "\n", StringComparison.Ordinal));
    }

    private void AddToDbtProject(string lines) => _fixture.Write("dbt_project.yml", _fixture.Read("dbt_project.yml") + lines);

    /// <summary>The llm_confidence column's accepted_range test as PyYAML reads the stable model's YAML.</summary>
    private JsonElement AcceptedRange()
    {
        var yaml = pyYaml.LoadFile(_fixture.PathOf(StableYaml));
        var column = yaml.GetProperty("models")[0].GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "llm_confidence");
        return column.GetProperty("data_tests").EnumerateArray().Single(t => t.ValueKind == JsonValueKind.Object).GetProperty("dbt_utils.accepted_range");
    }

    private static string Arguments(JsonElement test) => $"{test.GetProperty("min_value").GetInt32()}-{test.GetProperty("max_value").GetInt32()}";

    [Fact]
    public void Without_a_version_the_generated_yaml_takes_the_form_every_dbt_reads()
    {
        var context = Load();

        Assert.Equal(DbtYamlForm.Classic, context.YamlForm);
        Assert.Equal("0-100", Arguments(AcceptedRange()));
        Assert.DoesNotContain(new CheckOperation(context).Execute(), d => d.IsError || d.Code is Codes.GeneratedFileStale or Codes.GeneratedYamlOlderThanDbt);
    }

    [Fact]
    public void Setting_dbt_version_makes_check_report_the_generated_yaml_out_of_date_and_generate_rewrite_it_in_that_versions_form()
    {
        var committed = _fixture.Read(StableYaml);
        SetDbtVersion("dbt_version: \"1.10.8\"");

        var stale = new CheckOperation(Load()).Execute();
        // Out of date, not edited by hand: the files are ElectionMatch's, and the version is a setting.
        Assert.Contains(stale, d => d.Code == Codes.GeneratedFileStale && d.File.EndsWith("stg_model_predictions__candidacy_ddhq_matches.yml", StringComparison.Ordinal));
        Assert.Contains(stale, d => d.Code == Codes.GeneratedFileStale && d.File.EndsWith("stg_model_predictions__llm_l2_br_match.yml", StringComparison.Ordinal));
        Assert.DoesNotContain(stale, d => d.IsError);

        var generate = new GenerateOperation(Load()).Execute();

        Assert.Contains(generate.Written, f => f.EndsWith("stg_model_predictions__candidacy_ddhq_matches.yml", StringComparison.Ordinal));
        Assert.Contains("          - dbt_utils.accepted_range:\n              arguments:\n                min_value: 0\n                max_value: 100\n", _fixture.Read(StableYaml), StringComparison.Ordinal);
        Assert.Equal("0-100", Arguments(AcceptedRange().GetProperty("arguments")));
        Assert.DoesNotContain(new CheckOperation(Load()).Execute(), d => d.IsError || d.Code == Codes.GeneratedFileStale);

        // And back: without the setting the files return to the form every dbt reads, byte for byte as committed.
        SetDbtVersion(null);
        Assert.Contains(new CheckOperation(Load()).Execute(), d => d.Code == Codes.GeneratedFileStale);
        new GenerateOperation(Load()).Execute();
        Assert.Equal(committed, _fixture.Read(StableYaml));
        Assert.Equal("0-100", Arguments(AcceptedRange()));
    }

    [Theory]
    [InlineData("require-dbt-version: \">=1.10.8\"", "1.10.8", true, true)]
    [InlineData("require-dbt-version: [\">=1.10.8\", \"<2.0.0\"]", "1.10.8", true, true)]
    [InlineData("require-dbt-version:\n  - \"<2.0.0\"\n  - \">=1.8.0\"", "1.8.0", false, false)]
    [InlineData("require-dbt-version: \">=1.9.0,<2.0.0\"", "1.9.0", false, false)]
    [InlineData("require-dbt-version: \">1.10.7\"", "1.10.8", true, true)]
    [InlineData("require-dbt-version: \">=1.10.5rc1\"", "1.10.5-rc1", true, false)]
    public void The_lower_bound_of_require_dbt_version_chooses_the_form_when_electionmatch_yml_names_no_version(string line, string version, bool metaInConfig, bool testArguments)
    {
        AddToDbtProject(line + "\n");

        var form = Load().YamlForm;

        Assert.Equal((DbtVersionSource.RequireDbtVersion, version, metaInConfig, testArguments), (form.Source, form.Version?.ToString(), form.MetaInConfig, form.TestArgumentsProperty));
    }

    [Fact]
    public void A_require_dbt_version_with_no_lower_bound_leaves_the_form_every_dbt_reads()
    {
        AddToDbtProject("require-dbt-version: \"<2.0.0\"\n");

        Assert.Equal(DbtYamlForm.Classic, Load().YamlForm);
    }

    [Fact]
    public void The_dbt_version_setting_wins_over_require_dbt_version()
    {
        AddToDbtProject("require-dbt-version: \">=1.10.8\"\n");
        SetDbtVersion("dbt_version: 1.9");

        var form = Load().YamlForm;

        Assert.Equal((DbtVersionSource.Setting, "1.9.0", false, false), (form.Source, form.Version?.ToString(), form.MetaInConfig, form.TestArgumentsProperty));
    }

    [Theory]
    // 1.10.5 to 1.10.7 read arguments: only with the flag on; 1.10.8 turned it on by default, and a project may turn it off.
    [InlineData("1.10.6", null, false)]
    [InlineData("1.10.6", "true", true)]
    [InlineData("1.10.4", "true", false)]
    [InlineData("1.10.8", null, true)]
    [InlineData("1.10.8", "false", false)]
    [InlineData("2.0.0", "false", true)]
    public void Test_arguments_go_under_arguments_exactly_when_that_dbt_reads_them_there(string version, string? flag, bool testArguments)
    {
        SetDbtVersion($"dbt_version: \"{version}\"");
        if (flag is not null)
        {
            AddToDbtProject($"flags:\n  require_generic_test_arguments_property: {flag}\n");
        }

        var form = Load().YamlForm;

        Assert.True(form.MetaInConfig);
        Assert.Equal(testArguments, form.TestArgumentsProperty);
    }

    [Fact]
    public void A_run_in_the_dbt_1_10_form_puts_its_sources_entrys_meta_under_config_and_check_finds_the_manifest_there()
    {
        SetDbtVersion("dbt_version: \"1.10.8\"");
        new GenerateOperation(Load()).Execute();

        new RunOperation(Load()).Execute(new RunOptions("llm_l2_br_match", new DateOnly(2026, 11, 30)));

        var text = _fixture.Read(SourcesYaml);
        Assert.Contains("      - name: llm_l2_br_match_20261130\n        description: \"llm_l2_br_match snapshot of 2026-11-30\"\n        config:\n          meta:\n            generated_by: electionmatch ", text, StringComparison.Ordinal);
        var table = pyYaml.LoadFile(_fixture.PathOf(SourcesYaml)).GetProperty("sources").EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == "model_predictions").GetProperty("tables").EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "llm_l2_br_match_20261130");
        Assert.False(table.TryGetProperty("meta", out _));
        Assert.Equal("electionmatch/manifests/llm_l2_br_match_20261130.json", table.GetProperty("config").GetProperty("meta").GetProperty("manifest").GetString());
        Assert.DoesNotContain(new CheckOperation(Load()).Execute(), d => d.IsError || d.Code == Codes.GeneratedFileStale);

        // The manifest is found under config.meta: a missing one is reported at that line, as under a top-level meta.
        File.Delete(_fixture.PathOf("electionmatch/manifests/llm_l2_br_match_20261130.json"));
        var missing = Assert.Single(new CheckOperation(Load()).Execute(), d => d.Code == Codes.ManifestMissing);
        var manifestLine = Array.FindIndex(text.Split('\n'), l => l.Contains("manifest: electionmatch/manifests/llm_l2_br_match_20261130.json", StringComparison.Ordinal)) + 1;
        Assert.Equal(manifestLine, missing.Line);
    }

    [Fact]
    public void Under_dbt_1_10_check_reports_a_generated_entrys_top_level_meta_and_generate_moves_it_under_config_changing_no_other_byte()
    {
        new RunOperation(Load()).Execute(new RunOptions("llm_l2_br_match", new DateOnly(2026, 11, 30)));
        var before = _fixture.Read(SourcesYaml);
        var start = before.IndexOf("        meta:\n          generated_by: electionmatch ", StringComparison.Ordinal);
        var end = before.IndexOf('\n', before.IndexOf("          manifest: electionmatch/manifests/llm_l2_br_match_20261130.json", start, StringComparison.Ordinal)) + 1;
        var metaLine = before[..start].Count(c => c == '\n') + 1;
        SetDbtVersion("dbt_version: \"1.10.8\"");

        var check = new CheckOperation(Load()).Execute();
        var generate = new GenerateOperation(Load()).Execute();

        var stale = Assert.Single(check, d => d.Code == Codes.GeneratedFileStale && d.File.EndsWith(SourcesYaml, StringComparison.Ordinal));
        Assert.Equal(metaLine, stale.Line);
        Assert.Contains("keeps its meta: at the top level, on which dbt 1.10 warns", stale.Message, StringComparison.Ordinal);
        Assert.Contains(generate.Written, f => f.EndsWith(SourcesYaml, StringComparison.Ordinal));
        // The entry's meta, one step deeper under config:; every other byte, the entries the user wrote (meta: external_location) too, as it was.
        var moved = "        config:\n" + string.Concat(before[start..end].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l + "\n"));
        Assert.Equal(before[..start] + moved + before[end..], _fixture.Read(SourcesYaml));
        var table = pyYaml.LoadFile(_fixture.PathOf(SourcesYaml)).GetProperty("sources").EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == "model_predictions").GetProperty("tables").EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "llm_l2_br_match_20261130");
        Assert.False(table.TryGetProperty("meta", out _));
        Assert.Equal("electionmatch/manifests/llm_l2_br_match_20261130.json", table.GetProperty("config").GetProperty("meta").GetProperty("manifest").GetString());
        Assert.DoesNotContain(new CheckOperation(Load()).Execute(), d => d.IsError || d.Code == Codes.GeneratedFileStale);
    }

    [Fact]
    public void A_run_without_a_version_writes_its_sources_entry_as_before_and_check_is_clean()
    {
        new RunOperation(Load()).Execute(new RunOptions("llm_l2_br_match", new DateOnly(2026, 11, 30)));

        Assert.Contains("      - name: llm_l2_br_match_20261130\n        description: \"llm_l2_br_match snapshot of 2026-11-30\"\n        meta:\n          generated_by: electionmatch ", _fixture.Read(SourcesYaml), StringComparison.Ordinal);
        var staging = pyYaml.LoadFile(_fixture.PathOf(StagingDirectory + "/stg_model_predictions__llm_l2_br_match_20261130.yml"));
        var confidence = staging.GetProperty("models")[0].GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "confidence");
        Assert.Equal("0-100", Arguments(confidence.GetProperty("data_tests").EnumerateArray().Single(t => t.ValueKind == JsonValueKind.Object).GetProperty("dbt_utils.accepted_range")));
        Assert.DoesNotContain(new CheckOperation(Load()).Execute(), d => d.IsError || d.Code == Codes.GeneratedFileStale);
    }

    [Theory]
    [InlineData("1.10.8", true)]
    [InlineData("1.10.0", true)]
    [InlineData("1.9.4", false)]
    public void Check_warns_when_the_dbt_that_last_built_the_project_warns_on_the_generated_form(string built, bool warns)
    {
        Directory.CreateDirectory(_fixture.PathOf("target"));
        _fixture.Write("target/manifest.json", $"{{\"metadata\": {{\"dbt_schema_version\": \"https://schemas.getdbt.com/dbt/manifest/v12.json\", \"dbt_version\": \"{built}\", \"generated_at\": \"2026-01-01T00:00:00Z\"}}, \"nodes\": {{}}}}");
        var before = _fixture.Read(StableYaml);

        var check = new CheckOperation(Load()).Execute();
        var generate = new GenerateOperation(Load()).Execute();

        // The artifact never chooses the form: generate wrote nothing new.
        Assert.Equal(before, _fixture.Read(StableYaml));
        Assert.Empty(generate.Written);
        var warnings = check.Where(d => d.Code == Codes.GeneratedYamlOlderThanDbt).ToList();
        Assert.Equal(warns, warnings.Count == 1);
        if (warns)
        {
            var warning = warnings[0];
            Assert.Equal((Severity.Warning, 1, 1), (warning.Severity, warning.Line, warning.Column));
            Assert.EndsWith("electionmatch.yml", warning.File, StringComparison.Ordinal);
            Assert.Contains($"set dbt_version: \"{built}\"", warning.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Once_dbt_version_is_set_check_no_longer_warns_about_the_dbt_that_built_the_project()
    {
        Directory.CreateDirectory(_fixture.PathOf("target"));
        _fixture.Write("target/manifest.json", "{\"metadata\": {\"dbt_version\": \"1.10.8\"}}");
        SetDbtVersion("dbt_version: \"1.10.8\"");
        new GenerateOperation(Load()).Execute();

        Assert.DoesNotContain(new CheckOperation(Load()).Execute(), d => d.Code is Codes.GeneratedYamlOlderThanDbt or Codes.GeneratedFileStale || d.IsError);
    }

    [Theory]
    [InlineData("dbt_version: \">=1.10\"", ">=1.10")]
    [InlineData("dbt_version: latest", "latest")]
    [InlineData("dbt_version: \"0.21.1\"", "0.21.1")]
    public void A_dbt_version_that_is_not_one_dbt_version_is_an_error_at_its_line(string line, string value)
    {
        SetDbtVersion(line);

        var error = Assert.Throws<DiagnosticException>(Load);

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.InvalidSetting, diagnostic.Code);
        Assert.EndsWith("electionmatch.yml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal((3, 14), (diagnostic.Line, diagnostic.Column));
        Assert.Contains($"got '{value}'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_require_dbt_version_dbt_cannot_read_is_an_error_at_its_line()
    {
        AddToDbtProject("require-dbt-version: [\">=1.8.0\", \"~> 1.10\"]\n");

        var error = Assert.Throws<DiagnosticException>(Load);

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.DbtVersionUnreadable, diagnostic.Code);
        Assert.EndsWith("dbt_project.yml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(_fixture.Read("dbt_project.yml").Split('\n').Length - 1, diagnostic.Line);
        Assert.Contains("'~> 1.10'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.10.8", 1, 10, 8, null)]
    [InlineData("1.10", 1, 10, 0, null)]
    [InlineData("1.10.0b1", 1, 10, 0, "b1")]
    [InlineData("1.11.0-rc1", 1, 11, 0, "rc1")]
    [InlineData("2.0.0-preview.45", 2, 0, 0, "preview.45")]
    public void A_dbt_version_reads_as_dbt_writes_it(string text, int major, int minor, int patch, string? prerelease)
    {
        Assert.Equal(new DbtVersion(major, minor, patch, prerelease), DbtVersion.TryParse(text));
    }

    [Fact]
    public void A_prerelease_sorts_below_its_release()
    {
        Assert.True(DbtVersion.TryParse("1.10.5rc1")! < DbtVersion.TryParse("1.10.5")!);
        Assert.True(DbtVersion.TryParse("1.10.5")! < DbtVersion.TryParse("1.10.10")!);
    }
}
