namespace ElectionMatch.Snapshots;

/// <summary>
/// Whether a new file can be created in a directory, or, when it does not exist yet, in the nearest one above it: checked
/// before long work (synth, bench) so an unwritable output fails at once, with its path, instead of at the end.
/// </summary>
public static class WriteProbe
{
    /// <returns>The directory probed, and why it cannot be written (null when it can).</returns>
    public static (string Directory, string? Problem) Directory(string path)
    {
        var existing = path;
        while (!System.IO.Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        var probe = Path.Combine(existing, ".electionmatch-write-probe-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return (existing, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (existing, e is UnauthorizedAccessException ? "permission denied" : e.Message);
        }
    }
}
