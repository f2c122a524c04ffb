using ElectionMatch.Diagnostics;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>
/// Refuses a <c>-p:ElectionMatch…</c> property the SDK does not define. MSBuild takes any name, so a misspelt one
/// (<c>-p:ElectionMatchWarningAsErrors=true</c> in CI) changed nothing, and the build passed on what it was meant to fail on.
/// </summary>
public sealed class CheckGlobalProperties : Microsoft.Build.Utilities.Task
{
    private const string Prefix = "ElectionMatch";

    /// <summary>The SDK's own properties, as the targets list them.</summary>
    [Required]
    public ITaskItem[] Known { get; set; } = [];

    /// <summary>Where the error is reported: the project file that imports the SDK.</summary>
    public string? ProjectFile { get; set; }

    public override bool Execute()
    {
        if (BuildEngine is not IBuildEngine6 engine)
        {
            return true;
        }

        var known = Known.Select(k => k.ItemSpec).ToArray();
        var unknown = engine.GetGlobalProperties().Keys
            .Where(n => n.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && !known.Contains(n, StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (var name in unknown)
        {
            // Compared without the prefix every name shares, which would make any two of them look alike.
            var hint = Dbt.Spelling.Nearest(name[Prefix.Length..], known.Select(k => k[Prefix.Length..])) is { } near
                ? $"did you mean {Prefix}{near}?"
                : $"its properties are {string.Join(", ", known)}";
            Log.LogError(null, Codes.BuildPropertyInvalid, null, ProjectFile, 0, 0, 0, 0,
                $"{name} is not a property of ElectionMatch.Sdk, so setting it would change nothing; {hint}");
        }

        return !Log.HasLoggedErrors;
    }
}
