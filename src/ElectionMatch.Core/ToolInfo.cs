using System.Reflection;

namespace ElectionMatch;

/// <summary>The tool's name and version as written into generated files and manifests.</summary>
public static class ToolInfo
{
    public const string Name = "electionmatch";

    public static string Version { get; } = Build.Split('+')[0];

    /// <summary>The version with the commit it was built from (<c>0.1.0+7bad151…</c>), for caches that one build may not share with another.</summary>
    public static string Build => typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
