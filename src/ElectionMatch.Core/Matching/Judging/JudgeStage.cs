using System.Collections.Concurrent;
using System.Globalization;
using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching.Judging;

/// <summary>
/// Sends the ambiguous band to a judge one contest at a time (spec 003: every row of a contest with all
/// its candidates in one request, in capped batches), up to the judge's concurrency at once, and writes each
/// answer as a row of a table:
/// <c>(left_key, right_key, candidate_number, confidence, reasoning, close_alternatives, judge, undecided)</c>,
/// right_key null when the judge chose none or could not decide. Beside it (<see cref="CandidatesTable"/>), the number each
/// contest's candidates were shown under: <c>(contest_key, right_key, candidate_number)</c>, which <c>explain</c> lists the
/// contest by, so it never numbers them again by its own rule.
/// </summary>
internal sealed class JudgeStage
{
    private const int MissesNamed = 5;

    private readonly DuckDbWarehouse _warehouse;
    private readonly RunSchema _run;
    private readonly IMatchJudge _judge;
    private readonly int _rowsPerRequest;

    /// <summary>The table of the candidates' numbers beside <paramref name="answersTable"/>: <c>judge_answers</c> → <c>judge_candidates</c>.</summary>
    internal static string CandidatesTable(string answersTable) => answersTable.Replace("_answers", "_candidates", StringComparison.Ordinal);

    public JudgeStage(DuckDbWarehouse warehouse, RunSchema run, IMatchJudge judge, int rowsPerRequest)
    {
        _warehouse = warehouse;
        _run = run;
        _judge = judge;
        _rowsPerRequest = rowsPerRequest;
    }

    /// <param name="evidence">
    /// Ordered by contest, then left row; a contest's rows must be contiguous. Read once, a window of requests at a
    /// time, so it may stream from this warehouse's connection: only the window's contests are held in memory.
    /// </param>
    /// <returns>The contests judged and the parts they were sent in, and for a provider judge the requests sent and the parts the cache answered.</returns>
    public JudgeStageCount Run(IEnumerable<JudgeEvidence> evidence, string answersTable, CancellationToken cancellationToken)
    {
        // The usage counts the whole run (every state partition, the runoff pass): this stage's share is the difference.
        var usage = _judge.Usage;
        var (requestsBefore, cachedBefore) = (usage?.Requests ?? 0, usage?.CacheHits ?? 0);
        _warehouse.Execute($"""
            create table {_run.Table(answersTable)} (
                left_key bigint, right_key bigint, candidate_number integer, confidence integer, reasoning varchar,
                close_alternatives varchar[], judge varchar, undecided boolean);
            create table {_run.Table(CandidatesTable(answersTable))} (contest_key varchar, right_key bigint, candidate_number integer)
            """);
        var step = answersTable.Replace("_answers", "", StringComparison.Ordinal);
        var misses = new ConcurrentQueue<ReplayMissException>();
        // A contest with more rows than a request holds is sent in parts: contests and parts are counted apart.
        var (contests, parts) = (0, 0);
        string? lastContest = null;
        string? lastPart = null;

        // Answers go through a second connection: the evidence may still be streaming from the first.
        using var connection = _warehouse.OpenSecondConnection();
        using var appender = connection.CreateAppender(_run.Name, answersTable);
        using var numbers = connection.CreateAppender(_run.Name, CandidatesTable(answersTable));
        foreach (var window in Batches(evidence).Chunk(Math.Max(64, _judge.MaxConcurrency * 8)))
        {
            var answers = Judge(window, step, misses, cancellationToken);
            parts += window.Length;
            for (var i = 0; i < window.Length; i++)
            {
                var keyOf = window[i].RightKeys;
                if (!string.Equals(lastContest, window[i].Request.ContestKey, StringComparison.Ordinal) || !string.Equals(lastPart, window[i].Part, StringComparison.Ordinal))
                {
                    (contests, lastContest, lastPart) = (contests + 1, window[i].Request.ContestKey, window[i].Part);
                    // Once a contest: its parts (max_rows_per_request) share its numbers.
                    foreach (var (number, key) in keyOf.OrderBy(k => k.Key))
                    {
                        numbers.CreateRow().AppendValue(lastContest).AppendValue(key).AppendValue(number).EndRow();
                    }
                }

                foreach (var answer in answers[i])
                {
                    var row = appender.CreateRow().AppendValue(long.Parse(answer.RowKey, CultureInfo.InvariantCulture));
                    row = answer.CandidateNumber > 0 ? row.AppendValue(keyOf[answer.CandidateNumber]) : row.AppendNullValue();
                    row.AppendValue(answer.CandidateNumber)
                        .AppendValue(answer.Confidence)
                        .AppendValue(answer.Reasoning)
                        .AppendValue(answer.CloseAlternatives.ToList())
                        .AppendValue(_judge.Name)
                        .AppendValue(answer.Undecided)
                        .EndRow();
                }
            }
        }

        appender.Close();
        numbers.Close();
        if (!misses.IsEmpty)
        {
            // A contest sent in parts may miss several of them: each contest is named once, with its parts' inputs.
            var missed = misses.GroupBy(m => m.ContestKey, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            var named = string.Join("; ", missed.Take(MissesNamed).Select(g => $"contest '{g.Key}' (input {string.Join(", ", g.Select(m => m.InputSha256[..12]).Order(StringComparer.Ordinal))})"));
            var requests = parts == contests ? "" : string.Create(CultureInfo.InvariantCulture, $" ({misses.Count} of {parts} requests: max_rows_per_request splits a contest)");
            // A cache that holds this model's answers under other instructions is no gap to fill but a changed prompt: say so.
            var changed = misses.FirstOrDefault(m => m.OtherInstructions is not null)?.OtherInstructions is { } template
                ? $" The judge's instructions changed since the cached answers were made: {template} (the tool's, or an override in electionmatch/templates/prompts/) renders other text than it did, and an answer is reused only under the instructions it was given."
                : "";
            throw DiagnosticException.At(Codes.ReplayCacheMiss, _judge.At,
                $"replay: {missed.Count} of {contests} judge contests{requests} of match '{_run.Match}' (step {step}, {_judge.Name}) are not in {JudgeCache.QualifiedTable}: {named}{(missed.Count > MissesNamed ? $"; and {missed.Count - MissesNamed} more" : "")}.{changed} Run without --replay (MSBuild: ElectionMatchReplay=false) to ask the provider and fill the cache");
        }

        return new JudgeStageCount(contests, parts, usage?.Requests - requestsBefore, usage?.CacheHits - cachedBefore);
    }

    private IEnumerable<(JudgeRequest Request, Dictionary<int, long> RightKeys, string Part)> Batches(IEnumerable<JudgeEvidence> evidence)
    {
        foreach (var contest in Contests(evidence))
        {
            var candidates = contest.GroupBy(e => (e.CandidateOrder, e.RightKey)).OrderBy(g => g.Key.CandidateOrder).ThenBy(g => g.Key.RightKey)
                .Select((g, i) => (Key: g.Key.RightKey, Candidate: new JudgeCandidate(i + 1, g.Key.RightKey.ToString(CultureInfo.InvariantCulture), g.First().RightName, g.First().RightAttributes)))
                .ToList();
            var numberOf = candidates.ToDictionary(c => c.Key, c => c.Candidate.Number);
            var keyOf = candidates.ToDictionary(c => c.Candidate.Number, c => c.Key);
            var rows = contest.GroupBy(e => e.LeftKey).OrderBy(g => g.Key)
                .Select(g => new JudgeRow(
                    g.Key.ToString(CultureInfo.InvariantCulture),
                    g.First().LeftName,
                    g.First().LeftAttributes,
                    g.ToDictionary(e => numberOf[e.RightKey], e => e.Levels),
                    g.First().LeftId))
                .ToList();
            foreach (var chunk in rows.Chunk(_rowsPerRequest))
            {
                yield return (new JudgeRequest(contest[0].ContestKey, contest[0].Contest, chunk, candidates.Select(c => c.Candidate).ToList()), keyOf, contest[0].Part);
            }
        }
    }

    /// <summary>Consecutive rows with the same contest key and part (<see cref="JudgeEvidence.Part"/>), one contest at a time.</summary>
    private static IEnumerable<List<JudgeEvidence>> Contests(IEnumerable<JudgeEvidence> evidence)
    {
        var contest = new List<JudgeEvidence>();
        foreach (var row in evidence)
        {
            if (contest.Count > 0 && (!string.Equals(contest[0].ContestKey, row.ContestKey, StringComparison.Ordinal) || !string.Equals(contest[0].Part, row.Part, StringComparison.Ordinal)))
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

    /// <summary>
    /// One window's answers, in request order; replay misses are collected for one diagnostic at the end, provider failures
    /// become one now: the first failed request in request order, named with its own error, whatever the concurrency.
    /// </summary>
    private IReadOnlyList<JudgeAnswer>[] Judge((JudgeRequest Request, Dictionary<int, long> RightKeys, string Part)[] batches, string step, ConcurrentQueue<ReplayMissException> misses, CancellationToken cancellationToken)
    {
        var answers = new IReadOnlyList<JudgeAnswer>[batches.Length];
        var failures = new Exception?[batches.Length];
        if (_judge.MaxConcurrency <= 1)
        {
            for (var i = 0; i < batches.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                answers[i] = Ask(batches[i].Request, i, misses, failures, cancellationToken).GetAwaiter().GetResult();
                if (failures[i] is not null)
                {
                    break;
                }
            }
        }
        else
        {
            // A failure sends no further request but lets those in flight finish (their answers are cached, not abandoned).
            // Requests start in order, so every request before the first failed one has then had its outcome.
            var options = new ParallelOptions { MaxDegreeOfParallelism = _judge.MaxConcurrency, CancellationToken = cancellationToken };
            Parallel.ForEachAsync(Enumerable.Range(0, batches.Length), options, async (i, token) =>
            {
                if (!failures.Any(f => f is not null))
                {
                    answers[i] = await Ask(batches[i].Request, i, misses, failures, token).ConfigureAwait(false);
                }
            }).GetAwaiter().GetResult();
        }

        var failed = Array.FindIndex(failures, f => f is not null);
        if (failed < 0)
        {
            return answers;
        }

        // For a refusal of the request itself (HTTP 400) the setting to change: temperature, when the refusal names it (a
        // reasoning model takes only its own); else the one that makes requests smaller (often a prompt past the model's context).
        var (request, e) = (batches[failed].Request, failures[failed]!);
        var described = Providers.ProviderFailure.Describe(e);
        var refused = Providers.ProviderFailure.Status(e) == 400;
        var advice = refused && described.Contains("temperature", StringComparison.OrdinalIgnoreCase)
            ? "; a model that takes only its own temperature (OpenAI's reasoning models o1, o3, o4-mini, gpt-5) needs temperature: default in the judge block, which sends none"
            : refused && request.Rows.Count > 1
            ? $"; if the provider refused the request as too large (its context length), lower max_rows_per_request (now {_rowsPerRequest}) to send fewer rows a request"
            : "";
        throw DiagnosticException.At(Codes.ProviderFailed, _judge.At,
            $"match '{_run.Match}', step {step}: the judge {_judge.Name} failed on contest '{request.ContestKey}' ({request.Rows.Count} row{(request.Rows.Count == 1 ? "" : "s")}): {described}{advice}; answers received so far are cached, so running again resumes without paying for them twice");
    }

    /// <returns>The request's answers; none when it missed the replay cache or failed (its failure is then at <paramref name="index"/>).</returns>
    private async Task<IReadOnlyList<JudgeAnswer>> Ask(JudgeRequest request, int index, ConcurrentQueue<ReplayMissException> misses, Exception?[] failures, CancellationToken cancellationToken)
    {
        try
        {
            return await _judge.JudgeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ReplayMissException miss)
        {
            misses.Enqueue(miss);
            return [];
        }
        catch (Exception e) when (e is not OperationCanceledException and not DiagnosticException and not OutOfMemoryException)
        {
            Volatile.Write(ref failures[index], e);
            return [];
        }
    }
}
