using ElectionMatch.Snapshots;

namespace ElectionMatch.Dbt;

/// <summary>
/// Reads and writes a user's file that ElectionMatch edits in place (sources YAML, model SQL), keeping a UTF-8
/// byte order mark when the file had one: the edit must change no byte but the ones it means to.
/// </summary>
internal static class UserFileText
{
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    public static (string Text, bool ByteOrderMark) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var bom = bytes.AsSpan().StartsWith(ByteOrderMark);
        return (System.Text.Encoding.UTF8.GetString(bom ? bytes[ByteOrderMark.Length..] : bytes), bom);
    }

    public static void Write(string path, string text, bool byteOrderMark) =>
        AtomicFile.WriteAllText(path, byteOrderMark ? "\uFEFF" + text : text);
}
