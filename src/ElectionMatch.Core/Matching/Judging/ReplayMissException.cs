namespace ElectionMatch.Matching.Judging;

/// <summary>A replayed run needed an answer the cache does not hold; the judge stage gathers them into one error.</summary>
internal sealed class ReplayMissException : Exception
{
    public ReplayMissException(string contestKey, string inputSha256)
        : base($"no cached answer for contest {contestKey} (input {inputSha256[..12]})")
    {
        ContestKey = contestKey;
        InputSha256 = inputSha256;
    }

    public string ContestKey { get; }

    public string InputSha256 { get; }
}
