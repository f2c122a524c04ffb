using System.Globalization;

namespace ElectionMatch.Matching.Scoring;

/// <summary>
/// A deterministic sample of random pairs inside partitions, for u = P(level | non-match): a random pair of one
/// partition is nearly always a non-match. Hashes, not random(), choose the sample, so a re-run draws the same.
/// </summary>
internal static class RandomPairs
{
    /// <param name="left">Left rows with <c>left_key</c> and <c>group_id</c>.</param>
    /// <param name="members">The right rows of each partition: <c>group_id</c> and <c>right_key</c>.</param>
    /// <returns>A query of <c>(left_key, right_key, cosine)</c>, cosine null: the pairs were not retrieved.</returns>
    public static string Sql(string left, string members, int leftRows, int pairsPerRow) => $"""
        with
            sampled_left as (
                select left_key, group_id from {left} order by hash(left_key), left_key limit {leftRows.ToString(CultureInfo.InvariantCulture)}
            ),

            -- Each sampled row's lowest hashes by a bounded heap (min_by with a count), not a window that sorts the
            -- whole join: a sampled row of a skewed partition meets tens of thousands of results rows.
            pairs as (
                select l.left_key, min_by(m.right_key, hash(l.left_key, m.right_key), {pairsPerRow.ToString(CultureInfo.InvariantCulture)}) as right_keys
                from sampled_left as l
                join {members} as m using (group_id)
                group by l.left_key
            )

        select left_key, unnest(right_keys) as right_key, cast(null as float) as cosine from pairs
        """;
}
