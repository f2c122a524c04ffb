namespace ElectionMatch.Operations;

/// <summary>Where the dbt project is and which profile target to use, as given on the command line or in MSBuild.</summary>
public sealed record ProjectOptions(string ProjectDirectory, string? ProfilesDirectory = null, string? Target = null);
