namespace ElectionMatch.Safety;

/// <summary>What a process id recorded by a lock owner, a temporary file name or DuckDB's lock message stands for now.</summary>
internal static class LiveProcess
{
    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the process is an electionmatch command: its executable is the <c>electionmatch</c> apphost (a dotnet
    /// tool), or, on Linux, its command line runs <c>electionmatch.dll</c> (<c>dotnet electionmatch.dll …</c>, as DuckDB
    /// names just <c>dotnet</c>). An MSBuild node running the tasks is not recognised: it is said to be a program.
    /// </summary>
    /// <param name="executable">The executable's path as DuckDB names it.</param>
    public static bool IsElectionMatch(int pid, string executable)
    {
        if (Path.GetFileNameWithoutExtension(executable).Equals("electionmatch", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            // NUL-separated arguments; the file is readable for every user's processes.
            return File.ReadAllText(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/proc/{pid}/cmdline")).Split('\0')
                .Any(argument => Path.GetFileName(argument).Equals("electionmatch.dll", StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // not Linux, or the process is gone
        }
    }
}
