namespace ElectionMatch.Tests;

/// <summary>
/// The fixture's candidacy run with <see cref="QuarantinedId"/>'s name made unparsable (EMQ003) and two bytes that are
/// not UTF-8 in <see cref="NotUtf8Id"/>'s last name (EMQ008: DuckDB's reader rejects the whole line).
/// </summary>
public sealed class QuarantinedCandidacyRun() : EditedCandidacyRun(
    text => Replace(text, $"{QuarantinedId},672709366,William,Harris,", $"{QuarantinedId},672709366,...,--,"),
    bytes => ReplaceBytes(bytes, NotUtf8Prefix, [.. NotUtf8Prefix, 0xFF, 0xFE]))
{
    public const string QuarantinedId = "gpc-000153";

    /// <summary>Line 8 of the candidacy file, after <see cref="QuarantinedId"/>'s, so its input row stays 5.</summary>
    public const string NotUtf8Id = "gpc-000237";

    private static byte[] NotUtf8Prefix => System.Text.Encoding.UTF8.GetBytes($"{NotUtf8Id},8362276672,Steven,Den");

    private static byte[] ReplaceBytes(byte[] bytes, byte[] old, byte[] replacement)
    {
        var at = bytes.AsSpan().IndexOf(old);
        Assert.True(at >= 0, "the candidacy line to garble is not in the fixture");
        return [.. bytes.AsSpan(0, at), .. replacement, .. bytes.AsSpan(at + old.Length)];
    }
}
