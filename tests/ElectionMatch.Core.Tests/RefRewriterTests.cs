using ElectionMatch.Dbt;

namespace ElectionMatch.Tests;

public sealed class RefRewriterTests
{
    private const string Dated = "stg_model_predictions__llm_l2_br_match_20250811";
    private const string Stable = "stg_model_predictions__llm_l2_br_match";

    private static IReadOnlyList<ReferenceRewrite> Rewrite(FixtureCopy fixture) =>
        RefRewriter.Rewrite(DbtProject.Load(fixture.Directory), c => c.RefModel == Dated ? Stable : null);

    [Fact]
    public void Only_real_refs_to_the_dated_model_change_and_each_changed_line_is_reported()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var model = string.Join('\n',
            $"{{# was {{{{ ref('{Dated}') }}}} until 2025 #}}",
            $"select * from {{{{- ref(\"{Dated}\") -}}}}",
            $"union all select * from {{{{ ref('{Dated}', version = '2') }}}}",
            $"union all select * from {{{{ ref('goodparty', '{Dated}') }}}}",
            $"union all select * from {{{{ ref('{Dated}_extra') }}}}",
            $"union all select {{{{ dbt_utils.star(from=ref('{Dated}')) }}}} from x",
            $"{{% set rows = ref('{Dated}') %}}",
            "");
        fixture.Write("models/marts/m_refs.sql", model);

        var rewrites = Rewrite(fixture).Where(r => r.File.EndsWith("m_refs.sql", StringComparison.Ordinal)).ToList();

        var expected = model.Split('\n').Select((line, i) => i is 1 or 2 or 3 or 5 or 6 ? line.Replace(Dated + "\"", Stable + "\"").Replace(Dated + "'", Stable + "'") : line);
        Assert.Equal(string.Join('\n', expected), File.ReadAllText(Path.Combine(fixture.Directory, "models/marts/m_refs.sql")));
        Assert.Equal([2, 3, 4, 6, 7], rewrites.Select(r => r.Line));
        Assert.All(rewrites, r => Assert.Equal(r.Before.Replace(Dated, Stable), r.After));
    }

    [Fact]
    public void Refs_in_tests_analyses_snapshots_and_yaml_values_change_as_in_models_and_a_yaml_comment_or_prose_does_not()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        foreach (var folder in new[] { "tests", "analyses", "snapshots" })
        {
            Directory.CreateDirectory(fixture.PathOf(folder));
            fixture.Write($"{folder}/x.sql", $"select * from {{{{ ref('{Dated}') }}}}\n");
        }

        var yaml = string.Join('\n',
            "version: 2",
            "models:",
            "  - name: m",
            $"    description: \"built from ref('{Dated}') in the old days\"",
            "    columns:",
            "      - name: id",
            "        data_tests:",
            $"          # was ref('{Dated}')",
            "          - relationships:",
            $"              arguments: {{to: ref('{Dated}'), field: id}}",
            "exposures:",
            "  - name: e",
            "    type: dashboard",
            "    depends_on:",
            $"      - ref('{Dated}')",
            "");
        fixture.Write("models/marts/m_props.yml", yaml);
        // A folder dbt_project.yml does not name is not dbt's, so not ours.
        Directory.CreateDirectory(fixture.PathOf("notes"));
        fixture.Write("notes/x.sql", $"select * from {{{{ ref('{Dated}') }}}}\n");

        var rewrites = Rewrite(fixture);

        // The fixture's dbt_project.yml has no analysis-paths, and without it dbt (1.0 and later) compiles analyses/; a
        // ref() in a description is prose to dbt.
        Assert.Equal(["analyses/x.sql:1", "models/marts/m_props.yml:10", "models/marts/m_props.yml:15", "snapshots/x.sql:1", "tests/x.sql:1"],
            rewrites.Select(r => $"{Path.GetRelativePath(fixture.Directory, r.File).Replace('\\', '/')}:{r.Line}").Order(StringComparer.Ordinal));
        Assert.Equal(
            yaml.Replace($"to: ref('{Dated}')", $"to: ref('{Stable}')", StringComparison.Ordinal).Replace($"- ref('{Dated}')", $"- ref('{Stable}')", StringComparison.Ordinal),
            fixture.Read("models/marts/m_props.yml"));
        Assert.Contains(Dated, fixture.Read("notes/x.sql"), StringComparison.Ordinal);
        Assert.Equal($"select * from {{{{ ref('{Stable}') }}}}\n", fixture.Read("analyses/x.sql"));
    }

    [Fact]
    public void A_byte_order_mark_is_kept()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var path = Path.Combine(fixture.Directory, "models/marts/m_bom.sql");
        File.WriteAllText(path, $"select * from {{{{ ref('{Dated}') }}}}\r\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        Rewrite(fixture);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.Equal($"select * from {{{{ ref('{Stable}') }}}}\r\n", System.Text.Encoding.UTF8.GetString(bytes[3..]));
    }
}
