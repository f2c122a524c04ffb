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

    /// <summary>
    /// How something recorded as made by <paramref name="version"/>, by the build <paramref name="build"/> (a
    /// <see cref="Fingerprint"/>), was made other than by <paramref name="thisBuild"/> of this version, in a few words
    /// ("another build of electionmatch 0.1.0 (7bad151a2c4e/9f1c0d3e8a7b; this is …)"); null when it was made by it. A
    /// record without its build was made before builds were recorded, so by another build.
    /// </summary>
    public static string? OtherBuild(string version, string? build, string thisBuild) =>
        version != Version ? $"{Name} {version} (this is {Version})"
        : build != thisBuild ? $"another build of {Name} {version} ({(build is null ? "not recorded" : Short(build))}; this is {Short(thisBuild)})"
        : null;

    /// <summary>A fingerprint as a person compares it: the commit's and the code's first 12 characters (<c>7bad151a2c4e/9f1c0d3e8a7b</c>).</summary>
    private static string Short(string fingerprint)
    {
        var commit = fingerprint.Split('+', 2) is [_, var rest] ? rest : fingerprint;
        return string.Join('/', commit.Split('/').Select(part => part.Length > 12 ? part[..12] : part));
    }
}
