namespace ElectionMatch.Safety;

/// <summary>Whether a process id recorded by a lock owner or a temporary file name still runs.</summary>
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
}
