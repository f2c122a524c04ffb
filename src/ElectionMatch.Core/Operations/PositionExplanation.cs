using ElectionMatch.Matching;
using ElectionMatch.Warehouse;
using static ElectionMatch.Warehouse.QueryValues;

namespace ElectionMatch.Operations;

/// <summary>
/// What <c>explain</c> reads of an l2_ballotready run: a position's one row, with what the snapshot published (district,
/// confidence, reasoning, deciding tier), the judge's own answer when it decided, and its candidate districts best first
/// with their weights per field, from the stages <c>left_keyed</c>, <c>output</c>, <c>decisions</c>, <c>judge_answers</c>,
/// <c>scored_pairs</c> and <c>right_keyed</c>. Quarantine and unknown ids are read as for a candidacy (<see cref="ExplainOperation"/>).
/// </summary>
internal static class PositionExplanation
{
    /// <summary>The left id's column in the published snapshot (spec 000).</summary>
    public const string LeftIdColumn = "br_database_id";

    /// <summary>The position's row in one run schema, its quarantine rows, and whether its left input holds it.</summary>
    public static (List<ExplainedRow> Rows, List<RemovedRow> Removed, List<QuarantinedRow> Quarantined, bool InLeftInput) Read(
        DuckDbWarehouse warehouse, (RunSchema Schema, ExplainedPartition? Partition) part, RunSchema assembled, string leftId, int candidates)
    {
        var run = part.Schema;
        var rows = warehouse.Query($"""
            select l.left_key, l.name, l.state,
                o.l2_district_name, o.l2_district_type, cast(o.l2_district_id as varchar), o.is_matched, o.confidence, o.decided_by, o.llm_reason,
                a.judge, a.candidate_number, a.confidence, a.reasoning, coalesce(a.undecided, false)
            from {run.Table("left_keyed")} as l
            join {run.Table("output")} as o on o.{LeftIdColumn} = l.left_id_value
            left join {run.Table("judge_answers")} as a using (left_key)
            where l.left_id = {Sql.Literal(leftId)}
            """, r => (Key: r.GetInt64(0), Name: r.GetString(1), State: Text(r, 2),
                Published: new PublishedPosition(Text(r, 3), Text(r, 4), Text(r, 5), r.GetBoolean(6), r.GetInt32(7), r.GetString(8)),
                Reason: r.GetString(9),
                Judge: r.IsDBNull(10) ? null : new JudgeVerdict(r.GetString(10), r.IsDBNull(11) ? 0 : r.GetInt64(11), r.IsDBNull(12) ? 0 : r.GetInt32(12), Text(r, 13) ?? "", r.GetBoolean(14))));

        var explained = rows.Select(row => new ExplainedRow(leftId, "", "", row.Name, row.State, row.Reason, warehouse.Query($"""
                select s.candidate_number, r.right_id, r.district_name, r.district_type, s.match_weight, s.match_probability, cast(s.match_explanation as varchar),
                    coalesce(s.right_key = d.right_key, false), s.found_by, cast(s.cosine as double)
                from {run.Table("scored_pairs")} as s
                join {run.Table("right_keyed")} as r using (right_key)
                left join {run.Table("decisions")} as d using (left_key)
                where s.left_key = {row.Key}
                order by s.match_weight desc, s.candidate_number
                limit {candidates}
                """, r => new ExplainedPair(r.GetString(1), r.GetString(2), r.GetString(3), r.GetDouble(4), r.GetDouble(5), r.GetBoolean(7), ExplainOperation.Waterfall(r.GetString(6)))
            {
                FoundBy = [r.GetString(8)],
                CandidateNumber = r.GetInt64(0),
                Similarity = r.IsDBNull(9) ? null : r.GetDouble(9),
            }))
        {
            Published = row.Published,
            Judge = row.Judge,
        }).ToList();

        return (explained, [], ExplainOperation.Quarantined(warehouse, part, assembled, leftId), ExplainOperation.InLeftInput(warehouse, run, leftId, rows.Count > 0));
    }

    /// <summary>
    /// The position's row as <paramref name="table"/> (a snapshot) published it, when the run schema's stages are of another
    /// run: the decision, and the pair it shows (its <c>match_explanation</c>, the district named from its place in <c>embeddings</c>).
    /// </summary>
    public static List<ExplainedRow> FromSnapshot(DuckDbWarehouse warehouse, string table, string leftId) => warehouse.Query($"""
        with
            position as (
                select *, try_cast(json_extract_string(match_explanation, '$.candidate_number') as bigint) as shown_number
                from {table}
                where cast({LeftIdColumn} as varchar) = {Sql.Literal(leftId)}
            )

        select name, state, l2_district_name, l2_district_type, cast(l2_district_id as varchar), coalesce(is_matched, false), confidence, decided_by, llm_reason,
            match_weight, match_probability, cast(match_explanation as varchar), shown_number,
            json_extract_string(embeddings, '$[' || (shown_number - 1) || '].district_name'),
            json_extract_string(embeddings, '$[' || (shown_number - 1) || '].district_type'),
            json_extract_string(match_explanation, '$.found_by')
        from position
        """, r => new ExplainedRow(leftId, "", "", r.GetString(0), Text(r, 1), Text(r, 8) ?? "", r.IsDBNull(9) || r.IsDBNull(12)
            ? []
            : [ExplainOperation.Published(r.GetBoolean(5) ? Text(r, 4) ?? "" : "", Text(r, 13) ?? "", Text(r, 14) ?? "", r.GetDouble(9), r.GetDouble(10), r.GetBoolean(5), r.GetString(11)) with
            {
                FoundBy = Text(r, 15) is { } found ? [found] : [],
                CandidateNumber = r.GetInt64(12),
            }])
        {
            Published = new PublishedPosition(Text(r, 2), Text(r, 3), Text(r, 4), r.GetBoolean(5), r.IsDBNull(6) ? 0 : r.GetInt32(6), Text(r, 7) ?? "none"),
        });
}
