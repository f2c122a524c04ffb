using System.Security.Cryptography;
using System.Text;
using Microsoft.Build.Framework;

namespace ElectionMatch.Build;

/// <summary>
/// One hash over the sorted list of input paths and the settings that change a result. MSBuild's own
/// Hash task keeps item order, and glob order is not stable once a file is added, so the list is sorted here.
/// Only the list is hashed, not file contents: timestamps (the targets' Inputs/Outputs) cover edits.
/// </summary>
public sealed class HashInputs : Microsoft.Build.Utilities.Task
{
    [Required]
    public ITaskItem[] Files { get; set; } = [];

    /// <summary>Anything besides the file list that changes the result (target, warnings as errors).</summary>
    public string? Settings { get; set; }

    /// <summary>Environment variables whose values change the result (those profiles.yml reads); each value is hashed, never kept.</summary>
    public ITaskItem[] Environment { get; set; } = [];

    [Output]
    public string Hash { get; private set; } = "";

    public override bool Execute()
    {
        Hash = Of(Files.Select(f => f.GetMetadata("FullPath")), (Settings ?? "") + ";warnaserror=" + string.Join(',', PromotedCodes()), Environment.Select(e => e.ItemSpec), System.Environment.GetEnvironmentVariable);
        return true;
    }

    /// <summary>
    /// The EM codes MSBuild itself turns from warnings into errors in this build (<c>-warnaserror[:codes]</c>,
    /// <c>MSBuildTreatWarningsAsErrors</c>, <c>MSBuildWarningsAsErrors</c>, less <c>-warnnotaserror</c> and
    /// <c>-warnasmessage</c>): a stamp made while they were warnings must not skip a build in which they fail it.
    /// </summary>
    private IEnumerable<string> PromotedCodes() =>
        BuildEngine is IBuildEngine8 engine ? EmCodes.Where(engine.ShouldTreatWarningAsError) : [];

    private static readonly string[] EmCodes = typeof(ElectionMatch.Diagnostics.Codes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .Order(StringComparer.Ordinal)
        .ToArray();

    internal static string Of(IEnumerable<string> paths, string settings, IEnumerable<string>? variables = null, Func<string, string?>? lookup = null)
    {
        var text = new StringBuilder(settings).Append('\n');
        foreach (var name in (variables ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            // A value may be a secret: only its hash goes into the text, and only the whole text's hash into the stamp.
            var value = lookup?.Invoke(name);
            text.Append("env ").Append(name).Append(value is null ? " unset" : " " + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))).Append('\n');
        }

        foreach (var path in paths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            text.Append(path).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
