using System.Text.RegularExpressions;
using ElectionMatch.Checks;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests;

/// <summary>
/// generate decides from the project as it is once it holds the warehouse, and renders what exists: a build that
/// waited for a run, or a clone without the warehouse, must not corrupt the sources YAML or fail on a missing table.
/// </summary>
public sealed class GenerateOperationTests(PyYaml pyYaml, GenerateOperationTests.RunOf20260101 runOf20260101) : IClassFixture<PyYaml>, IClassFixture<GenerateOperationTests.RunOf20260101>, IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string SourcesYaml = "models/staging/__sources.yaml";
    private const string StagingDirectory = "models/staging/model_predictions_source";

    // As committed: several tests expect its exact snapshots, which the README's main command, run first, adds to.
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    private ProjectContext Load() => ProjectContext.Load(new ProjectOptions(_fixture.Directory));

    private int Entries(string table) => Regex.Matches(_fixture.Read(SourcesYaml), $@"- name: {table}\n").Count;

    [Fact]
    public void A_run_keeps_the_byte_order_mark_of_the_sources_file()
    {
        var original = _fixture.Read(SourcesYaml);
        File.WriteAllText(_fixture.PathOf(SourcesYaml), original, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        new RunOperation(Load()).Execute(new RunOptions("llm_l2_br_match", new DateOnly(2026, 11, 30)));

        var bytes = File.ReadAllBytes(_fixture.PathOf(SourcesYaml));
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.StartsWith(original, System.Text.Encoding.UTF8.GetString(bytes[3..]), StringComparison.Ordinal);
        Assert.Equal(1, Entries("llm_l2_br_match_20261130"));
    }

    [Fact]
    public void A_snapshot_source_split_across_two_files_is_read_as_dbt_reads_it_and_the_sources_file_gains_the_entry()
    {
        // dbt adds up the tables of a source declared in several files; the llm tables move to a file of their own.
        var text = _fixture.Read(SourcesYaml);
        var split = text.IndexOf("      - name: llm_l2_br_match_20250806", StringComparison.Ordinal);
        _fixture.Write(SourcesYaml, text[..split]);
        _fixture.Write("models/staging/_llm_predictions.yml", "version: 2\nsources:\n  - name: model_predictions\n    schema: model_predictions\n    tables:\n" + text[split..]);

        var context = Load();
        Assert.Equal(
            ["candidacy_ddhq_matches_20251016", "candidacy_ddhq_matches_20251112", "llm_l2_br_match_20250806", "llm_l2_br_match_20250811"],
            context.Sources.TablesOf("model_predictions").Select(t => t.Name).Order(StringComparer.Ordinal));
        new RunOperation(context).Execute(new RunOptions("llm_l2_br_match", new DateOnly(2026, 11, 30)));

        Assert.Equal(1, Entries("llm_l2_br_match_20261130"));
        Assert.DoesNotContain("20261130", _fixture.Read("models/staging/_llm_predictions.yml"), StringComparison.Ordinal);
        Assert.DoesNotContain(new CheckOperation(Load()).Execute(), d => d.IsError);
    }

    [Theory]
    [InlineData("    tables: [&first {name: candidacy_ddhq_matches_20251016}, {name: llm_l2_br_match_20250811}]\n")]
    [InlineData("    tables:\n")]
    public void A_sources_entry_the_run_cannot_add_stops_it_before_it_publishes(string tables)
    {
        var text = _fixture.Read(SourcesYaml);
        _fixture.Write(SourcesYaml, text[..text.IndexOf("    tables:\n      - name: candidacy_ddhq_matches_20251016", StringComparison.Ordinal)] + tables);
        var date = new DateOnly(2026, 11, 30);

        var error = Assert.Throws<DiagnosticException>(() => new RunOperation(Load()).Execute(new RunOptions("llm_l2_br_match", date)));

        Assert.Equal(Codes.YamlShape, Assert.Single(error.Diagnostics).Code);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/llm_l2_br_match_20261130.json")));
        // Nothing was published: with the list back, the same run needs no --replace and leaves no interrupted run.
        _fixture.Write(SourcesYaml, text);
        new RunOperation(Load()).Execute(new RunOptions("llm_l2_br_match", date));
        Assert.DoesNotContain(new CheckOperation(Load()).Execute(), d => d.IsError);
    }

    [Fact]
    public void A_run_rewrites_a_flow_style_tables_list_in_block_style_keeping_the_byte_order_mark_and_the_tables_as_dbt_reads_them()
    {
        // The fixture's snapshot tables as one flow list over several lines, nested meta and comments included.
        var text = _fixture.Read(SourcesYaml);
        var start = text.IndexOf("    tables:\n      - name: candidacy_ddhq_matches_20251016", StringComparison.Ordinal);
        const string flow = """
                tables: [  # loaded by hand
                  {name: candidacy_ddhq_matches_20251016, meta: {external_location: "data/model_predictions/candidacy_ddhq_matches_20251016.csv"}},
                  {name: 'candidacy_ddhq_matches_20251112',
                   meta: {external_location: 'data/model_predictions/candidacy_ddhq_matches_20251112.csv'}},  # the one marts read today
                  {name: llm_l2_br_match_20250806, meta: {external_location: data/model_predictions/llm_l2_br_match_20250806.csv}},
                  {name: llm_l2_br_match_20250811, meta: {external_location: data/model_predictions/llm_l2_br_match_20250811.csv}}
                ]

            """;
        var head = text[..start];
        File.WriteAllText(_fixture.PathOf(SourcesYaml), head + flow, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        var before = pyYaml.LoadFile(_fixture.PathOf(SourcesYaml)).GetProperty("sources")[3].GetProperty("tables").EnumerateArray().Select(t => t.ToString()).ToList();

        new RunOperation(Load()).Execute(new RunOptions("llm_l2_br_match", new DateOnly(2026, 11, 30)));

        var bytes = File.ReadAllBytes(_fixture.PathOf(SourcesYaml));
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var updated = System.Text.Encoding.UTF8.GetString(bytes[3..]);
        Assert.StartsWith(head + "    tables:  # loaded by hand\n      - {name: candidacy_ddhq_matches_20251016, meta:", updated, StringComparison.Ordinal);
        Assert.Contains("      - {name: llm_l2_br_match_20250811, meta: {external_location: data/model_predictions/llm_l2_br_match_20250811.csv}}\n      - name: llm_l2_br_match_20261130\n", updated, StringComparison.Ordinal);
        var after = pyYaml.LoadFile(_fixture.PathOf(SourcesYaml)).GetProperty("sources")[3].GetProperty("tables").EnumerateArray().ToList();
        Assert.Equal(before, after.SkipLast(1).Select(t => t.ToString()));
        Assert.Equal("llm_l2_br_match_20261130", after[^1].GetProperty("name").GetString());

        // A second pass adds nothing: generate leaves the rewritten file as it is, and check finds it whole.
        var generate = new GenerateOperation(Load()).Execute();
        Assert.DoesNotContain(_fixture.PathOf(SourcesYaml), generate.Written.Select(Path.GetFullPath));
        Assert.Equal(bytes, File.ReadAllBytes(_fixture.PathOf(SourcesYaml)));
        Assert.DoesNotContain(new CheckOperation(Load()).Execute(), d => d.IsError);
    }

    [Fact]
    public void Check_warns_of_a_dated_staging_model_read_inside_a_macro_call_or_a_statement_but_not_in_a_Jinja_comment()
    {
        const string dated = "stg_model_predictions__candidacy_ddhq_matches_20251112";
        _fixture.Write("models/marts/m_nested.sql", string.Join('\n',
            $"{{% set rows = ref('{dated}') %}}",
            $"select {{{{ dbt_utils.star(from=ref('{dated}')) }}}}",
            $"from {{{{ ref('{dated}') }}}} {{# ref('{dated}') #}}",
            ""));

        var warnings = new CheckOperation(Load()).Execute()
            .Where(d => d.Code == Codes.ReferenceToDatedStagingModel && d.File.EndsWith("m_nested.sql", StringComparison.Ordinal))
            .Select(d => (d.Line, d.Column));

        Assert.Equal([(1, 15), (2, 31), (3, 9)], warnings);
    }

    [Fact]
    public void A_table_declared_in_two_files_of_one_source_is_an_error_naming_the_other_file()
    {
        _fixture.Write("models/staging/_again.yml", "version: 2\nsources:\n  - name: model_predictions\n    tables:\n      - name: llm_l2_br_match_20250811\n");

        var error = Assert.Throws<DiagnosticException>(Load);

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.YamlShape, diagnostic.Code);
        Assert.Contains("table 'llm_l2_br_match_20250811' of source 'model_predictions' is also declared in", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("__sources.yaml", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_generate_that_loaded_the_project_before_a_run_finished_does_not_add_the_runs_entry_again()
    {
        // As `dotnet build` during `-t:ElectionMatchRun`: the build read the project, then waited for the run's lock.
        var loadedBefore = Load();
        runOf20260101.WriteOver(_fixture);
        Assert.Equal(1, Entries(Match + "_20260101"));

        var result = new GenerateOperation(loadedBefore).Execute();

        Assert.Equal(1, Entries(Match + "_20260101"));
        Assert.DoesNotContain(_fixture.PathOf(SourcesYaml), result.Written.Select(Path.GetFullPath));
        Assert.DoesNotContain(new CheckOperation(Load()).Execute(), d => d.IsError);
    }

    [Fact]
    public void A_check_that_loaded_the_project_before_a_run_finished_sees_the_runs_entry()
    {
        var loadedBefore = Load();
        runOf20260101.WriteOver(_fixture);

        Assert.DoesNotContain(new CheckOperation(loadedBefore).Execute(), d => d.IsError);
    }

    [Fact]
    public void In_a_clone_without_the_warehouse_generate_skips_a_declared_snapshot_and_check_reports_its_table_missing()
    {
        using var fixture = runOf20260101.Copy();
        var context = () => ProjectContext.Load(new ProjectOptions(fixture.Directory));
        // A teammate's clone: the run's sources entry and staging files are committed, its warehouse is not.
        File.Delete(fixture.WarehousePath);
        var staging = Directory.EnumerateFiles(fixture.Directory, "*_20260101.*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);

        var result = new GenerateOperation(context()).Execute();
        var check = new CheckOperation(context()).Execute();

        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        Assert.All(staging, f => Assert.Equal(f.Value, File.ReadAllText(f.Key)));
        var missing = Assert.Single(check, d => d.Code == Codes.SnapshotTableMissing && d.Message.Contains(Match + "_20260101", StringComparison.Ordinal));
        Assert.EndsWith("__sources.yaml", missing.File, StringComparison.Ordinal);
    }

    [Fact]
    public void In_a_clone_without_the_warehouse_check_reports_a_hand_edited_staging_model_at_its_first_line()
    {
        using var fixture = runOf20260101.Copy();
        var staging = $"{StagingDirectory}/stg_model_predictions__{Match}_20260101.sql";
        fixture.Replace(staging, "            embedding_text,\n", "            embedding_text as my_text,\n");
        File.Delete(fixture.WarehousePath);

        var check = new CheckOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute();

        // Before, the missing table (EM0101) hid it: the header's hash tells an edit without the warehouse, though not
        // where it is (there are no columns to render from).
        var edited = Assert.Single(check, d => d.Code == Codes.GeneratedFileEdited);
        Assert.Equal((Path.GetFullPath(fixture.PathOf(staging)), 1), (Path.GetFullPath(edited.File), edited.Line));
    }

    [Fact]
    public void In_a_clone_without_the_warehouse_verify_reports_a_manifest_that_the_sources_entry_names_and_that_is_missing()
    {
        using var fixture = runOf20260101.Copy();
        const string manifest = $"electionmatch/manifests/{Match}_20260101.json";
        File.Delete(fixture.PathOf(manifest));
        File.Delete(fixture.WarehousePath);

        var verify = new VerifyOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute();

        // Before, only the warehouse's snapshot log could say the manifest was written; a clone has the entry generate wrote.
        var missing = Assert.Single(verify, d => d.Code == Codes.ManifestMissing);
        var line = Array.FindIndex(fixture.Read(SourcesYaml).Split('\n'), l => l.EndsWith("manifest: " + manifest, StringComparison.Ordinal)) + 1;
        Assert.Equal((Path.GetFullPath(fixture.PathOf(SourcesYaml)), line), (Path.GetFullPath(missing.File), missing.Line));
        Assert.Contains($"{Match}_20260101 is missing", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_fails_when_the_stable_models_yaml_is_missing_and_generate_writes_it_again()
    {
        using var fixture = runOf20260101.Copy();
        var context = () => ProjectContext.Load(new ProjectOptions(fixture.Directory));
        var stableSql = fixture.PathOf($"{StagingDirectory}/stg_model_predictions__{Match}.sql");
        var stableYaml = Path.ChangeExtension(stableSql, ".yml");
        var yaml = File.ReadAllText(stableYaml);
        File.Delete(stableYaml);

        var check = new CheckOperation(context()).Execute();
        var generate = new GenerateOperation(context()).Execute();

        // Reported at the stable model's SQL, naming the missing YAML; as a dated model's missing YAML is an error (EM0100).
        var error = Assert.Single(check, d => d.IsError);
        Assert.Equal(Codes.StagingModelMissing, error.Code);
        Assert.Equal((Path.GetFullPath(stableSql), 1, 1), (Path.GetFullPath(error.File), error.Line, error.Column));
        Assert.Contains($"stg_model_predictions__{Match}.yml; run `electionmatch generate`", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(generate.Diagnostics, d => d.IsError);
        Assert.Equal(yaml, File.ReadAllText(stableYaml));
        Assert.DoesNotContain(new CheckOperation(context()).Execute(), d => d.IsError);
    }

    [Fact]
    public void Generate_points_at_the_newest_staging_model_when_it_does_not_run_and_the_stable_model_cannot_follow_it()
    {
        using var fixture = runOf20260101.Copy();
        var context = () => ProjectContext.Load(new ProjectOptions(fixture.Directory));
        // The newest snapshot's staging model, replaced by a hand-written one (no header: generate leaves it alone) that does not run.
        var staging = fixture.PathOf($"{StagingDirectory}/stg_model_predictions__{Match}_20260101.sql");
        File.WriteAllText(staging, "select no_such_column from {{ source('model_predictions', 'candidacy_ddhq_matches_20260101') }}\n");

        var generate = new GenerateOperation(context()).Execute();

        var warning = Assert.Single(generate.Diagnostics, d => d.Code == Codes.GeneratedFileStale);
        // Before, the stable model's path with no line; it is the staging model that must be fixed.
        Assert.Equal((Path.GetFullPath(staging), 1, 1), (Path.GetFullPath(warning.File), warning.Line, warning.Column));
        Assert.Contains($"stg_model_predictions__{Match}_20260101 does not run", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_does_not_write_the_stable_models_yaml_from_a_staging_model_edit_it_refuses()
    {
        using var fixture = runOf20260101.Copy();
        var context = () => ProjectContext.Load(new ProjectOptions(fixture.Directory));
        var staging = $"{StagingDirectory}/stg_model_predictions__{Match}_20260101.sql";
        var stableYaml = fixture.PathOf($"{StagingDirectory}/stg_model_predictions__{Match}.yml");
        var yaml = File.ReadAllText(stableYaml);
        fixture.Replace(staging, "            embedding_text,\n", "            embedding_text as my_text,\n");

        var generate = new GenerateOperation(context()).Execute();
        var check = new CheckOperation(context()).Execute();

        var edited = Assert.Single(generate.Diagnostics, d => d.IsError);
        Assert.Equal(Codes.GeneratedFileEdited, edited.Code);
        Assert.Equal(Path.GetFullPath(fixture.PathOf(staging)), Path.GetFullPath(edited.File));
        // Before, generate declared my_text in the stable model's YAML (losing embedding_text's description) and then
        // refused the edit it had just followed.
        Assert.Equal(yaml, File.ReadAllText(stableYaml));
        // check compares the stable YAML with the same render, so it does not call it out of date either.
        Assert.DoesNotContain(check, d => d.Code == Codes.GeneratedFileStale && Path.GetFullPath(d.File) == Path.GetFullPath(stableYaml));
    }

    [Fact]
    public void Check_reports_a_generated_sources_entry_without_its_manifest_line_and_generate_puts_it_back()
    {
        using var fixture = runOf20260101.Copy();
        var context = () => ProjectContext.Load(new ProjectOptions(fixture.Directory));
        var original = fixture.Read(SourcesYaml);
        const string line = $"manifest: electionmatch/manifests/{Match}_20260101.json";
        Assert.Contains(line, original, StringComparison.Ordinal);
        fixture.Write(SourcesYaml, string.Join('\n', original.Split('\n').Where(l => !l.EndsWith(line, StringComparison.Ordinal))));
        var entryLine = Array.FindIndex(original.Split('\n'), l => l.EndsWith($"- name: {Match}_20260101", StringComparison.Ordinal)) + 1;

        var check = new CheckOperation(context()).Execute();
        var generate = new GenerateOperation(context()).Execute();

        // Before, check passed and generate left the entry without the line, so deleting the manifest went unnoticed
        // where the warehouse is not (EM0607 finds the manifest by this line).
        var error = Assert.Single(check, d => d.IsError);
        Assert.Equal((Codes.GeneratedFileEdited, Path.GetFullPath(fixture.PathOf(SourcesYaml)), entryLine), (error.Code, Path.GetFullPath(error.File), error.Line));
        Assert.Contains($"does not name its manifest electionmatch/manifests/{Match}_20260101.json", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(generate.Diagnostics, d => d.IsError);
        Assert.Equal(original, fixture.Read(SourcesYaml));
        Assert.DoesNotContain(new CheckOperation(context()).Execute(), d => d.IsError);
    }

    [Fact]
    public void In_a_clone_without_the_warehouse_check_reports_a_generated_sources_entry_without_its_manifest_line()
    {
        using var fixture = runOf20260101.Copy();
        const string line = $"manifest: electionmatch/manifests/{Match}_20260101.json";
        fixture.Write(SourcesYaml, string.Join('\n', fixture.Read(SourcesYaml).Split('\n').Where(l => !l.EndsWith(line, StringComparison.Ordinal))));
        File.Delete(fixture.WarehousePath);

        var check = new CheckOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute();

        Assert.Single(check, d => d.Code == Codes.GeneratedFileEdited && d.Message.Contains($"{Match}_20260101 does not name its manifest", StringComparison.Ordinal));
    }

    /// <summary>
    /// The committed fixture after a run of the match on 2026-01-01, made once for the class when a test first asks:
    /// the tests start from it, each on its own copy, or have it written over their copy of the committed fixture as
    /// if the run had happened there (the run's files name no folder of their own, as the copies' checks prove).
    /// </summary>
    public sealed class RunOf20260101 : IDisposable
    {
        private readonly Lazy<FixtureCopy> _fixture = new(() =>
        {
            var fixture = FixtureCopy.Of("goodparty");
            new RunOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute(new RunOptions(Match, new DateOnly(2026, 1, 1)));
            return fixture;
        });

        public FixtureCopy Copy() => _fixture.Value.Clone();

        /// <summary>Writes every file the run left (its warehouse, manifest, staging files and sources YAML) over <paramref name="committed"/>, a copy of the committed fixture.</summary>
        public void WriteOver(FixtureCopy committed) => FixtureCopy.CopyFiles(_fixture.Value.Directory, committed.Directory, overwrite: true);

        public void Dispose()
        {
            if (_fixture.IsValueCreated)
            {
                _fixture.Value.Dispose();
            }
        }
    }
}
