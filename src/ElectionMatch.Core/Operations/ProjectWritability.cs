using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Operations;

/// <summary>
/// Checks, before a run does any work, that every place it will write can be written, and that the sources YAML it
/// adds an entry to exists: a read-only project (a checkout mounted read-only, a CI cache) then fails with one clear
/// error instead of half way through, after the warehouse has been written and before the manifest or the dbt files are.
/// </summary>
internal static class ProjectWritability
{
    /// <param name="snapshot">The snapshot the run publishes: the files it replaces (its staging model and manifest on
    /// <c>--replace</c>, the match's stable model always) must be writable too, not only their folders.</param>
    public static void Ensure(ProjectContext context, SnapshotName? snapshot = null)
    {
        var snapshots = context.Settings.Snapshots;
        var project = context.Project;
        var problems = new List<Diagnostic>();
        CheckFile(context.Target.DatabasePath, problems);
        foreach (var directory in new[]
        {
            Path.GetDirectoryName(context.Target.DatabasePath)!, // DuckDB writes its .wal beside the database
            project.Resolve(snapshots.ExportDirectory),
            project.Resolve(snapshots.ManifestDirectory),
            project.Resolve(snapshots.StagingDirectory),
        }.Distinct(StringComparer.Ordinal))
        {
            CheckDirectory(directory, problems);
        }

        // DuckDB's spill files: it first writes there when a run outgrows memory_limit, so a directory it cannot write
        // stopped a run half way with a failure to report (EM0504).
        if (context.Settings.Engine is { TempDirectory: { } temp } engine)
        {
            CheckDirectory(project.Resolve(temp), problems, engine.TempDirectoryAt);
        }

        if (snapshot is not null)
        {
            foreach (var file in new[]
            {
                context.SqlPath(snapshot), context.YamlPath(snapshot), context.LatestSqlPath(snapshot.Match),
                Path.ChangeExtension(context.LatestSqlPath(snapshot.Match), ".yml"), context.ManifestPath(snapshot), context.ModelParametersPath(snapshot),
                Path.Combine(project.Resolve(snapshots.ExportDirectory), snapshot.Table + ".parquet"),
            })
            {
                CheckFile(file, problems);
            }
        }

        // The sources YAML that gains the snapshot's entry, as GenerateOperation.AddSourceEntry picks it. It must exist:
        // the run would otherwise fail there, after publishing, and leave the snapshot half done (EM0608).
        var sources = context.SnapshotSourcesFile;
        if (Directory.Exists(sources))
        {
            // Reported by CheckFile below; "not found; create it" would not do.
        }
        else if (!File.Exists(sources))
        {
            problems.Add(context.SnapshotSourcesFileMissing());
        }
        else if (snapshot is not null && context.Sources.Find(snapshots.SourceName, snapshot.Table) is null)
        {
            // The entry must also fit the file: a source without a 'tables:' list, or one written in flow style, would
            // stop the run at the same point. The edit is tried on the text in memory; the entry's body does not matter.
            try
            {
                var (text, _) = UserFileText.Read(sources);
                var entry = $"- name: {snapshot.Table}\n";
                _ = SourcesFileEditor.DeclaresSource(text, sources, snapshots.SourceName)
                    ? SourcesFileEditor.AddTable(text, sources, snapshots.SourceName, entry)
                    : SourcesFileEditor.AddSource(text, sources, $"- name: {snapshots.SourceName}\n  tables:\n  {entry}");
            }
            catch (DiagnosticException e)
            {
                problems.AddRange(e.Diagnostics);
            }
        }

        CheckFile(sources, problems);
        CheckDirectory(Path.GetDirectoryName(sources)!, problems);

        if (problems.Count > 0)
        {
            throw new DiagnosticException(problems);
        }
    }

    /// <summary>
    /// EM0503 for each directory standing where <paramref name="command"/> (<c>the run</c>, <c>generate</c>) writes a file,
    /// checked before it writes anything: replacing one fails ("Is a directory") half way, after other files were written.
    /// </summary>
    public static void RefuseDirectoriesAt(IEnumerable<string> paths, string command)
    {
        var problems = new List<Diagnostic>();
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            DirectoryAt(path, command, problems);
        }

        if (problems.Count > 0)
        {
            throw new DiagnosticException(problems);
        }
    }

    private static bool DirectoryAt(string path, string command, List<Diagnostic> problems)
    {
        if (!Directory.Exists(path))
        {
            return false;
        }

        problems.Add(Diagnostic.Error(Codes.ProjectNotWritable, SourceSpan.PathOnly(DisplayPath.For(path)), $"is a directory where {command} writes a file; move it away or delete it"));
        return true;
    }

    /// <summary>An existing file must open for writing, and no directory may stand where the file goes; nothing is written to it.</summary>
    private static void CheckFile(string path, List<Diagnostic> problems)
    {
        // For the staging files, manifest and parquet copy, replacing a directory failed only once the snapshot was
        // published: the run stopped with EM0504 and left it interrupted (EM0608).
        if (DirectoryAt(path, "the run", problems))
        {
            return;
        }

        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(Diagnostic.Error(Codes.ProjectNotWritable, SourceSpan.PathOnly(DisplayPath.For(path)), $"cannot be written ({Reason(e)}); a run writes the warehouse, the snapshot's files and the sources YAML, so the project must be writable"));
        }
    }

    /// <summary>A directory (or, when it does not exist yet, the nearest one that does) must accept a new file.</summary>
    /// <param name="temporaryAt">Where electionmatch.yml names it as <c>engine.temp_directory</c>: reported there.</param>
    private static void CheckDirectory(string directory, List<Diagnostic> problems, SourceSpan? temporaryAt = null)
    {
        if (Snapshots.WriteProbe.Directory(directory) is not (var existing, { } problem))
        {
            return;
        }

        problems.Add(temporaryAt is { } at
            ? Diagnostic.Error(Codes.ProjectNotWritable, at, $"'temp_directory' is {DisplayPath.For(directory)}, and {DisplayPath.For(existing)} cannot be written ({problem}); DuckDB writes its spill files there when a run needs more than memory_limit")
            : Diagnostic.Error(Codes.ProjectNotWritable, SourceSpan.PathOnly(DisplayPath.For(existing)), $"the directory cannot be written ({problem}); a run writes the warehouse, the snapshot's files and the sources YAML, so the project must be writable"));
    }

    private static string Reason(Exception e) => e is UnauthorizedAccessException ? "permission denied" : e.Message;
}
