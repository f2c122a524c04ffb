using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Operations;

/// <summary>
/// The decision of a discovered runoff the judge answered and left unlinked, in a state partition of an incremental run:
/// a partition does not make <see cref="CandidacyDdhqMatcher.UnlinkedRunoffsTable"/>, whose words a plain run's explain
/// shows, but its schema keeps every table those words are made from (the judge's answers, the links and the keyed rows
/// of both passes, the results rows of its pairs), so they are made here by the output's own SQL
/// (<see cref="UnlinkedJudgeAnswerWords"/>) with the <c>judge_accept</c> the run applied.
/// </summary>
internal static class JudgedRunoffInPartition
{
    /// <summary>The tables of the partition's schema the words are made from; the main pass's judge answers are read when there.</summary>
    private static readonly string[] Read = ["runoff_judge_answers", "runoff_links", "links", "runoff_left_keyed", "left_keyed", "right_keyed", "runoff_scored_pairs"];

    /// <param name="judgeAnswer">The decision as the row's answer alone words it, said when the schema lacks a table the words need.</param>
    public static string Words(DuckDbWarehouse warehouse, RunSchema run, long leftKey, double judgeAccept, string judgeAnswer)
    {
        var missing = Read.Where(t => !warehouse.TableExists(run.Name, t)).ToList();
        if (missing.Count > 0)
        {
            return $"{judgeAnswer} (how a plain run words it cannot be told: the partition's schema {run.Name} lacks {string.Join(", ", missing)})";
        }

        var answers = warehouse.TableExists(run.Name, "judge_answers")
            ? $"select * from {run.Table("judge_answers")} union all select * from {run.Table("runoff_judge_answers")}"
            : $"select * from {run.Table("runoff_judge_answers")}";
        return warehouse.Scalar<string>($"""
            with
                links as (
                    select * from {run.Table("links")} union all select * from {run.Table("runoff_links")}
                ),

                answers as (
                    {answers}
                ),

                named as (
                    select left_key, left_id from {run.Table("left_keyed")} union all select left_key, left_id from {run.Table("runoff_left_keyed")}
                ),

                judge_rivals as (
                    {UnlinkedJudgeAnswerWords.RivalsSql("answers", "named", judgeAccept)}
                ),

                -- The pair the output shows: the judge's choice, else the best scored (highest weight, then lowest right_key).
                picked as (
                    select a.left_key, coalesce(a.right_key, (
                        select arg_max(right_key, struct_pack(w := match_weight, r := -right_key))
                        from {run.Table("runoff_scored_pairs")}
                        where left_key = {leftKey})) as right_key
                    from answers as a
                    where a.left_key = {leftKey}
                )

            select case
                    {UnlinkedJudgeAnswerWords.WhenSql(judgeAccept)}
                end
            from answers as a
            join picked as p using (left_key)
            left join {run.Table("runoff_scored_pairs")} as s on s.left_key = p.left_key and s.right_key = p.right_key
            left join {run.Table("right_keyed")} as shown on shown.right_key = s.right_key
            left join (select k.right_key, l.left_id from links as k join named as l using (left_key)) as t on t.right_key = s.right_key
            left join judge_rivals as jr on jr.left_key = a.left_key
            """) ?? judgeAnswer;
    }
}
