using System.Text.RegularExpressions;

namespace ElectionMatch.Diagnostics;

/// <summary>
/// A write that failed because its device is full (ENOSPC), told apart from every other failure. The message names
/// the file when the failure does. The cause may be DuckDB's files (the warehouse, its <c>.wal</c>, the spill files
/// in <c>engine.temp_directory</c>) or ours. Without this, a full disk while an input was being read was reported as
/// that input being unreadable (EM0024), and anywhere else as a failure to report (EM0504).
/// </summary>
public static partial class DiskFull
{
    // strerror(ENOSPC) as glibc and .NET word it, and the Windows HRESULTs ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL.
    private const string NoSpace = "No space left on device";
    private const int DiskFullResult = unchecked((int)0x80070070);
    private const int HandleDiskFullResult = unchecked((int)0x80070027);

    /// <summary>The diagnostic for <paramref name="e"/> or one of its inner exceptions when it is a full device; null otherwise.</summary>
    public static DiagnosticException? Diagnose(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is DiagnosticException)
            {
                return null;
            }

            if (x.Message.Contains(NoSpace, StringComparison.Ordinal) || (x is IOException && x.HResult is DiskFullResult or HandleDiskFullResult))
            {
                return At(PathOf(x.Message));
            }
        }

        return null;
    }

    /// <summary>The diagnostic for a full device while writing <paramref name="path"/> (unknown when null).</summary>
    public static DiagnosticException At(string? path) =>
        DiagnosticException.At(Codes.DiskFull, path is null ? SourceSpan.None : SourceSpan.PathOnly(Dbt.DisplayPath.For(path)),
            $"no space left on the device to write {(path is null ? "a file" : "this file")}; the command stopped there. Free space on that device (DuckDB's spill files go to engine.temp_directory) and run it again");

    /// <summary>Throws <see cref="Diagnose"/>'s diagnostic when <paramref name="e"/> is a full device; returns otherwise.</summary>
    public static void ThrowIfFull(Exception e)
    {
        if (Diagnose(e) is { } full)
        {
            throw full;
        }
    }

    /// <summary>The file a failed write names: DuckDB's <c>Could not write file "…"</c>, or .NET's <c>… : '…'</c>.</summary>
    internal static string? PathOf(string message)
    {
        var match = DuckDbFile().Match(message);
        if (!match.Success)
        {
            match = DotNetFile().Match(message);
        }

        return match.Success ? match.Groups["path"].Value : null;
    }

    [GeneratedRegex("""(?:write|open|create|extend) file "(?<path>[^"]+)""")]
    private static partial Regex DuckDbFile();

    [GeneratedRegex(""" : '(?<path>[^']+)'""")]
    private static partial Regex DotNetFile();
}
