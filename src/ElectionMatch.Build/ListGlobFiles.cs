using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>
/// The files the globs of external sources (<see cref="ProjectDependencies.ExternalGlobs"/>) match now, listed by DuckDB
/// as a run lists them (<see cref="DuckDbWarehouse.Glob"/>), so a file added to or removed from a glob changes the input
/// list. Runs on every build, a no-op one too, from the kept patterns: it opens an in-memory database, never the
/// warehouse, and reads no YAML; a project without globs never loads DuckDB here.
/// </summary>
public sealed class ListGlobFiles : Microsoft.Build.Utilities.Task
{
    /// <summary>Full patterns, such as <c>/repo/data/hs/*.csv</c>.</summary>
    public ITaskItem[] Patterns { get; set; } = [];

    /// <summary>Where an error is reported: the project file that imports the SDK.</summary>
    public string? ProjectFile { get; set; }

    /// <summary>Each file a pattern matches, in full.</summary>
    [Output]
    public ITaskItem[] Files { get; private set; } = [];

    public override bool Execute()
    {
        if (Patterns.Length == 0)
        {
            return true;
        }

        try
        {
            using var database = DuckDbWarehouse.InMemory();
            Files = Patterns.SelectMany(p => database.Glob(p.ItemSpec)).Distinct(StringComparer.Ordinal).Select(LiteralItem.Of).ToArray();
        }
        catch (DllNotFoundException e)
        {
            Log.LogError(null, Codes.BuildNativeLibraryMissing, null, ProjectFile, 0, 0, 0, 0, ProjectTask.NativeLibraryMissing(e));
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            Log.LogError(null, Codes.BuildTaskFailed, null, ProjectFile, 0, 0, 0, 0, $"{nameof(ListGlobFiles)} failed listing the files of {string.Join(", ", Patterns.Select(p => p.ItemSpec))}: {e.Message}");
        }

        return !Log.HasLoggedErrors;
    }
}
