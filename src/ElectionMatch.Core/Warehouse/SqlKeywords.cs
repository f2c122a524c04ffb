namespace ElectionMatch.Warehouse;

/// <summary>
/// DuckDB's keywords that a column reference may not be written as, so a generated model quotes a column so named
/// (<c>Group</c>, <c>select</c>) or it does not parse.
/// </summary>
internal static class SqlKeywords
{
    // duckdb_keywords(): its reserved, type_function and column_name categories, DuckDB 1.5.
    private static readonly HashSet<string> Words = new(
        """
        all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create default
        deferrable desc describe distinct do else end except false fetch for foreign from group having in initially intersect
        into lambda lateral leading limit not null offset on only or order pivot pivot_longer pivot_wider placing primary
        qualify references returning select show some summarize symmetric table then to trailing true union unique unpivot
        using variadic when where window with
        anti asof at authorization binary by collation columns concurrently cross freeze full generated glob ilike inner is
        isnull join left like map natural notnull outer overlaps positional right semi similar struct tablesample try_cast
        unpack verbose
        between bigint bit boolean char character coalesce dec decimal exists extract float grouping grouping_id inout int
        integer interval national nchar none nullif numeric out overlay position precision real row setof smallint substring
        time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces
        xmlparse xmlpi xmlroot xmlserialize xmltable
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries),
        StringComparer.OrdinalIgnoreCase);

    public static bool Contains(string name) => Words.Contains(name);
}
