using System.Globalization;

namespace ElectionMatch.Matching.Judging;

/// <summary>
/// What one judge stage did: its contests and the parts they were sent in (a contest with more rows than
/// <c>max_rows_per_request</c> is split), and for a provider judge the requests it sent (follow-ups included) and the
/// parts the cache answered, so a re-run says "0 requests" as the run's summary does rather than counting contests.
/// </summary>
/// <param name="Parts">Requests of the first kind: one per contest, or more for a contest that was split.</param>
/// <param name="Requests">Null for a judge without a provider (the offline rules), which sends nothing.</param>
internal sealed record JudgeStageCount(int Contests, int Parts, long? Requests, long? FromCache)
{
    /// <summary>
    /// The stage line's note: <c>40 contests: 0 requests to openai/gpt-4o-mini, 40 answered from the cache</c>, or with
    /// split contests <c>40 contests in 52 parts: 52 requests to openai/gpt-4o-mini, 0 parts answered from the cache</c>.
    /// </summary>
    public string Note(string judge)
    {
        var (split, cached) = Parts == Contests ? ("", "") : (string.Create(CultureInfo.InvariantCulture, $" in {Parts} parts"), "parts ");
        return Requests is { } requests
            ? string.Create(CultureInfo.InvariantCulture, $"{Contests} contests{split}: {requests} requests to {judge}, {FromCache} {cached}answered from the cache")
            : string.Create(CultureInfo.InvariantCulture, $"{Contests} contests{split} judged by {judge}");
    }
}
