namespace ElectionMatch.Matching.Judging;

/// <summary>
/// Decides the ambiguous band, one contest at a time (spec 003: every ambiguous row of a race and all of
/// that race's candidates in one request). The offline rule judges and LLM providers implement it.
/// </summary>
public interface IMatchJudge
{
    /// <summary>Provider and model, recorded in the manifest and the cache key.</summary>
    string Name { get; }

    /// <summary>Contests judged at once; the rule judges are CPU-bound and answer one at a time.</summary>
    int MaxConcurrency => 1;

    /// <summary>Where the judge is configured in electionmatch.yml, for a diagnostic about it (a provider that failed).</summary>
    Diagnostics.SourceSpan At => Diagnostics.SourceSpan.None;

    /// <summary>A provider judge's requests, cache hits and tokens over the run; null for a judge that asks no provider.</summary>
    Providers.ModelUsage? Usage => null;

    /// <summary>Answers every row of the request exactly once (an undecided row says so).</summary>
    Task<IReadOnlyList<JudgeAnswer>> JudgeAsync(JudgeRequest request, CancellationToken cancellationToken);
}
