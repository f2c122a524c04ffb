using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Tests;

public sealed class SourcesFileEditorTests
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
}
