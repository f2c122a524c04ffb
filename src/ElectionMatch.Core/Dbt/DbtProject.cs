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

    /// <summary>The environment variables dbt_project.yml reads through env_var() in what ElectionMatch uses.</summary>
    public IReadOnlyList<string> EnvironmentVariables { get; private init; } = [];

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
        // dbt renders env_var() in dbt_project.yml too, so `profile: "{{ env_var('DBT_PROFILE', 'x') }}"` names profile x.
        var variables = new SortedSet<string>(StringComparer.Ordinal);
        string Render(string value, SourceSpan at)
        {
            variables.UnionWith(EnvVars.Names(value));
            return EnvVars.Expand(value, at);
        }

        string? Rendered(string key) => yaml.String(key) is { } value ? Render(value, yaml.AtValue(key)) : null;
        var profile = Rendered("profile") ?? name;
        var pathsKey = yaml.Has("model-paths") ? "model-paths" : yaml.Has("source-paths") ? "source-paths" : null;
        var modelPaths = pathsKey is null ? ["models"] : yaml.StringList(pathsKey).Select(p => Render(p, yaml.AtValue(pathsKey))).ToList();
        var target = Rendered("target-path") ?? "target";
        // Without profile:, dbt reads the profile named after the project, so name: is the line that chose it.
        var profileAt = yaml.AtValue(yaml.Has("profile") ? "profile" : "name");
        return new DbtProject(full, name, profile, modelPaths, target) { ProfileAt = profileAt, EnvironmentVariables = [.. variables] };
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
