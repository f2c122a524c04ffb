using System.Reflection;

namespace ElectionMatch.Synthesis;

/// <summary>Reads a CSV shipped in Reference/ (see Reference/README.md for sources and licences), one split line at a time.</summary>
internal static class ReferenceFile
{
    /// <summary>The rows after the header, split on commas (these files quote nothing).</summary>
    public static IEnumerable<string[]> Rows(string fileName)
    {
        var resource = "reference/" + fileName;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{resource} is not embedded in the library");
        using var reader = new StreamReader(stream);
        reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                yield return line.Split(',');
            }
        }
    }
}
