namespace ElectionMatch.Operations;

/// <summary>
/// What runs the operations: the <c>electionmatch</c> CLI or <c>dotnet build</c> with ElectionMatch.Sdk. A message that
/// tells the user what to run words it for the host, since an MSBuild user may not have the CLI installed.
/// </summary>
public enum ProjectHost
{
    Cli,
    MSBuild,
}
