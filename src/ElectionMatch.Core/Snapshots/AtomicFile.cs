namespace ElectionMatch.Snapshots;

/// <summary>Writes a file so that a reader (or a killed run) sees the old content or the new, never half of it.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        RemoveStaleTemporaries(path);
        var temporary = TemporaryPathFor(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
            {
                writer.Write(content);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            // Killed here, the target still holds its old bytes and only this hidden temporary file is new.
            Safety.CrashPoint.Reached("file:" + Path.GetFileName(path));

            File.Move(temporary, path, overwrite: true);
        }
        catch (UnauthorizedAccessException)
        {
            // A read-only project or file: say which, instead of failing with the temporary file's name.
            throw Diagnostics.DiagnosticException.At(Diagnostics.Codes.ProjectNotWritable, Diagnostics.SourceSpan.PathOnly(Dbt.DisplayPath.For(path)), "cannot be written (permission denied); make the project writable and run again");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Deletes the temporary siblings of <paramref name="path"/> that a killed writer left (its process is gone),
    /// so they do not pile up; a live writer's are left alone.
    /// </summary>
    public static void RemoveStaleTemporaries(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            return;
        }

        var prefix = $".{Path.GetFileName(path)}.";
        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
        {
            var pid = Path.GetFileName(file)[prefix.Length..].Split('.')[0];
            if (int.TryParse(pid, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && !Safety.LiveProcess.IsAlive(id))
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>A sibling path in the same directory (so the final rename stays on one file system).</summary>
    public static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
}
