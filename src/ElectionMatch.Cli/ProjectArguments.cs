using System.CommandLine;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli;

/// <summary>The options every command shares, named as dbt names them.</summary>
internal sealed class ProjectArguments
{
    public Option<string> ProjectDir { get; } = new("--project-dir") { Description = "The dbt project directory (holds dbt_project.yml and electionmatch.yml).", DefaultValueFactory = _ => "." };

    public Option<string?> ProfilesDir { get; } = new("--profiles-dir") { Description = "Where profiles.yml is (default: $DBT_PROFILES_DIR, the project directory, then ~/.dbt)." };

    public Option<string?> Target { get; } = new("--target") { Description = "The profile target to use (default: the profile's 'target')." };

    public void AddTo(Command command)
    {
        command.Options.Add(ProjectDir);
        command.Options.Add(ProfilesDir);
        command.Options.Add(Target);
    }

    public ProjectOptions Read(ParseResult result) =>
        new(result.GetValue(ProjectDir)!, result.GetValue(ProfilesDir), result.GetValue(Target));
}
