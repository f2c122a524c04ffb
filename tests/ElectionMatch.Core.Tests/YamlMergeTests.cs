using System.Text.Json;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace ElectionMatch.Tests;

/// <summary>YAML merge keys (<c>&lt;&lt;</c>) are read as PyYAML, the parser dbt reads YAML with, reads them.</summary>
public sealed class YamlMergeTests(PyYaml pyYaml) : IClassFixture<PyYaml>
{
    [Theory]
    [InlineData("a: &a {x: '1', y: '2'}\nb:\n  <<: *a\n  y: '3'\n")] // a key written in the mapping wins, before or after <<
    [InlineData("b:\n  y: '3'\n  <<: {x: '1', y: '2'}\n")]
    [InlineData("a: &a {x: '1', y: '2'}\nc: &c {y: '4', z: '5'}\nb:\n  <<: [*a, *c]\n  w: '0'\n")] // of a list, the first mapping wins
    [InlineData("a: &a {x: '1'}\nc: &c {<<: *a, y: '2'}\nb: {<<: *c, z: '3'}\n")] // a merged mapping's own merge applies
    [InlineData("b: {'<<': {x: '1'}, y: '2'}\n")] // a quoted << is a key like any other
    [InlineData("outputs:\n  dev: &dev\n    type: duckdb\n    path: d.duckdb\n  ci:\n    <<: *dev\n    path: ci.duckdb\n")]
    public void A_merge_key_reads_as_PyYAML_reads_it(string yaml)
    {
        var ours = Canonical(YamlFile.Parse("m.yml", yaml).Root!);
        var dbts = Canonical(pyYaml.Load(yaml));

        Assert.Equal(dbts, ours);
    }

    [Fact]
    public void A_merged_value_is_reported_where_it_is_written()
    {
        var file = YamlFile.Parse("m.yml", "defaults: &d\n  external_location: x.csv\ntable:\n  name: t\n  <<: *d\n");

        var table = file.RootMap().Map("table")!;

        Assert.Equal("x.csv", table.String("external_location"));
        Assert.Equal((2, 22), (table.AtValue("external_location").Line, table.AtValue("external_location").Column));
        Assert.DoesNotContain("<<", table.Keys);
    }

    [Theory]
    [InlineData("b:\n  <<: text\n", 2, 7)]
    [InlineData("b:\n  <<: [{x: 1}, text]\n", 2, 16)]
    public void A_merge_key_of_a_text_value_is_an_error_at_it_as_dbt_refuses_it(string yaml, int line, int column)
    {
        var e = Assert.Throws<DiagnosticException>(() => YamlFile.Parse("m.yml", yaml));

        var diagnostic = Assert.Single(e.Diagnostics);
        Assert.Equal((Codes.YamlShape, line, column), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        Assert.Contains("merge key", diagnostic.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => pyYaml.Load(yaml));
    }

    [Fact]
    public void A_chain_of_merges_that_grows_past_a_million_entries_is_refused_before_it_is_merged()
    {
        // Each mapping merges the one before and adds a key: 1,500 lines, over a million merged entries. The alias bomb
        // check, which runs first, counts every node each alias reaches, so it refuses this too.
        var yaml = "m0: &m0 {k0: v}\n" + string.Concat(Enumerable.Range(1, 1500).Select(i => $"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: v}}\n"));

        var e = Assert.Throws<DiagnosticException>(() => YamlFile.Parse("m.yml", yaml));

        Assert.Equal(Codes.YamlAliasExpansion, e.Diagnostics[0].Code);
    }

    [Theory]
    [InlineData("a: &x [*x]\n", 1, 4)]
    [InlineData("sources:\n  - &mp\n    name: model_predictions\n    tables: [{name: a, <<: *mp}]\n", 2, 5)]
    public void A_recursive_alias_is_em0505_at_its_anchor_not_a_stack_overflow(string yaml, int line, int column)
    {
        // Before, counting the expansion recursed without end and the stack overflow ended the process (an MSBuild node).
        var e = Assert.Throws<DiagnosticException>(() => YamlFile.Parse("m.yml", yaml));

        var diagnostic = Assert.Single(e.Diagnostics);
        Assert.Equal((Codes.YamlAliasExpansion, line, column), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        Assert.Contains("recursive alias", diagnostic.Message, StringComparison.Ordinal);
    }

    /// <summary>The document as sorted JSON-like text: scalars as text (the cases write only strings), mappings by key.</summary>
    private static string Canonical(YamlNode node) => node switch
    {
        YamlScalarNode s => "\"" + s.Value + "\"",
        YamlSequenceNode l => "[" + string.Join(",", l.Children.Select(Canonical)) + "]",
        YamlMappingNode m => "{" + string.Join(",", m.Children.Select(e => ((YamlScalarNode)e.Key).Value + ":" + Canonical(e.Value)).Order(StringComparer.Ordinal)) + "}",
        _ => throw new InvalidOperationException(),
    };

    private static string Canonical(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => "\"" + element.GetString() + "\"",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Canonical)) + "]",
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().Select(p => p.Name + ":" + Canonical(p.Value)).Order(StringComparer.Ordinal)) + "}",
        _ => throw new InvalidOperationException($"the case should write only text values: {element}"),
    };
}
