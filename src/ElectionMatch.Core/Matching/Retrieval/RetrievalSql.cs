using System.Globalization;

namespace ElectionMatch.Matching.Retrieval;

/// <summary>
/// The portable SQL form of the top-k stage, for engines without our kernel and as the reference the
/// kernel is tested against: inner products inside each partition, ranked, the best k kept.
/// </summary>
internal static class RetrievalSql
{
    /// <param name="vectorsTable">A table of <c>(group_id, side, key, vector)</c> as the stage stores it.</param>
    public static string TopK(string vectorsTable, int k) => $"""
        with
            scored as (
                select
                    l.key as left_key,
                    r.key as right_key,
                    array_inner_product(l.vector, r.vector) as score
                from {vectorsTable} as l
                join {vectorsTable} as r on r.group_id = l.group_id and r.side = 1
                where l.side = 0
            )

        select left_key, right_key, row_number() over (partition by left_key order by score desc, right_key) as rank, score
        from scored
        qualify rank <= {k.ToString(CultureInfo.InvariantCulture)}
        """;
}
