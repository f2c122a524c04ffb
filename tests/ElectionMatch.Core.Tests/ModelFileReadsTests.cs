using ElectionMatch.Dbt;

namespace ElectionMatch.Tests;

/// <summary>The paths a model's SQL reads itself (<see cref="ModelFileReads"/>), for the check of a cut compressed file.</summary>
public sealed class ModelFileReadsTests
{
    private static List<(string? Path, int Line)> Reads(string sql) =>
        [.. ModelFileReads.In(sql, "models/m.sql").Select(r => (r.Path, r.At.Line))];

    [Fact]
    public void Read_csv_calls_lists_and_quoted_paths_after_from_or_join_are_read_at_their_lines()
    {
        var sql = "select *\nfrom READ_CSV_AUTO('a.csv.gz', header = true)\njoin read_csv(['b.csv.gz', 'it''s.csv.gz']) using (id)\n"
            + "union all select * from 'c.csv.zst' union all select * from \"d.csv.gz\"";

        Assert.Equal([("a.csv.gz", 2), ("b.csv.gz", 3), ("it's.csv.gz", 3), ("c.csv.zst", 4), ("d.csv.gz", 4)], Reads(sql));
    }

    [Fact]
    public void A_views_sql_as_duckdb_writes_it_back_is_read_too()
    {
        var sql = "CREATE VIEW v AS (SELECT * FROM read_csv(main.list_value('data/x.csv.gz', 'data/y.csv.gz'))) UNION ALL (SELECT * FROM \"data/z.csv.gz\");";

        Assert.Equal([("data/x.csv.gz", 1), ("data/y.csv.gz", 1), ("data/z.csv.gz", 1)], Reads(sql));
    }

    [Fact]
    public void A_path_that_is_no_literal_is_a_read_of_no_known_path()
    {
        var sql = "select * from read_csv('{{ var(\"dir\") }}/x.csv.gz')\nunion all select * from read_csv(path_column)\nunion all select * from read_csv(['a.csv.gz', 'b' || '.csv.gz'])";

        Assert.Equal([(null, 1), (null, 2), ("a.csv.gz", 3)], Reads(sql));
    }

    [Fact]
    public void Comments_strings_refs_and_quoted_table_names_are_no_reads()
    {
        var sql = "-- from 'old.csv.gz'\n/* read_csv('gone.csv.gz') */ {# read_csv('x.csv.gz') #}\n"
            + "select 'from ''y.csv.gz''' as note from {{ ref('m') }} join \"My Table\" using (id) join {{ source('s', 't') }} using (id)";

        Assert.Empty(Reads(sql));
    }
}
