namespace ElectionMatch.Tests;

/// <summary>
/// A private copy of a fixture dbt project in a temporary directory, as committed; tests never write into the repository.
/// </summary>
public sealed class FixtureCopy : IDisposable
{
    private FixtureCopy(string name, string directory)
    {
        Name = name;
        Directory = directory;
    }

    public string Name { get; }

    public string Directory { get; }

    /// <summary>Each fixture's profiles.yml puts its warehouse at target/&lt;fixture&gt;.duckdb.</summary>
    public string WarehousePath => Path.Combine(Directory, "target", Name + ".duckdb");

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ElectionMatch.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("ElectionMatch.sln not found above the test binaries");
        }
    }

    /// <summary>
    /// A copy of the fixture as committed (git's HEAD), whatever the working copy holds: the README's main command
    /// publishes a snapshot into dbt_fixtures/ (a warehouse under target/, a manifest, staging models, a sources entry
    /// that moves every line after it), and a newcomer runs the tests next, in the same checkout. Tests start from what
    /// CI starts from; an edit to a fixture reaches them once committed. Falls back to the working copy's files where git
    /// cannot give the fixture (no repository).
    /// </summary>
    /// <param name="fixture">The folder under dbt_fixtures/.</param>
    /// <param name="directorySuffix">Appended to the copy's folder name, for tests of what a project path may hold.</param>
    public static FixtureCopy Of(string fixture, string directorySuffix = "")
    {
        var target = Path.Combine(Path.GetTempPath(), "em-test-" + Guid.NewGuid().ToString("N")[..12] + directorySuffix);
        System.IO.Directory.CreateDirectory(target);
        var archive = new System.Diagnostics.ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", $"git -C \"$1\" archive --format=tar HEAD \"dbt_fixtures/{fixture}\" | tar -x -C \"$2\" --strip-components=2", "sh", RepositoryRoot, target },
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using (var process = System.Diagnostics.Process.Start(archive)!)
        {
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode == 0 && File.Exists(Path.Combine(target, "dbt_project.yml")))
            {
                return new FixtureCopy(fixture, target);
            }
        }

        System.IO.Directory.Delete(target, recursive: true);
        System.IO.Directory.CreateDirectory(target);
        CopyFiles(Path.Combine(RepositoryRoot, "dbt_fixtures", fixture), target, overwrite: true);
        return new FixtureCopy(fixture, target);
    }

    /// <summary>A copy of this copy (warehouse included), so a test can start from a state another test's setup paid for.</summary>
    public FixtureCopy Clone()
    {
        var target = Path.Combine(Path.GetTempPath(), "em-test-" + Guid.NewGuid().ToString("N")[..12]);
        CopyFiles(Directory, target);
        return new FixtureCopy(Name, target);
    }

    /// <summary>
    /// Copies every file under <paramref name="source"/> to the same place under <paramref name="target"/>, making its
    /// folders; <paramref name="overwrite"/> replaces files already there (otherwise one there is an error).
    /// </summary>
    public static void CopyFiles(string source, string target, bool overwrite = false)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite);
        }
    }

    public string PathOf(string relative) => Path.Combine(Directory, relative);

    public string Read(string relative) => File.ReadAllText(PathOf(relative));

    public void Write(string relative, string text) => File.WriteAllText(PathOf(relative), text);

    /// <summary>Replaces every <paramref name="old"/> in the file with <paramref name="with"/>, failing the test when the file has none (the fixture changed).</summary>
    public void Replace(string relative, string old, string with)
    {
        var text = Read(relative);
        Assert.Contains(old, text, StringComparison.Ordinal);
        Write(relative, text.Replace(old, with, StringComparison.Ordinal));
    }

    /// <summary>Puts <paramref name="inserted"/> as a line of its own before the line that starts with <paramref name="lineStart"/> (never the first line).</summary>
    public void InsertBefore(string relative, string lineStart, string inserted) =>
        Replace(relative, "\n" + lineStart, "\n" + inserted + "\n" + lineStart);

    /// <summary>
    /// Keeps the goodparty fixture's candidacies of these states ("" for those with none), so an incremental run has few
    /// partitions. The state is the fifth field; a comma inside quotes does not split fields.
    /// </summary>
    public void KeepCandidaciesOf(params string[] states)
    {
        const string Left = "data/airbyte/hubspot_candidacy.csv";
        static string? Fifth(string line)
        {
            var (field, quoted, start) = (0, false, 0);
            for (var i = 0; i <= line.Length; i++)
            {
                if (i < line.Length && line[i] == '"')
                {
                    quoted = !quoted;
                }
                else if (i == line.Length || (line[i] == ',' && !quoted))
                {
                    if (field++ == 4)
                    {
                        return line[start..i].Trim('"');
                    }

                    start = i + 1;
                }
            }

            return null;
        }

        File.WriteAllLines(PathOf(Left), File.ReadAllLines(PathOf(Left)).Where((l, i) => i == 0 || states.Contains(Fifth(l))));
    }

    /// <summary>Copies every file of the project, its warehouse and manifests included, to <paramref name="target"/>.</summary>
    public void CopyTo(string target)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(Directory, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    /// <summary>Every file of the project with its bytes, to prove a failed command changed nothing.</summary>
    public Dictionary<string, string> Snapshot() =>
        System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(Directory, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finishing child process; the OS cleans temp directories.
        }
    }
}
