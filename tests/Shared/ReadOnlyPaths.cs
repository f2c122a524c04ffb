using System.Diagnostics;

namespace ElectionMatch.Tests;

/// <summary>Makes files or directories immutable, and writable again: chattr for root (whom modes do not stop), modes otherwise.</summary>
internal static class ReadOnlyPaths
{
    public static void Set(List<string> paths, bool readOnly)
    {
        if (Environment.UserName == "root")
        {
            var info = new ProcessStartInfo("chattr") { RedirectStandardError = true };
            info.ArgumentList.Add(readOnly ? "+i" : "-i");
            paths.ForEach(info.ArgumentList.Add);
            using var process = Process.Start(info)!;
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "chattr failed: " + process.StandardError.ReadToEnd());
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Assert.Fail("a read-only project needs Unix file modes");
            return;
        }

        foreach (var path in paths)
        {
            File.SetUnixFileMode(path, readOnly
                ? UnixFileMode.UserRead | UnixFileMode.UserExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
