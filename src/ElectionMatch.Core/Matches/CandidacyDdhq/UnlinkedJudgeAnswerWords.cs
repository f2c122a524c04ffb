using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// How the output words a row the judge answered and the run left unlinked: a choice another row took, a choice other
/// rows' answers claimed as confidently, an undecided reply, a choice below <c>judge_accept</c>, or no candidate chosen.
/// One copy for the run's output and for <c>explain</c> after an incremental run, whose state partitions do not make
/// <see cref="CandidacyDdhqMatcher.UnlinkedRunoffsTable"/> but keep every table these words are made from.
/// </summary>
internal static class UnlinkedJudgeAnswerWords
{
    /// <summary>
    /// The rows whose confident answer another row's answer claims as confidently (or more), with those rows' ids: a
    /// query over <paramref name="answers"/> (the judge's answers of both passes) and <paramref name="named"/> (each row's
    /// <c>left_key</c> and <c>left_id</c>). Joined on the candidate alone; the rest is a filter (a second join condition
    /// would make a nested loop).
    /// </summary>
    public static string RivalsSql(string answers, string named, double judgeAccept) => $"""
        select a.left_key, max(b.confidence) as rival_confidence, string_agg(l.left_id, ', ' order by l.left_id) as rival_ids
        from {answers} as a
        join {answers} as b on b.right_key = a.right_key
        join {named} as l on l.left_key = b.left_key
        where b.left_key <> a.left_key and b.confidence >= a.confidence and a.confidence >= {Sql.Number(judgeAccept)}
        group by a.left_key
        """;

    /// <summary>
    /// The <c>when … then …</c> branches of a <c>case</c> for an unlinked row, over the aliases <c>a</c> (the row's answer,
    /// null when the judge did not see it), <c>shown</c> (the results row shown: the judge's choice, else the best
    /// scored), <c>t</c> (the row linked to that results row, its <c>left_id</c>) and <c>jr</c> (<see cref="RivalsSql"/>).
    /// </summary>
    public static string WhenSql(double judgeAccept) => $"""
        -- Confident enough, but another row took the candidate first: the judge did accept it.
        when a.right_key is not null and a.confidence >= {Sql.Number(judgeAccept)} and t.left_id is not null
            then printf('judge chose %s (confidence %d) but it is linked to another row (%s): ', shown.candidate, a.confidence, t.left_id) || a.reasoning
        -- Confident enough, but other rows' answers claim the candidate as confidently: undecided, as a score tie.
        when a.right_key is not null and a.confidence >= {Sql.Number(judgeAccept)}
            then printf('judge chose %s (confidence %d) but the judge chose it for %s as well (confidence %d), so neither is linked: ', shown.candidate, a.confidence,
                coalesce(jr.rival_ids, '?'), coalesce(jr.rival_confidence, a.confidence)) || a.reasoning
        -- An undecided row's reasoning starts 'undecided:' as published, so a filter on it finds the row.
        when a.undecided then a.reasoning
        -- The judge's own answer, told apart: a candidate chosen below the threshold, or none chosen.
        when a.right_key is not null
            then printf('judge chose %s (confidence %d), below judge_accept %s, so it is not linked: ', shown.candidate, a.confidence, {Sql.Literal(Sql.Number(judgeAccept))}) || a.reasoning
        when a.left_key is not null
            then printf('judge chose no candidate (its confidence %d)', a.confidence)
                || case when shown.candidate is not null then printf('; %s is the best scored candidate, shown at confidence 0', shown.candidate) else '' end
                || ': ' || a.reasoning
        """;
}
