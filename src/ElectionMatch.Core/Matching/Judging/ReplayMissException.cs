namespace ElectionMatch.Matching.Judging;

/// <summary>A replayed run needed an answer the cache does not hold; the judge stage gathers them into one error.</summary>
/// <param name="otherInstructions">
/// The judge's prompt template when the cache holds answers of the same model under other instructions
/// (<see cref="JudgeCache.AnsweredUnderOtherInstructions"/>); null when it does not.
/// </param>
internal sealed class ReplayMissException(string contestKey, string inputSha256, string? otherInstructions = null)
    : Exception($"no cached answer for contest {contestKey} (input {inputSha256[..12]})")
{
    public string ContestKey { get; } = contestKey;

    public string InputSha256 { get; } = inputSha256;

    public string? OtherInstructions { get; } = otherInstructions;
}
