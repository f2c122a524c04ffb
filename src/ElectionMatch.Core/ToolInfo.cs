using System.Reflection;

namespace ElectionMatch;

/// <summary>The tool's name and version as written into generated files and manifests.</summary>
public static class ToolInfo
{
    public const string Name = "electionmatch";

    public static string Version { get; } = Build.Split('+')[0];

    /// <summary>The version with the commit it was built from (<c>0.1.0+7bad151…</c>), for caches that one build may not share with another.</summary>
    public static string Build => typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>
    /// The build and the identity of the compiled matching code (<c>0.1.0+7bad151…/9f1c…</c>), for caches of what that
    /// code computed. The build's commit misses uncommitted edits and a build from a source tree without git; the
    /// assembly's module version id does not: the builds are deterministic, so it is a hash of the compiled code and
    /// its embedded resources, the same for the same code and new for any change.
    /// </summary>
    public static string Fingerprint { get; } = Build + "/" + typeof(ToolInfo).Assembly.ManifestModule.ModuleVersionId.ToString("N");
}
