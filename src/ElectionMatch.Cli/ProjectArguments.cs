using System.CommandLine;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli;

/// <summary>The options every command shares, named as dbt names them.</summary>
internal sealed class ProjectArguments
{
    public Option<string?> ProjectDir { get; } = new("--project-dir")
    {
        Description = "The dbt project directory (holds dbt_project.yml and electionmatch.yml). Default, as dbt: $DBT_PROJECT_DIR when set, else the current directory or the nearest one above it that holds dbt_project.yml.",
    };

    public Option<string?> ProfilesDir { get; } = new("--profiles-dir") { Description = "Where profiles.yml is (default, as dbt: $DBT_PROFILES_DIR when set, and then only there; else the project directory, then ~/.dbt)." };

    public Option<string?> Target { get; } = new("--target") { Description = "The profile target to use (default: the profile's 'target')." };

    // A negative wait was once clamped to 0 silently; a typo must not turn "wait" into "fail at once". The cap is ElectionMatchLockTimeout's.
    public NumberOption<double> LockTimeout { get; } = new(
        new("--lock-timeout") { Description = "Seconds to wait for another electionmatch command (or program) using the same warehouse to finish; at most 1e11, to wait as long as it takes.", DefaultValueFactory = _ => "60" },
        Codes.InvalidOption,
        "a number of seconds (0 or more)",
        seconds => double.IsFinite(seconds) && seconds >= 0,
        Warehouse.LockWait.MaxTimeoutSeconds);

    public void AddTo(Command command)
    {
        command.Options.Add(ProjectDir);
        command.Options.Add(ProfilesDir);
        command.Options.Add(Target);
        command.Options.Add(LockTimeout.Option);
    }

    public ProjectOptions Read(ParseResult result) =>
        new(result.GetValue(ProjectDir) is { } given ? DbtProject.Locate(given) : DbtProject.Locate(Environment.GetEnvironmentVariable("DBT_PROJECT_DIR"), "DBT_PROJECT_DIR"), result.GetValue(ProfilesDir), result.GetValue(Target))
        {
            ProjectDirectoryAsGiven = result.GetValue(ProjectDir),
            LockTimeout = TimeSpan.FromSeconds(LockTimeout.Read(result)),
            // A command waiting up to a minute in silence looks hung.
            LockWaiting = line => Output.Terminal.Error.WriteLine("electionmatch: " + line),
        };
}
