namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A results row's embedding text is its candidate and race name trimmed as DuckDB's <c>trim</c> trims (Unicode space
/// separators at either end, not tabs). right_clean trims a race name once per distinct value and a candidate the C#
/// parse took only when it starts or ends with a space; the text must be what trimming every row gives.
/// </summary>
public sealed class EmbeddingTextTests
{
    // Spaces, a no-break space (not ASCII: the SQL parse), a tab (ASCII, which trim keeps) around names and race names.
    private const string Rows = """
        281028,"  AL Huntsville Board of Education - District 4 - Primary ",9900001,"  ANN LEE ",Nonpartisan,false,12,2024-03-05,AL,primary,School Board,4,false
        281028,"AL Huntsville Board of Education - District 4 - Primary",9900002,"ANN LEE  ",Nonpartisan,false,12,2024-03-05,AL,primary,School Board,4,false
        281028,"AL Huntsville Board of Education - District 4 - Primary",9900003,"ANN LEE{nbsp}",Nonpartisan,false,12,2024-03-05,AL,primary,School Board,4,false
        281028,"AL Huntsville Board of Education - District 4 - Primary",9900004,"{nbsp}Ann Lée",Nonpartisan,false,12,2024-03-05,AL,primary,School Board,4,false
        281029,"AL Huntsville City Council - District 2 - Primary{nbsp}",9900005,"{tab}ANN LEE",Nonpartisan,false,12,2024-03-05,AL,primary,City Council,2,false
        281029,"AL Huntsville City Council - District 2 - Primary{nbsp}",9900006,"ANN O'LEE",Nonpartisan,false,12,2024-03-05,AL,primary,City Council,2,false

        """;

    [Fact]
    public void A_results_rows_embedding_text_is_its_candidate_and_race_name_trimmed()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"), Rows.Replace("{nbsp}", "\u00a0", StringComparison.Ordinal).Replace("{tab}", "\t", StringComparison.Ordinal));

        using var run = MatcherRun.Of(fixture);
        var rows = run.Warehouse.Query(
            $"""
            select right_id, embedding_text, concat('name: ', trim(candidate), ' | race: ', trim(race_name)), candidate <> trim(candidate) or race_name <> trim(race_name)
            from {run.Table("right_keyed")}
            where right_id like '99000%'
            order by right_id
            """,
            r => (Id: r.GetString(0), Text: r.GetString(1), Trimmed: r.GetString(2), Spaced: r.GetBoolean(3)));

        Assert.Equal(6, rows.Count);
        Assert.All(rows, row => Assert.Equal(row.Trimmed, row.Text));
        Assert.Equal(["9900001", "9900002", "9900003", "9900004", "9900005", "9900006"], rows.Where(r => r.Spaced).Select(r => r.Id));
        Assert.Equal("name: ANN LEE | race: AL Huntsville Board of Education - District 4 - Primary", rows[0].Text);
        Assert.Equal("name: \tANN LEE | race: AL Huntsville City Council - District 2 - Primary", rows[4].Text);

        // Every other results row of the fixture too.
        Assert.Equal(0L, run.Warehouse.Scalar<long>(
            $"select count(*) from {run.Table("right_keyed")} where embedding_text is distinct from concat('name: ', trim(candidate), ' | race: ', trim(race_name))"));
    }
}
