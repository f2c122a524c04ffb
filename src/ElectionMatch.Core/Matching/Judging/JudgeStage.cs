using System.Globalization;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching.Judging;

/// <summary>
/// Sends the ambiguous band to a judge one contest at a time (spec 003: every row of a contest with all
/// its candidates in one request, in capped batches) and writes each answer as a row of a table:
/// <c>(left_key, right_key, candidate_number, confidence, reasoning, close_alternatives, judge)</c>,
/// right_key null when the judge chose none.
/// </summary>
internal sealed class JudgeStage
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly RunSchema _run;
    private readonly IMatchJudge _judge;
    private readonly int _rowsPerRequest;

    public JudgeStage(DuckDbWarehouse warehouse, RunSchema run, IMatchJudge judge, int rowsPerRequest)
    {
        _warehouse = warehouse;
        _run = run;
        _judge = judge;
        _rowsPerRequest = rowsPerRequest;
    }

    /// <param name="evidence">Ordered by contest, then left row; a contest's rows must be contiguous. Read once,
    /// one contest at a time, so it may stream from this warehouse's connection: only one contest is held in memory.</param>
    /// <returns>The number of requests sent.</returns>
    public int Run(IEnumerable<JudgeEvidence> evidence, string answersTable, CancellationToken cancellationToken)
    {
        _warehouse.Execute($"""
            create table {_run.Table(answersTable)} (
                left_key bigint, right_key bigint, candidate_number integer, confidence integer, reasoning varchar,
                close_alternatives varchar[], judge varchar)
            """);
        var requests = 0;

        // Answers go through a second connection: the evidence may still be streaming from the first.
        using var connection = _warehouse.OpenSecondConnection();
        using var appender = connection.CreateAppender(_run.Name, answersTable);
        foreach (var contest in Contests(evidence))
        {
            var candidates = contest.GroupBy(e => (e.CandidateOrder, e.RightKey)).OrderBy(g => g.Key.CandidateOrder).ThenBy(g => g.Key.RightKey)
                .Select((g, i) => (Key: g.Key.RightKey, Candidate: new JudgeCandidate(i + 1, g.Key.RightKey.ToString(CultureInfo.InvariantCulture), g.First().RightName, g.First().RightAttributes)))
                .ToList();
            var numberOf = candidates.ToDictionary(c => c.Key, c => c.Candidate.Number);
            var rows = contest.GroupBy(e => e.LeftKey).OrderBy(g => g.Key)
                .Select(g => new JudgeRow(
                    g.Key.ToString(CultureInfo.InvariantCulture),
                    g.First().LeftName,
                    g.First().LeftAttributes,
                    g.ToDictionary(e => numberOf[e.RightKey], e => e.Levels)))
                .ToList();
            foreach (var chunk in rows.Chunk(_rowsPerRequest))
            {
                var request = new JudgeRequest(contest[0].ContestKey, contest[0].Contest, chunk, candidates.Select(c => c.Candidate).ToList());
                var answers = _judge.JudgeAsync(request, cancellationToken).GetAwaiter().GetResult();
                requests++;
                foreach (var answer in answers)
                {
                    var chosen = candidates.FirstOrDefault(c => c.Candidate.Number == answer.CandidateNumber);
                    var row = appender.CreateRow().AppendValue(long.Parse(answer.RowKey, CultureInfo.InvariantCulture));
                    row = answer.CandidateNumber > 0 ? row.AppendValue(chosen.Key) : row.AppendNullValue();
                    row.AppendValue(answer.CandidateNumber)
                        .AppendValue(answer.Confidence)
                        .AppendValue(answer.Reasoning)
                        .AppendValue(answer.CloseAlternatives.ToList())
                        .AppendValue(_judge.Name)
                        .EndRow();
                }
            }
        }

        appender.Close();
        return requests;
    }

    /// <summary>Consecutive rows with the same contest key, one contest at a time.</summary>
    private static IEnumerable<List<JudgeEvidence>> Contests(IEnumerable<JudgeEvidence> evidence)
    {
        var contest = new List<JudgeEvidence>();
        foreach (var row in evidence)
        {
            if (contest.Count > 0 && !string.Equals(contest[0].ContestKey, row.ContestKey, StringComparison.Ordinal))
            {
                yield return contest;
                contest = [];
            }

            contest.Add(row);
        }

        if (contest.Count > 0)
        {
            yield return contest;
        }
    }
}
