using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>What ElectionMatch needs from <c>dbt_project.yml</c>.</summary>
public sealed class DbtProject
{
    private DbtProject(string directory, string name, string profileName, IReadOnlyList<string> modelPaths, string targetPath)
    {
        Directory = directory;
        Name = name;
        ProfileName = profileName;
        ModelPaths = modelPaths;
        TargetPath = targetPath;
    }

    public string Directory { get; }

    public string Name { get; }

    public string ProfileName { get; }

    /// <summary>Where dbt_project.yml names the profile, for errors about finding it.</summary>
    public SourceSpan ProfileAt { get; private init; }

    /// <summary>Model folders, relative to the project directory.</summary>
    public IReadOnlyList<string> ModelPaths { get; }

    public string TargetPath { get; }

    public string FilePath => Path.Combine(Directory, "dbt_project.yml");

    public string Resolve(string relative) => Path.GetFullPath(Path.Combine(Directory, relative));

    public static DbtProject Load(string directory)
    {
        var full = Path.GetFullPath(directory);
        var file = Path.Combine(full, "dbt_project.yml");
        if (!File.Exists(file))
        {
            throw DiagnosticException.At(Codes.ProjectMissing, SourceSpan.PathOnly(DisplayPath.For(file)), $"no dbt_project.yml in '{DisplayPath.For(full)}'; pass --project-dir to point at the dbt project");
        }

        var yaml = YamlFile.Load(file).RootMap();
        var name = yaml.RequiredString("name");
        var profile = yaml.String("profile") ?? name;
        var modelPaths = yaml.Has("model-paths") ? yaml.StringList("model-paths") : yaml.Has("source-paths") ? yaml.StringList("source-paths") : ["models"];
        var target = yaml.String("target-path") ?? "target";
        // Without profile:, dbt reads the profile named after the project, so name: is the line that chose it.
        var profileAt = yaml.AtValue(yaml.Has("profile") ? "profile" : "name");
        return new DbtProject(full, name, profile, modelPaths, target) { ProfileAt = profileAt };
    }

    /// <summary>Every file under the model paths with one of the given extensions, in a stable order.</summary>
    public IEnumerable<string> ModelFiles(params string[] extensions) =>
        ModelPaths
            .Select(Resolve)
            .Where(System.IO.Directory.Exists)
            .SelectMany(dir => System.IO.Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            .Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
}
