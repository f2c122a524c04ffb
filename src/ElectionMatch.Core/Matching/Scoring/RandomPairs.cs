using System.Globalization;

namespace ElectionMatch.Matching.Scoring;

/// <summary>
/// A deterministic sample of random pairs inside partitions, for u = P(level | non-match): a random pair of one
/// partition is nearly always a non-match. Hashes, not random(), choose the sample, so a re-run draws the same.
/// </summary>
internal static class RandomPairs
{
    /// <summary>How many times the pairs wanted per row the hash threshold lets through on average.</summary>
    public const int DefaultOversample = 4;

    /// <param name="left">Left rows with <c>left_key</c> and <c>group_id</c>.</param>
    /// <param name="members">The right rows of each partition: <c>group_id</c> and <c>right_key</c>.</param>
    /// <param name="oversample">
    /// A sampled row keeps the pairs whose hash lies in the lowest <c>oversample · pairsPerRow / members</c> share of the
    /// hash range before the bounded heap picks the lowest: the same pairs whenever at least <paramref name="pairsPerRow"/>
    /// pass, and a row with fewer is drawn again over its whole partition. At a million candidacies the 2,000 sampled
    /// rows meet 86.7M partition members and the heap over all of them was most of the stage (6.8 → 2.6 CPU-s).
    /// </param>
    /// <returns>A query of <c>(left_key, right_key, cosine)</c>, cosine null: the pairs were not retrieved.</returns>
    public static string Sql(string left, string members, int leftRows, int pairsPerRow, int oversample = DefaultOversample)
    {
        var n = pairsPerRow.ToString(CultureInfo.InvariantCulture);
        var threshold = (oversample * pairsPerRow).ToString(CultureInfo.InvariantCulture);
        return $"""
            with
                sampled_left as (
                    select left_key, group_id from {left} order by hash(left_key), left_key limit {leftRows.ToString(CultureInfo.InvariantCulture)}
                ),

                group_sizes as (
                    select group_id, count(*) as members from {members} semi join sampled_left using (group_id) group by group_id
                ),

                -- 1.8e19 is just under 2^64, the hash's range.
                below_threshold as (
                    select l.left_key, m.right_key, hash(l.left_key, m.right_key) as h
                    from sampled_left as l
                    join group_sizes as g using (group_id)
                    join {members} as m using (group_id)
                    where g.members <= {threshold} or hash(l.left_key, m.right_key) < cast({threshold}.0 / g.members * 1.8e19 as ubigint)
                ),

                -- Each sampled row's lowest hashes by a bounded heap (min_by with a count), not a window that sorts the
                -- whole join: a sampled row of a skewed partition meets tens of thousands of results rows.
                lowest as (
                    select p.left_key, min_by(p.right_key, p.h, {n}) as right_keys, count(*) as passed, any_value(g.members) as members
                    from below_threshold as p
                    join sampled_left as l using (left_key)
                    join group_sizes as g using (group_id)
                    group by p.left_key
                ),

                exact as (
                    select left_key, right_keys from lowest where passed >= {n} or members <= {threshold}
                ),

                drawn_again as (
                    select l.left_key, min_by(m.right_key, hash(l.left_key, m.right_key), {n}) as right_keys
                    from (select * from sampled_left anti join exact using (left_key)) as l
                    join {members} as m using (group_id)
                    group by l.left_key
                ),

                pairs as (
                    select * from exact
                    union all
                    select * from drawn_again
                )

            select left_key, unnest(right_keys) as right_key, cast(null as float) as cosine from pairs
            """;
    }
}
