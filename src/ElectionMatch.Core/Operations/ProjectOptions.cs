namespace ElectionMatch.Operations;

/// <summary>Where the dbt project is and which profile target to use, as given on the command line or in MSBuild.</summary>
public sealed record ProjectOptions(string ProjectDirectory, string? ProfilesDirectory = null, string? Target = null)
{
    /// <summary>How long a command waits for another electionmatch command on the same warehouse to finish.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Told, once, that the command waits for the warehouse and for whom (<see cref="Warehouse.LockWait.Waiting"/>); the CLI prints it.</summary>
    public Action<string>? LockWaiting { get; init; }

    /// <summary>What runs the operation; it words the commands messages tell the user to run.</summary>
    public ProjectHost Host { get; init; } = ProjectHost.Cli;
}
