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

    [Output]
    public string Hash { get; private set; } = "";

    public override bool Execute()
    {
        Hash = Of(Files.Select(f => f.GetMetadata("FullPath")), Settings ?? "");
        return true;
    }

    internal static string Of(IEnumerable<string> paths, string settings)
    {
        var text = new StringBuilder(settings).Append('\n');
        foreach (var path in paths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            text.Append(path).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
