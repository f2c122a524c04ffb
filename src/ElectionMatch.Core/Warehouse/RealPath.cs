namespace ElectionMatch.Warehouse;

/// <summary>
/// A path with every symbolic link in it resolved, as realpath(3) gives it, also for a path whose last components do
/// not exist yet (a warehouse a run is about to create): one file reached through a symlinked project directory and
/// through its real directory is one path here. <see cref="Path.GetFullPath(string)"/> resolves no link.
/// </summary>
internal static class RealPath
{
    /// <summary>Links followed in one path before giving up (Linux's own limit, beyond which it reports ELOOP).</summary>
    private const int MaxLinks = 40;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    /// <param name="path">Relative paths are read against <see cref="Dbt.WorkingDirectory.Current"/>.</param>
    public static string Of(string path)
    {
        var rooted = Path.IsPathFullyQualified(path) ? path : Path.Combine(Dbt.WorkingDirectory.Current, path);
        var links = 0;
        return Resolve(rooted, ref links) ?? Path.GetFullPath(rooted);
    }

    /// <summary>Component by component, so a <c>..</c> after a link leaves the link's target, as the OS reads it; null on a link loop.</summary>
    private static string? Resolve(string path, ref int links)
    {
        var resolved = Path.GetPathRoot(path)!;
        foreach (var part in path[resolved.Length..].Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }

            var next = Path.Combine(resolved, part);
            if (new FileInfo(next).LinkTarget is not { } target)
            {
                // Not a link, or not there yet: what follows cannot be a link either, and is kept as written.
                resolved = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            // A relative target is read from the link's directory, and may hold links and '..' of its own.
            if (Resolve(Path.IsPathFullyQualified(target) ? target : Path.Combine(resolved, target), ref links) is not { } real)
            {
                return null;
            }

            resolved = real;
        }

        return resolved;
    }
}
