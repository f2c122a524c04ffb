using ElectionMatch.Dbt;
using ElectionMatch.Settings;

namespace ElectionMatch.Generation;

/// <summary>Where the dbt version that the generated YAML is written for comes from.</summary>
public enum DbtVersionSource
{
    /// <summary>No version is known: the form every supported dbt reads.</summary>
    None,

    /// <summary>The lower bound of <c>require-dbt-version</c> in dbt_project.yml.</summary>
    RequireDbtVersion,

    /// <summary><c>dbt_version:</c> in electionmatch.yml.</summary>
    Setting,
}

/// <summary>
/// Which form the generated dbt YAML takes. dbt 1.10 moved a source table's <c>meta:</c> under <c>config:</c>
/// (PropertyMovedToConfigDeprecation; <c>config: meta:</c> is read since 1.9) and a generic test's arguments under
/// <c>arguments:</c> (MissingArgumentsPropertyInGenericTestDeprecation; read since 1.10.5 when the flag
/// <c>require_generic_test_arguments_property</c> is on, its default from 1.10.8). Older dbt fails on the new forms, so
/// each follows the oldest dbt the project runs on, never a build artifact: the same files on every machine.
/// </summary>
public sealed record DbtYamlForm(DbtVersion? Version, DbtVersionSource Source, bool? GenericTestArgumentsFlag)
{
    private static readonly DbtVersion MetaInConfigSince = new(1, 10, 0);
    private static readonly DbtVersion ArgumentsPropertySince = new(1, 10, 5);
    private static readonly DbtVersion ArgumentsPropertyByDefaultSince = new(1, 10, 8);

    // dbt Fusion (2.x) reads test arguments only under `arguments:`, whatever the flag says.
    private static readonly DbtVersion ArgumentsPropertyOnlySince = new(2, 0, 0);

    /// <summary>The form dbt 1.x before 1.10 reads without a warning, and every later one reads with warnings.</summary>
    public static DbtYamlForm Classic { get; } = new(null, DbtVersionSource.None, null);

    /// <summary>A source table's <c>meta:</c> goes under <c>config:</c>.</summary>
    public bool MetaInConfig => Version is { } v && v >= MetaInConfigSince;

    /// <summary>A generic test's arguments go under <c>arguments:</c>: exactly when dbt reads them there.</summary>
    public bool TestArgumentsProperty => Version is { } v
        && (v >= ArgumentsPropertyOnlySince || (v >= ArgumentsPropertySince && (GenericTestArgumentsFlag ?? v >= ArgumentsPropertyByDefaultSince)));

    /// <summary>electionmatch.yml's <c>dbt_version</c>, else the lower bound of dbt_project.yml's <c>require-dbt-version</c>, else <see cref="Classic"/>.</summary>
    public static DbtYamlForm For(ElectionMatchSettings settings, DbtProject project) =>
        settings.DbtVersion is { } set ? new(set, DbtVersionSource.Setting, project.GenericTestArgumentsFlag)
        : project.RequiredDbtVersion is { } required ? new(required, DbtVersionSource.RequireDbtVersion, project.GenericTestArgumentsFlag)
        : Classic with { GenericTestArgumentsFlag = project.GenericTestArgumentsFlag };

    /// <summary>What this form leaves in the older shape that the given form moves (empty when it moves nothing more).</summary>
    public IReadOnlyList<string> OlderThan(DbtYamlForm other) =>
    [
        .. other.MetaInConfig && !MetaInConfig ? ["a sources entry's top-level meta:, PropertyMovedToConfigDeprecation"] : Array.Empty<string>(),
        .. other.TestArgumentsProperty && !TestArgumentsProperty ? ["test arguments outside arguments:, MissingArgumentsPropertyInGenericTestDeprecation"] : Array.Empty<string>(),
    ];

    /// <summary>Which form this is and where its version came from, for messages.</summary>
    public string Describe(ElectionMatchSettings settings, DbtProject project) => Source switch
    {
        DbtVersionSource.Setting => $"the form of dbt {Version} (dbt_version in {DisplayPath.For(settings.FilePath)})",
        DbtVersionSource.RequireDbtVersion => $"the form of dbt {Version} (the lower bound of require-dbt-version in {DisplayPath.For(project.FilePath)})",
        _ => "the form every dbt reads (no dbt_version in electionmatch.yml, no lower bound in require-dbt-version)",
    };
}
