using System.Reflection;

namespace ElectionMatch;

/// <summary>The tool's name and version as written into generated files and manifests.</summary>
public static class ToolInfo
{
    public const string Name = "electionmatch";

    public static string Version { get; } =
        typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
