using System.Runtime.InteropServices;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>
/// What every ElectionMatch task shares: where the dbt project is, loading it, turning the core's
/// diagnostics into MSBuild errors and warnings with file, line, column and EM code, and stopping when
/// the build is cancelled (Ctrl-C), as the CLI's commands stop on Ctrl-C.
/// </summary>
public abstract class ProjectTask : Microsoft.Build.Utilities.Task, ICancelableTask
{
    // Never disposed: it holds no timer, and MSBuild may call Cancel after Execute has returned.
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>The dbt project directory (holds dbt_project.yml and electionmatch.yml).</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>Where profiles.yml is; empty means dbt's search ($DBT_PROFILES_DIR when set, else the project, then ~/.dbt).</summary>
    public string? ProfilesDirectory { get; set; }

    /// <summary>
    /// Where <c>dotnet build</c> was started (<c>$(MSBuildStartupDirectory)</c>): a relative <c>$DBT_PROFILES_DIR</c> is read
    /// from there, as the CLI and dbt read it from the directory they run in, not from the project's folder tasks run in.
    /// </summary>
    public string? StartupDirectory { get; set; }

    /// <summary>The profile target; empty means the profile's own <c>target</c>.</summary>
    public string? DbtTarget { get; set; }

    /// <summary>The project file that imports the SDK: where a diagnostic with no file of its own (a bad property value) is reported.</summary>
    public string? ProjectFile { get; set; }

    /// <summary>
    /// Where the targets keep their stamps and lists (<c>ElectionMatchIntermediateOutputPath</c>); empty for a task that
    /// writes none. Probed before the work, so a read-only <c>target/</c> is EM0503 there, not MSBuild's MSB3191 after it.
    /// </summary>
    public string? IntermediateDirectory { get; set; }

    /// <summary>Report warnings as errors, for pre-merge CI.</summary>
    public bool WarningsAsErrors { get; set; }

    /// <summary>Seconds to wait for another electionmatch command on the same warehouse (<c>--lock-timeout</c>); empty means 60.</summary>
    public string? LockTimeout { get; set; }

    /// <summary>Files outside the watched folders that the result depends on (profiles.yml, the warehouse and its .wal, dbt's manifest.json, external sources), existing or not.</summary>
    [Output]
    public ITaskItem[] Dependencies { get; private set; } = [];

    /// <summary>The folders whose SQL, YAML and JSON the targets glob on the next build (<see cref="ProjectDependencies.WatchedDirectories"/>).</summary>
    [Output]
    public ITaskItem[] WatchedDirectories { get; private set; } = [];

    /// <summary>The globs of external sources (<see cref="ProjectDependencies.ExternalGlobs"/>); every later build lists their files.</summary>
    [Output]
    public ITaskItem[] ExternalGlobs { get; private set; } = [];

    /// <summary>The environment variables profiles.yml and the sources YAML read; the next build hashes their values with its inputs.</summary>
    [Output]
    public ITaskItem[] EnvironmentVariables { get; private set; } = [];

    /// <summary>Called by MSBuild on another thread when the build is cancelled: the operation stops at its next stage, publishing nothing.</summary>
    public void Cancel() => _cancel.Cancel();

    public sealed override bool Execute()
    {
        try
        {
            _cancel.Token.ThrowIfCancellationRequested();
            var dbtProject = Path.Combine(ElectionMatch.Dbt.WorkingDirectory.Full(string.IsNullOrEmpty(ProjectDirectory) ? "." : ProjectDirectory), "dbt_project.yml");
            if (!File.Exists(dbtProject))
            {
                // The CLI's words name its --project-dir, and '.' for the folder the build ran in.
                throw DiagnosticException.At(Codes.ProjectMissing, SourceSpan.PathOnly(dbtProject),
                    $"no dbt_project.yml in {Path.GetDirectoryName(dbtProject)}; put the project file beside dbt_project.yml, or set ElectionMatchProjectDirectory to the dbt project's folder (in the project file, or -p:ElectionMatchProjectDirectory=…)");
            }

            var context = ProjectContext.Load(new ProjectOptions(ProjectDirectory, NullIfEmpty(ProfilesDirectory), NullIfEmpty(DbtTarget))
            {
                LockTimeout = ParseLockTimeout(LockTimeout), Host = ProjectHost.MSBuild, StartupDirectory = NullIfEmpty(StartupDirectory),
                // As the CLI says it on stderr: without it a build on a held warehouse sat silent for up to the whole timeout.
                LockWaiting = line => Log.LogMessage(MessageImportance.High, "electionmatch: " + Secrets.Redact(InBuildWords(line))),
            });
            // Escaped: the targets glob, remove and compare these paths as items, and a project path may hold ';', '%' or '@'.
            Dependencies = ProjectDependencies.Of(context).Select(LiteralItem.Of).ToArray();
            WatchedDirectories = ProjectDependencies.WatchedDirectories(context).Select(LiteralItem.Of).ToArray();
            ExternalGlobs = ProjectDependencies.ExternalGlobs(context).Select(LiteralItem.Of).ToArray();
            EnvironmentVariables = context.Target.EnvironmentVariables.Union(context.Sources.EnvironmentVariables, StringComparer.Ordinal).Select(LiteralItem.Of).ToArray();
            EnsureWritable(NullIfEmpty(IntermediateDirectory));
            Execute(context, _cancel.Token);
        }
        catch (DiagnosticException e)
        {
            Report(e.Diagnostics);
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            // One error, so the cancelled build says why it failed (MSBuild's own summary would say 0 errors).
            Report([Diagnostic.Error(Codes.BuildCancelled, SourceSpan.None, $"{GetType().Name} was cancelled: {Cancelled}")]);
        }
        catch (DllNotFoundException e)
        {
            Report([Diagnostic.Error(Codes.BuildNativeLibraryMissing, SourceSpan.None, NativeLibraryMissing(e))]);
        }
        catch (Exception e) when (DiskFull.Diagnose(e) is { } full)
        {
            Report(full.Diagnostics);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything the core did not turn into a diagnostic still fails the build with our code, not MSBuild's MSB4018 stack dump.
            Report([Diagnostic.Error(Codes.BuildTaskFailed, SourceSpan.None, $"{GetType().Name} failed: {e.GetType().Name}: {e.Message}")]);
            Log.LogMessage(MessageImportance.Low, Secrets.Redact(e.ToString()));
        }

        return !Log.HasLoggedErrors;
    }

    protected abstract void Execute(ProjectContext context, CancellationToken cancellationToken);

    /// <summary>What a cancelled task left, for its error.</summary>
    protected virtual string Cancelled => "it stopped before its work was done, and wrote no stamp, so the next build does the work again";

    protected void Report(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            // Full paths: MSBuild prints them as given, and IDEs and CI annotations resolve them from anywhere. A diagnostic
            // with no file (a property's value, a cancelled build) goes to the project file, as EM0200 does: left without,
            // MSBuild would put it at the task's line in the SDK's .targets inside the NuGet cache.
            var file = string.IsNullOrEmpty(diagnostic.File) ? NullIfEmpty(ProjectFile) : ElectionMatch.Dbt.WorkingDirectory.Full(diagnostic.File);
            var message = Secrets.Redact(InBuildWords(diagnostic.Message));
            if (diagnostic.IsError || WarningsAsErrors)
            {
                Log.LogError(null, diagnostic.Code, null, file, diagnostic.Line, diagnostic.Column, 0, 0, message);
            }
            else
            {
                Log.LogWarning(null, diagnostic.Code, null, file, diagnostic.Line, diagnostic.Column, 0, 0, message);
            }
        }
    }

    // The CLI options a core message advises, as the build sets them (its other advice is worded for the host already).
    private static readonly (string Cli, string Build)[] OptionWords =
    [
        ("pass --lock-timeout <seconds> to wait longer", "set -p:ElectionMatchLockTimeout=<seconds> to wait longer"),
        ("(--lock-timeout) for the warehouse", "(ElectionMatchLockTimeout) for the warehouse"),
        // A build user may have no electionmatch on the path, and a CI build leaves generation out
        // (ElectionMatchGenerateOnBuild=false). The rewrite is ElectionMatchGenerate's RewriteRefs property.
        ("`electionmatch generate --rewrite-refs`", "`dotnet build -t:ElectionMatchGenerate -p:RewriteRefs=true`"),
        ("`electionmatch generate`", "`dotnet build -t:ElectionMatchGenerate`"),
        ("set --profiles-dir or DBT_PROFILES_DIR", "set ElectionMatchProfilesDirectory or DBT_PROFILES_DIR"),
    ];

    private static string InBuildWords(string message) =>
        OptionWords.Aggregate(message, (text, words) => text.Replace(words.Cli, words.Build, StringComparison.Ordinal));

    protected static ITaskItem[] Items(IEnumerable<string> displayPaths) =>
        displayPaths.Select(p => LiteralItem.Of(ElectionMatch.Dbt.WorkingDirectory.Full(p))).ToArray();

    /// <summary>EM0202's message, for any task that loads DuckDB.</summary>
    internal static string NativeLibraryMissing(DllNotFoundException e) =>
        $"DuckDB's native library for {RuntimeInformation.RuntimeIdentifier} was not found beside the ElectionMatch tasks ({Path.GetDirectoryName(typeof(ProjectTask).Assembly.Location)}): {e.Message}";

    /// <summary>A <c>SnapshotDate</c> property's value (YYYY-MM-DD); null when empty. Another form is EM0041, at the project file.</summary>
    protected static DateOnly? ParseDate(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : Snapshots.SnapshotDateRange.Parse("SnapshotDate", text);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static void EnsureWritable(string? directory)
    {
        if (directory is not null && Snapshots.WriteProbe.Directory(Path.GetFullPath(directory)) is (var existing, { } problem))
        {
            throw DiagnosticException.At(Codes.ProjectNotWritable, SourceSpan.PathOnly(existing),
                $"the directory cannot be written ({problem}); `dotnet build` keeps its stamps in {Path.TrimEndingDirectorySeparator(directory)} (ElectionMatchIntermediateOutputPath); make it writable, or set ElectionMatchIntermediateOutputPath to a folder that is");
        }
    }

    private static TimeSpan ParseLockTimeout(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeSpan.FromSeconds(60);
        }

        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || !(seconds >= 0))
        {
            throw DiagnosticException.At(Codes.BuildPropertyInvalid, SourceSpan.None, $"ElectionMatchLockTimeout '{text}' is not a number of seconds (0 or more)");
        }

        return seconds <= Warehouse.LockWait.MaxTimeoutSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw DiagnosticException.At(Codes.BuildPropertyInvalid, SourceSpan.None,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ElectionMatchLockTimeout '{text}' is more than it takes ({Warehouse.LockWait.MaxTimeoutSeconds} seconds at most)"));
    }
}
