using System.Globalization;

namespace ElectionMatch.Matching.Judging;

/// <summary>
/// What one judge stage did: its contests, and for a provider judge the requests it sent (follow-ups included) and the
/// contests the cache answered, so a re-run says "0 requests" as the run's summary does rather than counting contests.
/// </summary>
/// <param name="Requests">Null for a judge without a provider (the offline rules), which sends nothing.</param>
internal sealed record JudgeStageCount(int Contests, long? Requests, long? FromCache)
{
    /// <summary>The stage line's note: <c>40 contests: 0 requests to openai/gpt-4o-mini, 40 answered from the cache</c>.</summary>
    public string Note(string judge) => Requests is { } requests
        ? string.Create(CultureInfo.InvariantCulture, $"{Contests} contests: {requests} requests to {judge}, {FromCache} answered from the cache")
        : string.Create(CultureInfo.InvariantCulture, $"{Contests} contests judged by {judge}");
}
