namespace ElectionMatch.Snapshots;

/// <summary>
/// Whether a new file can be created in a directory, or, when it does not exist yet, in the nearest one above it: checked
/// before long work (synth, bench) so an unwritable output fails at once, with its path, instead of at the end.
/// </summary>
public static class WriteProbe
{
    /// <summary>
    /// A file a command writes when its work is done (a run's report, bench's JSON, chart and page) must not be a directory,
    /// and its folder must take a new file: checked before the work, which would otherwise be done, or published, for nothing.
    /// </summary>
    /// <param name="option">How the user named the file (<c>--report</c>), for the message.</param>
    /// <param name="directoryCode">The code for a path that is a directory: the command's code for an invalid option.</param>
    public static void OutputFile(string option, string? path, string directoryCode)
    {
        if (path is null)
        {
            return;
        }

        if (System.IO.Directory.Exists(path))
        {
            throw Diagnostics.DiagnosticException.At(directoryCode, Diagnostics.SourceSpan.PathOnly(Dbt.DisplayPath.For(path)), $"{option} names a directory; name a file");
        }

        if (Directory(Path.GetDirectoryName(path)!) is (var existing, { } problem))
        {
            throw Diagnostics.DiagnosticException.At(Diagnostics.Codes.ProjectNotWritable, Diagnostics.SourceSpan.PathOnly(Dbt.DisplayPath.For(existing)), $"the directory cannot be written ({problem}); {option} writes {Path.GetFileName(path)} there");
        }
    }

    /// <returns>The directory probed, and why it cannot be written (null when it can).</returns>
    public static (string Directory, string? Problem) Directory(string path)
    {
        var existing = path;
        while (!System.IO.Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            if (File.Exists(existing))
            {
                // A folder to be created where a file is: creating it fails, but only once the work is done.
                return (existing, "it is a file, not a directory");
            }

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
