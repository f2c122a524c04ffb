using System.Globalization;
using System.Text.Json;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Judging;
using ElectionMatch.Matching.Scoring;
using ElectionMatch.Warehouse;
using static ElectionMatch.Warehouse.QueryValues;

namespace ElectionMatch.Operations;

/// <summary>
/// A candidacy election row the judge saw, as <c>explain</c> shows it: why the score did not decide it (its best free
/// pair against <c>accept</c>, a veto level, or a runner-up within the margin), the judge's answer, and the contest
/// as the judge was shown it: every candidate, numbered as the request numbered them, with this row's levels against each.
/// </summary>
/// <param name="WhyJudged">Why the score tier left the row to the judge.</param>
/// <param name="Contest">The contest as the request named it (its race name), with its key (race id, date, type).</param>
/// <param name="ContestRows">How many rows of the pass the judge saw in that contest (this one among them).</param>
public sealed record JudgedRow(string WhyJudged, JudgeVerdict Answer, string Contest, long ContestRows, IReadOnlyList<ContestCandidate> Candidates)
{
    private static readonly FellegiSunter Model = new(CandidacyDdhqComparisons.All, CandidacyDdhqComparisons.DeterministicRule, CandidacyDdhqComparisons.NonMatchRule);

    /// <summary>
    /// The row's judging in the pass <paramref name="pass"/> (<c>""</c>, or <c>runoff_</c> for a discovered runoff) of
    /// <paramref name="run"/>; null when the judge did not see it, or the run predates the tables read. Its thresholds are
    /// the run's own, electionmatch.yml's only for a run that recorded none (<see cref="RunThresholds"/>).
    /// </summary>
    internal static JudgedRow? Read(DuckDbWarehouse warehouse, RunSchema run, string pass, long leftKey, RunThresholds thresholds)
    {
        string T(string table) => run.Table(pass + table);
        if (!warehouse.TableExists(run.Name, pass + "judge_answers") || !warehouse.TableExists(run.Name, pass + "above_reject")
            || !warehouse.TableExists(run.Name, pass + JudgeStage.CandidatesTable("judge_answers")))
        {
            return null;
        }

        var answer = warehouse.Query($"""
            select a.judge, a.candidate_number, a.confidence, a.reasoning, coalesce(a.undecided, false), cast(to_json(a.close_alternatives) as varchar), r.candidate
            from {T("judge_answers")} as a
            left join {run.Table("right_keyed")} as r using (right_key)
            where a.left_key = {leftKey}
            """, r => new JudgeVerdict(r.GetString(0), r.IsDBNull(1) ? 0 : r.GetInt64(1), r.IsDBNull(2) ? 0 : r.GetInt32(2), Text(r, 3) ?? "", r.GetBoolean(4))
            {
                CloseAlternatives = Text(r, 5) is { } json ? JsonSerializer.Deserialize<List<string?>>(json)?.OfType<string>().ToList() ?? [] : [],
                Chosen = Text(r, 6),
            }).SingleOrDefault();
        if (answer is null)
        {
            return null;
        }

        return WithContest(warehouse, run, pass, leftKey, new JudgedRow(Why(warehouse, run, pass, leftKey, thresholds), answer, "", 0, []));
    }

    /// <summary>
    /// The score tier's side of it, in the order its rules apply (<c>LinkByScore</c>): the best free pair below
    /// <c>accept</c>; at or above it with a veto level; or without one but not 3 bits clear of the runner-up on its
    /// side or on its results row's. The pairs are those open when the judge was asked: above <c>reject</c>, neither
    /// row linked by score.
    /// </summary>
    private static string Why(DuckDbWarehouse warehouse, RunSchema run, string pass, long leftKey, RunThresholds thresholds)
    {
        string T(string table) => run.Table(pass + table);
        var accept = thresholds["accept"];
        var reject = thresholds["reject"];
        var c = CultureInfo.InvariantCulture;
        var rows = warehouse.Query($"""
            with
                best as (
                    select s.right_key, s.match_probability, s.match_weight, {Model.VetoWordsSql("s")} as vetoes, r.candidate, cast(r.right_id_value as varchar) as right_id
                    from {T("judge_rows")} as j
                    join {T("scored_pairs")} as s on s.left_key = j.left_key and s.right_key = j.best_right_key
                    join {run.Table("right_keyed")} as r on r.right_key = s.right_key
                    where j.left_key = {leftKey}
                ),

                score_links as (
                    select left_key, right_key from {T("links")} where decided_by = 'score'
                ),

                open_pairs as (
                    select o.left_key, o.right_key, o.match_weight
                    from {T("above_reject")} as o
                    anti join score_links as a on a.left_key = o.left_key
                    anti join score_links as b on b.right_key = o.right_key
                ),

                next_candidate as (
                    select arg_max(struct_pack(w := o.match_weight, name := r.candidate, id := cast(r.right_id_value as varchar)), o.match_weight) as n
                    from open_pairs as o
                    join {run.Table("right_keyed")} as r using (right_key)
                    where o.left_key = {leftKey} and o.right_key <> (select right_key from best)
                ),

                next_candidacy as (
                    select arg_max(struct_pack(w := o.match_weight, id := l.left_id), o.match_weight) as n
                    from open_pairs as o
                    join {T("left_keyed")} as l using (left_key)
                    where o.right_key = (select right_key from best) and o.left_key <> {leftKey}
                )

            select b.candidate, b.right_id, b.match_probability, b.match_weight, b.vetoes,
                b.match_weight - n.n.w, n.n.name, n.n.id, b.match_weight - d.n.w, d.n.id
            from best as b, next_candidate as n, next_candidacy as d
            """, r => (Candidate: r.GetString(0), RightId: Text(r, 1), P: r.GetDouble(2), Vetoes: r.GetString(4),
                AheadOfCandidate: r.IsDBNull(5) ? (double?)null : r.GetDouble(5), NextName: Text(r, 6), NextId: Text(r, 7),
                AheadOfCandidacy: r.IsDBNull(8) ? (double?)null : r.GetDouble(8), NextCandidacy: Text(r, 9)));
        if (rows.Count == 0)
        {
            return "the row's best free pair is not in the run's judge_rows (a run of another build)";
        }

        var b = rows[0];
        var pair = string.Create(c, $"its best free pair, {b.Candidate}{(b.RightId is null ? "" : $" [{b.RightId}]")}, has match probability {b.P:0.0000}");
        if (b.P < accept)
        {
            return string.Create(c, $"{pair}, below accept {accept} and above reject {reject}");
        }

        if (b.Vetoes.Length > 0)
        {
            return string.Create(c, $"{pair}, at or above accept {accept}, but a veto level ({b.Vetoes}): no score overrules it, only the judge");
        }

        var margin = string.Create(c, $"{CandidacyDdhqMatcher.Margin}");
        if (b.AheadOfCandidate is { } ahead && ahead < CandidacyDdhqMatcher.Margin)
        {
            return string.Create(c, $"{pair}, at or above accept {accept} with no veto, but only {ahead:0.0} bits ahead of the next candidate, {b.NextName} [{b.NextId}] ({margin} needed)");
        }

        if (b.AheadOfCandidacy is { } over && over < CandidacyDdhqMatcher.Margin)
        {
            return string.Create(c, $"{pair}, at or above accept {accept} with no veto, but only {over:0.0} bits ahead of the next candidacy for its results row, {b.NextCandidacy} ({margin} needed)");
        }

        // A run that did not record its thresholds (an earlier build) is read by electionmatch.yml's, which explain's EM0116 says.
        return string.Create(c, $"{pair}, at or above accept {accept} with no veto and {margin} bits clear, yet not linked by score");
    }

    /// <summary>
    /// The contest of the row as the request showed it: its candidates, numbered as <c>JudgeStage</c> recorded it numbered
    /// them (<see cref="JudgeStage.CandidatesTable"/>; a split contest keeps its numbers).
    /// </summary>
    private static JudgedRow WithContest(DuckDbWarehouse warehouse, RunSchema run, string pass, long leftKey, JudgedRow judged)
    {
        string T(string table) => run.Table(pass + table);
        var header = warehouse.Query($"""
            select j.race_key, j.race_name, (select count(*) from {T("judge_rows")} as o where o.race_key = j.race_key)
            from {T("judge_rows")} as j
            where j.left_key = {leftKey}
            """, r => (Key: r.GetString(0), Race: Text(r, 1), Rows: r.GetInt64(2))).Single();
        // Linked elsewhere as the request said it: by score in this pass, or in the main pass for a discovered runoff.
        var linked = pass.Length == 0
            ? $"select right_key from {run.Table("links")} where decided_by = 'score'"
            : $"select right_key from {run.Table("links")} union all select right_key from {T("links")} where decided_by = 'score'";
        var candidates = warehouse.Query($"""
            with
                numbered as (
                    select right_key, candidate_number as number
                    from {T(JudgeStage.CandidatesTable("judge_answers"))}
                    where contest_key = {Sql.Literal(header.Key)}
                )

            select n.number, r.candidate, cast(r.right_id_value as varchar), r.state, r.district, n.right_key in ({linked}),
                case when e.left_key is not null then concat_ws(', ', {Model.LevelWordsSql("e")}) end
            from numbered as n
            join {run.Table("right_keyed")} as r using (right_key)
            left join {T("judge_evidence")} as e on e.left_key = {leftKey} and e.right_key = n.right_key
            order by n.number
            """, r => new ContestCandidate(r.GetInt64(0), r.GetString(1), Text(r, 2) ?? "", Text(r, 3), Text(r, 4), r.GetBoolean(5), Text(r, 6)));
        return judged with { Contest = header.Race is null ? header.Key : $"{header.Race} ({header.Key})", ContestRows = header.Rows, Candidates = candidates };
    }
}

/// <summary>
/// A candidate of the contest the judge saw: its number in the request, name, results id, state, district, whether
/// the request marked it linked to another row, and this row's comparison levels against it (null when the row was not
/// compared with it: another partition's candidate of the same race).
/// </summary>
public sealed record ContestCandidate(long Number, string Name, string RightId, string? State, string? District, bool LinkedElsewhere, string? Levels);
