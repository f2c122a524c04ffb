using System.Text.Json;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

public sealed class SourcesFileEditorTests(PyYaml pyYaml) : IClassFixture<PyYaml>
{
    private const string Sources = """
        version: 2

        sources:
          # Raw syncs
          - name: airbyte_source
            tables:
              - name: hubspot_api_candidacy   # the CRM
                meta: {external_location: 'data/x.csv'}

          - name: model_predictions
            schema: model_predictions
            tables:
              # Loaded by hand, 2025-10-16
              - name: candidacy_ddhq_matches_20251016
                description: 'first upload'

              - name: "candidacy_ddhq_matches_20251112"
                columns:
                  - name: gp_candidacy_id

        # trailing comment about the file
        """;

    private const string Entry = "- name: candidacy_ddhq_matches_20261123\n  description: \"new\"\n";

    [Fact]
    public void A_generated_entrys_top_level_meta_moves_under_config_crlf_kept_and_an_entry_the_user_wrote_is_never_moved()
    {
        const string text = "sources:\r\n  - name: model_predictions\r\n    tables:\r\n      - name: mine\r\n        meta:\r\n          owner: ana\r\n"
            + "      - name: generated_no_config\r\n        meta:\r\n          generated_by: electionmatch 1.0\r\n          # kept with it\r\n          manifest: m1.json\r\n        columns:\r\n          - name: id\r\n"
            + "      - name: generated_with_config\r\n        meta:\r\n            generated_by: electionmatch 1.0\r\n        config:\r\n          tags: [x]\r\n      - name: last\r\n";

        var once = SourcesFileEditor.MoveMetaUnderConfig(text, "s.yml", "model_predictions", "generated_no_config")!;
        var twice = SourcesFileEditor.MoveMetaUnderConfig(once, "s.yml", "model_predictions", "generated_with_config")!;

        Assert.Equal(text.Replace("        meta:\r\n          generated_by: electionmatch 1.0\r\n          # kept with it\r\n          manifest: m1.json\r\n",
            "        config:\r\n          meta:\r\n            generated_by: electionmatch 1.0\r\n            # kept with it\r\n            manifest: m1.json\r\n", StringComparison.Ordinal), once);
        Assert.Equal(once.Replace("        meta:\r\n            generated_by: electionmatch 1.0\r\n        config:\r\n          tags: [x]\r\n",
            "        config:\r\n          tags: [x]\r\n          meta:\r\n              generated_by: electionmatch 1.0\r\n", StringComparison.Ordinal), twice);
        Assert.Null(SourcesFileEditor.MoveMetaUnderConfig(twice, "s.yml", "model_predictions", "mine"));
        Assert.Null(SourcesFileEditor.MoveMetaUnderConfig(twice, "s.yml", "model_predictions", "generated_no_config"));
        var tables = pyYaml.Load(twice).GetProperty("sources")[0].GetProperty("tables");
        Assert.Equal("m1.json", tables[1].GetProperty("config").GetProperty("meta").GetProperty("manifest").GetString());
        Assert.Equal("x", tables[2].GetProperty("config").GetProperty("tags")[0].GetString());
        Assert.Equal("electionmatch 1.0", tables[2].GetProperty("config").GetProperty("meta").GetProperty("generated_by").GetString());
    }

    [Fact]
    public void Adding_a_table_keeps_merge_keys_and_anchors_elsewhere_in_the_file_and_dbt_still_reads_them()
    {
        const string text = "x-defaults: &csv\n  meta: {external_location: 'data/x.csv'}\n\nsources:\n  - name: airbyte_source\n    tables:\n      - name: a\n        <<: *csv\n"
            + "  - name: model_predictions\n    <<: {schema: model_predictions}\n    tables:\n      - name: m_20250101\n        <<: *csv\n";

        var updated = SourcesFileEditor.AddTable(text, "s.yml", "model_predictions", Entry);

        Assert.Equal(text + "      - name: candidacy_ddhq_matches_20261123\n        description: \"new\"\n", updated);
        var sources = pyYaml.Load(updated).GetProperty("sources");
        Assert.Equal("data/x.csv", sources[0].GetProperty("tables")[0].GetProperty("meta").GetProperty("external_location").GetString());
        Assert.Equal("model_predictions", sources[1].GetProperty("schema").GetString());
        Assert.Equal(2, sources[1].GetProperty("tables").GetArrayLength());
    }

    [Fact]
    public void A_snapshot_source_whose_tables_come_from_an_anchor_elsewhere_is_refused_at_the_source_instead_of_edited_there()
    {
        // The text after the anchor's last table is another source's: an entry written there would be that source's.
        const string text = "sources:\n  - &shared\n    name: airbyte_source\n    tables:\n      - name: a\n  - name: other\n    tables:\n      - name: b\n"
            + "  - <<: *shared\n    name: model_predictions\n";

        var e = Assert.Throws<DiagnosticException>(() => SourcesFileEditor.AddTable(text, "s.yml", "model_predictions", Entry));

        var diagnostic = Assert.Single(e.Diagnostics);
        Assert.Equal((Codes.YamlShape, 9), (diagnostic.Code, diagnostic.Line));
        Assert.Contains("takes its 'tables:' from an anchor written elsewhere", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_a_table_that_holds_an_anchor_used_elsewhere_is_refused_instead_of_breaking_the_file()
    {
        const string text = "sources:\n  - name: model_predictions\n    tables:\n      - name: m_20250101\n        meta: &m {external_location: 'data/x.csv'}\n"
            + "      - name: m_20250202\n        meta: *m\n";

        var e = Assert.Throws<DiagnosticException>(() => SourcesFileEditor.RemoveTable(text, "s.yml", "model_predictions", "m_20250101"));

        Assert.Equal((Codes.YamlShape, 4), (e.Diagnostics[0].Code, e.Diagnostics[0].Line));
        Assert.Contains("holds a YAML anchor used elsewhere", e.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# snapshots published by electionmatch\n")]
    [InlineData("# no final newline")]
    public void An_empty_sources_file_declares_nothing_and_gets_the_source_list_as_dbt_reads_it(string text)
    {
        // Before, "the file is empty; expected a mapping" (EM0002) at run, while check passed.
        Assert.False(SourcesFileEditor.DeclaresSource(text, "s.yml", "model_predictions"));

        var updated = SourcesFileEditor.AddSource(text, "s.yml", "- name: model_predictions\n  tables:\n  " + Entry);

        Assert.StartsWith(text, updated, StringComparison.Ordinal);
        var source = pyYaml.Load(updated).GetProperty("sources")[0];
        Assert.Equal("model_predictions", source.GetProperty("name").GetString());
        Assert.Equal("candidacy_ddhq_matches_20261123", source.GetProperty("tables")[0].GetProperty("name").GetString());
        Assert.True(SourcesFileEditor.DeclaresSource(updated, "s.yml", "model_predictions"));
    }

    [Fact]
    public void Adding_a_table_changes_no_other_byte_of_the_file()
    {
        var updated = SourcesFileEditor.AddTable(Sources, "__sources.yaml", "model_predictions", Entry);

        var inserted = "      - name: candidacy_ddhq_matches_20261123\n        description: \"new\"\n";
        var at = updated.IndexOf(inserted, StringComparison.Ordinal);
        Assert.True(at > 0, updated);
        Assert.Equal(Sources, updated.Remove(at, inserted.Length));
        // Directly after the last table's last line, before the blank line and the trailing comment.
        Assert.EndsWith("- name: gp_candidacy_id\n" + inserted + "\n# trailing comment about the file", updated);
    }

    [Fact]
    public void A_new_table_goes_after_the_comments_that_trail_the_last_table_indented_under_it_and_removing_it_keeps_them()
    {
        const string text = "sources:\n  - name: s\n    tables:\n      - name: a\n      - name: b\n        meta: {x: 1}\n        # TODO(ana): tests for b\n\n          # and more about b\n      # about the next table\n  # about the next source\n";

        var added = SourcesFileEditor.AddTable(text, "__sources.yaml", "s", "- name: c\n");
        var removed = SourcesFileEditor.RemoveTable(added, "__sources.yaml", "s", "c");

        Assert.Equal(text.Replace("          # and more about b\n", "          # and more about b\n      - name: c\n", StringComparison.Ordinal), added);
        Assert.Equal(text, removed);
    }

    [Fact]
    public void Removing_a_table_takes_its_lines_and_comments_inside_it_and_changes_no_other_byte()
    {
        var updated = SourcesFileEditor.RemoveTable(Sources, "__sources.yaml", "model_predictions", "candidacy_ddhq_matches_20251112");

        Assert.Equal(Sources.Replace("      - name: \"candidacy_ddhq_matches_20251112\"\n        columns:\n          - name: gp_candidacy_id\n", "", StringComparison.Ordinal), updated);
    }

    [Fact]
    public void Removing_a_table_whose_dash_stands_alone_keeps_crlf_and_the_rest()
    {
        var text = "sources:\r\n  - name: s\r\n    tables:\r\n      -\r\n        name: a   # old\r\n        description: x\r\n      - name: b\r\n";

        var updated = SourcesFileEditor.RemoveTable(text, "__sources.yaml", "s", "a");

        Assert.Equal("sources:\r\n  - name: s\r\n    tables:\r\n      - name: b\r\n", updated);
        Assert.Null(SourcesFileEditor.RemoveTable(text, "__sources.yaml", "s", "c"));
    }

    [Fact]
    public void Removing_the_only_table_of_a_source_is_refused_at_it()
    {
        var text = "sources:\n  - name: s\n    tables:\n      - name: a\n";

        var error = Assert.Throws<DiagnosticException>(() => SourcesFileEditor.RemoveTable(text, "__sources.yaml", "s", "a"));

        Assert.Equal(Codes.YamlShape, Assert.Single(error.Diagnostics).Code);
        Assert.Equal(4, error.Diagnostics[0].Line);
    }

    [Fact]
    public void The_added_table_is_read_back_in_the_right_source()
    {
        var updated = SourcesFileEditor.AddTable(Sources, "__sources.yaml", "model_predictions", Entry);
        var yaml = YamlFile.Parse("__sources.yaml", updated).RootMap();

        var source = yaml.MapList("sources").Single(s => s.String("name") == "model_predictions");
        Assert.Equal(
            ["candidacy_ddhq_matches_20251016", "candidacy_ddhq_matches_20251112", "candidacy_ddhq_matches_20261123"],
            source.MapList("tables").Select(t => t.String("name")));
    }

    [Fact]
    public void Windows_line_endings_are_kept()
    {
        var crlf = Sources.Replace("\n", "\r\n", StringComparison.Ordinal);
        var updated = SourcesFileEditor.AddTable(crlf, "__sources.yaml", "model_predictions", Entry);

        Assert.DoesNotContain("\n", updated.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("      - name: candidacy_ddhq_matches_20261123\r\n", updated, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_a_final_newline_gets_the_entry_on_its_own_line()
    {
        var text = "sources:\n  - name: model_predictions\n    tables:\n      - name: a_20250101";
        var updated = SourcesFileEditor.AddTable(text, "s.yml", "model_predictions", Entry);

        Assert.Equal(text + "\n      - name: candidacy_ddhq_matches_20261123\n        description: \"new\"\n", updated);
    }

    [Fact]
    public void A_missing_source_is_reported_at_the_sources_list()
    {
        var error = Assert.Throws<DiagnosticException>(() => SourcesFileEditor.AddTable(Sources, "__sources.yaml", "nope", Entry));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.SourceNotFound, diagnostic.Code);
        Assert.Equal(5, diagnostic.Line);
    }

    [Fact]
    public void A_new_source_is_appended_after_the_last_source()
    {
        var text = "sources:\n  - name: airbyte_source\n    tables:\n      - name: t\n# end\n";
        var updated = SourcesFileEditor.AddSource(text, "s.yml", "- name: model_predictions\n  tables:\n    - name: x_20260101\n");

        Assert.Equal("sources:\n  - name: airbyte_source\n    tables:\n      - name: t\n  - name: model_predictions\n    tables:\n      - name: x_20260101\n# end\n", updated);
        Assert.True(SourcesFileEditor.DeclaresSource(updated, "s.yml", "model_predictions"));
    }

    private const string FlowHead = "version: 2\n\nsources:\n  - name: model_predictions\n    schema: model_predictions  # published here\n";

    private const string FlowTail = "\n  - name: other\n    tables:\n      - name: t\n# end of file\n";

    /// <summary>The tables of the model_predictions source as PyYAML (dbt's parser) reads the text: each table's JSON.</summary>
    private List<string> TablesAsDbtReadsThem(string text) =>
        pyYaml.Load(text).GetProperty("sources").EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == "model_predictions")
            .GetProperty("tables").EnumerateArray().Select(t => JsonSerializer.Serialize(t)).ToList();

    private const string NewTable = "{\"name\":\"candidacy_ddhq_matches_20261123\",\"description\":\"new\"}";

    [Theory]
    [InlineData("    tables: []\n", "    tables:\n")]
    [InlineData("    tables: [{name: x}]\n", "    tables:\n      - {name: x}\n")]
    [InlineData("    tables: [ {name: 'x'} , {name: \"y\", description: 'a, b'} ]   # two\n", "    tables:   # two\n      - {name: 'x'}\n      - {name: \"y\", description: 'a, b'}\n")]
    public void A_flow_style_tables_list_is_rewritten_in_block_style_keeping_its_tables_and_the_entry_added(string tables, string block)
    {
        var text = FlowHead + tables + FlowTail;
        var before = TablesAsDbtReadsThem(text);

        var updated = SourcesFileEditor.AddTable(text, "__sources.yaml", "model_predictions", Entry);

        Assert.Equal(FlowHead + block + "      - name: candidacy_ddhq_matches_20261123\n        description: \"new\"\n" + FlowTail, updated);
        Assert.Equal([.. before, NewTable], TablesAsDbtReadsThem(updated));
    }

    [Fact]
    public void A_flow_list_over_several_lines_keeps_its_comments_in_place()
    {
        const string tables = """
                tables: [  # loaded by hand
                  # the first upload
                  {name: a_20251016,
                     description: "first, by hand"},  # superseded
                  {name: b_20251112},
                  # the last one
                ]
                          
            """;
        var text = FlowHead + tables + FlowTail;

        var updated = SourcesFileEditor.AddTable(text, "__sources.yaml", "model_predictions", Entry);

        const string expected = """
                tables:  # loaded by hand
                  # the first upload
                  - {name: a_20251016,
                      description: "first, by hand"}  # superseded
                  - {name: b_20251112}
                  # the last one
                  - name: candidacy_ddhq_matches_20261123
                    description: "new"
                          
            """;
        Assert.Equal(FlowHead + expected + FlowTail, updated);
        Assert.Equal(
            ["{\"name\":\"a_20251016\",\"description\":\"first, by hand\"}", "{\"name\":\"b_20251112\"}", NewTable],
            TablesAsDbtReadsThem(updated));
    }

    [Fact]
    public void A_flow_list_with_nested_columns_and_meta_keeps_them()
    {
        var text = FlowHead + "    tables: [{name: a, meta: {external_location: 'data/a.csv'}, columns: [{name: id, data_tests: [not_null]}, {name: b}]},\n      {name: c}]\n" + FlowTail;
        var before = TablesAsDbtReadsThem(text);

        var updated = SourcesFileEditor.AddTable(text, "__sources.yaml", "model_predictions", Entry);

        Assert.Contains("      - {name: a, meta: {external_location: 'data/a.csv'}, columns: [{name: id, data_tests: [not_null]}, {name: b}]}\n      - {name: c}\n", updated, StringComparison.Ordinal);
        Assert.Equal([.. before, NewTable], TablesAsDbtReadsThem(updated));
        // The next snapshot is added to the block list as to any other.
        var again = SourcesFileEditor.AddTable(updated, "__sources.yaml", "model_predictions", "- name: candidacy_ddhq_matches_20261124\n");
        Assert.Equal(updated.Replace(FlowTail, "      - name: candidacy_ddhq_matches_20261124\n" + FlowTail, StringComparison.Ordinal), again);
    }

    [Fact]
    public void A_flow_list_in_a_file_with_windows_line_endings_keeps_them()
    {
        var text = (FlowHead + "    tables: [\n      {name: a},\n      {name: b}\n    ]\n" + FlowTail).Replace("\n", "\r\n", StringComparison.Ordinal);

        var updated = SourcesFileEditor.AddTable(text, "__sources.yaml", "model_predictions", Entry);

        Assert.Equal((FlowHead + "    tables:\n      - {name: a}\n      - {name: b}\n      - name: candidacy_ddhq_matches_20261123\n        description: \"new\"\n" + FlowTail).Replace("\n", "\r\n", StringComparison.Ordinal), updated);
        Assert.Equal(3, TablesAsDbtReadsThem(updated).Count);
    }

    [Theory]
    [InlineData("    tables: [&first {name: a}, {name: b}]\n")]
    [InlineData("    tables: [{name: a, meta: &m {k: v}}, {name: b, meta: *m}]\n")]
    public void A_flow_list_holding_an_anchor_or_alias_is_refused_at_its_line(string tables)
    {
        var text = FlowHead + tables + FlowTail;

        var error = Assert.Throws<DiagnosticException>(() => SourcesFileEditor.AddTable(text, "__sources.yaml", "model_predictions", Entry));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal((Codes.YamlShape, 6), (diagnostic.Code, diagnostic.Line));
        Assert.Contains("anchor or alias", diagnostic.Message, StringComparison.Ordinal);
    }

    private const string AnchoredHead = "version: 2\n\nsources:\n  - name: defaults\n    meta: &shared {owner: data, description: shared}\n    config: {meta: &other {layer: raw}}\n    tables: [{name: d}]\n  - name: model_predictions\n";

    [Theory]
    [InlineData("    tables: [{name: a, <<: *shared}, {name: b}]\n", "      - {name: a, <<: *shared}\n      - {name: b}\n")]
    [InlineData("    tables: [{name: a}, {<<: *shared, name: b}]  # merged\n", "    tables:  # merged\n      - {name: a}\n      - {<<: *shared, name: b}\n")]
    [InlineData("    tables: [{name: a}, {name: b, <<: [*shared, *other]}]\n", "      - {name: a}\n      - {name: b, <<: [*shared, *other]}\n")]
    [InlineData("    tables: [\n      {name: a},\n      {name: b,\n        <<: *shared}\n    ]\n", "      - {name: a}\n      - {name: b,\n          <<: *shared}\n")]
    [InlineData("    tables: [{name: a, meta: *other}, {name: b}]\n", "      - {name: a, meta: *other}\n      - {name: b}\n")]
    public void A_flow_list_entry_with_a_merge_key_of_an_anchor_written_before_the_list_keeps_it_on_its_entry(string tables, string items)
    {
        var text = AnchoredHead + tables + FlowTail;
        var before = TablesAsDbtReadsThem(text);
        // dbt reads the merged keys (or the aliased meta) into the entry.
        Assert.Contains(tables.Contains("<<", StringComparison.Ordinal) ? "\"owner\":\"data\"" : "\"layer\":\"raw\"", string.Concat(before), StringComparison.Ordinal);

        var updated = SourcesFileEditor.AddTable(text, "__sources.yaml", "model_predictions", Entry);

        Assert.Contains(items + "      - name: candidacy_ddhq_matches_20261123\n", updated, StringComparison.Ordinal);
        Assert.StartsWith(AnchoredHead + (tables.Contains("# merged", StringComparison.Ordinal) ? "" : "    tables:\n"), updated, StringComparison.Ordinal);
        Assert.Equal([.. before, NewTable], TablesAsDbtReadsThem(updated));
    }

    [Fact]
    public void A_flow_list_entry_with_a_merge_key_of_an_anchor_inside_the_list_is_refused_at_the_anchor_naming_the_merge_key()
    {
        var text = FlowHead + "    tables: [{name: a, meta: &m {owner: x}}, {<<: *m, name: b}]\n" + FlowTail;

        var error = Assert.Throws<DiagnosticException>(() => SourcesFileEditor.AddTable(text, "__sources.yaml", "model_predictions", Entry));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal((Codes.YamlShape, "__sources.yaml", 6, 30), (diagnostic.Code, diagnostic.File, diagnostic.Line, diagnostic.Column));
        Assert.Contains("a merge key's '<<: *name'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flow_list_entry_merging_a_mapping_written_in_it_keeps_the_merge_key_on_its_entry()
    {
        var text = FlowHead + "    tables: [{name: a, <<: {description: merged}},\n      {<<: {name: b, description: kept}, description: own}]\n" + FlowTail;
        var before = TablesAsDbtReadsThem(text);

        var updated = SourcesFileEditor.AddTable(text, "__sources.yaml", "model_predictions", Entry);

        Assert.Contains("    tables:\n      - {name: a, <<: {description: merged}}\n      - {<<: {name: b, description: kept}, description: own}\n      - name: candidacy_ddhq_matches_20261123\n", updated, StringComparison.Ordinal);
        Assert.Equal([.. before, NewTable], TablesAsDbtReadsThem(updated));
    }

    [Fact]
    public void A_source_written_in_flow_style_is_refused_at_its_line()
    {
        const string text = "sources:\n  - {name: model_predictions, tables: [{name: a}]}\n";

        var error = Assert.Throws<DiagnosticException>(() => SourcesFileEditor.AddTable(text, "__sources.yaml", "model_predictions", Entry));

        Assert.Equal((Codes.YamlShape, 2), (Assert.Single(error.Diagnostics).Code, error.Diagnostics[0].Line));
    }

    [Theory]
    [InlineData("        meta:\n          generated_by: electionmatch 0.1.0\n", "        meta:\n          generated_by: electionmatch 0.1.0\n          manifest: m/x_20260101.json\n")]
    [InlineData("        config:\n          meta:\n            generated_by: electionmatch 0.1.0\n            note: kept\n", "        config:\n          meta:\n            generated_by: electionmatch 0.1.0\n            manifest: m/x_20260101.json\n            note: kept\n")]
    public void The_manifest_line_goes_after_generated_by_at_its_indent_changing_no_other_byte(string meta, string expected)
    {
        const string head = "sources:\n  - name: model_predictions\n    tables:\n      - name: x_20260101\n        description: \"d\"\n";
        const string tail = "      - name: x_20260202\n        meta:\n          generated_by: electionmatch 0.1.0\n\n# end\n";

        var updated = SourcesFileEditor.AddManifest(head + meta + tail, "__sources.yaml", "model_predictions", "x_20260101", "m/x_20260101.json");

        Assert.Equal(head + expected + tail, updated);
    }

    [Fact]
    public void An_entry_without_generated_by_gains_no_manifest_line()
    {
        // Sources's entries were written by hand: ElectionMatch does not edit them.
        Assert.Null(SourcesFileEditor.AddManifest(Sources, "__sources.yaml", "model_predictions", "candidacy_ddhq_matches_20251016", "m.json"));
    }
}
