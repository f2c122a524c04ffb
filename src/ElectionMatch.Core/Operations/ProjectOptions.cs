namespace ElectionMatch.Operations;

/// <summary>Where the dbt project is and which profile target to use, as given on the command line or in MSBuild.</summary>
public sealed record ProjectOptions(string ProjectDirectory, string? ProfilesDirectory = null, string? Target = null)
{
    /// <summary>How long a command waits for another electionmatch command on the same warehouse to finish.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Told, once, that the command waits for the warehouse and for whom (<see cref="Warehouse.LockWait.Waiting"/>); the CLI prints it.</summary>
    public Action<string>? LockWaiting { get; init; }

    /// <summary>
    /// <c>--project-dir</c> as the user typed it, which advice repeats (<see cref="ProjectContext.CommandOptions"/>); null
    /// when the project was found without it (the working directory or one above it, or <c>$DBT_PROJECT_DIR</c>), as the
    /// advised command then finds it too.
    /// </summary>
    public string? ProjectDirectoryAsGiven { get; init; }

    /// <summary>
    /// Where the user started the command, from which a relative <c>DBT_PROFILES_DIR</c> is read, as dbt reads it; null for
    /// the working directory (the CLI's). A build passes <c>$(MSBuildStartupDirectory)</c>: its tasks run in the project's folder.
    /// </summary>
    public string? StartupDirectory { get; init; }

    /// <summary>What runs the operation; it words the commands messages tell the user to run.</summary>
    public ProjectHost Host { get; init; } = ProjectHost.Cli;
}
