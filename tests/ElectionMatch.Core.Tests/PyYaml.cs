using System.Diagnostics;
using System.Text.Json;

namespace ElectionMatch.Tests;

/// <summary>
/// Reads YAML with PyYAML's safe_load, the parser dbt reads its YAML with (python3 with PyYAML must be installed, as on
/// GitHub's runners), and returns it as JSON: what dbt would see in a file ElectionMatch wrote or edited.
/// </summary>
public static class PyYaml
{
    private const string Script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1], 'rb')), default=str))";

    /// <summary>The file's bytes as PyYAML decodes them (it reads a UTF-8 byte order mark as dbt does).</summary>
    public static JsonElement LoadFile(string path)
    {
        var start = new ProcessStartInfo("python3") { ArgumentList = { "-c", Script, path }, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"PyYAML could not read {path}: {stderr}");
        }

        using var document = JsonDocument.Parse(stdout.Result);
        return document.RootElement.Clone();
    }

    public static JsonElement Load(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), "em-pyyaml-" + Guid.NewGuid().ToString("N")[..12] + ".yml");
        File.WriteAllText(path, text);
        try
        {
            return LoadFile(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
