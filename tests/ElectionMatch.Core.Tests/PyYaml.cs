using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ElectionMatch.Tests;

/// <summary>
/// Reads YAML with PyYAML's safe_load, the parser dbt reads its YAML with (python3 with PyYAML must be installed, as on
/// GitHub's runners), and returns it as JSON: what dbt would see in a file ElectionMatch wrote or edited.
/// </summary>
/// <remarks>
/// A test class's fixture: one python3 process, started at the first read, reads every file of the class (starting
/// python3 and importing yaml costs far more than reading a file).
/// </remarks>
public sealed class PyYaml : IDisposable
{
    // One path a line in, one JSON object a line out: the document, or the error that stopped PyYAML.
    private const string Script = """
        import json, sys, yaml
        for line in sys.stdin.buffer:
            try:
                with open(line.rstrip(b"\r\n"), "rb") as file:
                    reply = json.dumps({"yaml": yaml.safe_load(file)}, default=str)
            except Exception as error:
                reply = json.dumps({"error": f"{type(error).__name__}: {error}"})
            print(reply, flush=True)
        """;

    private readonly Lock _gate = new();
    private readonly StringBuilder _stderr = new();
    private Process? _python;

    /// <summary>The file's bytes as PyYAML decodes them (it reads a UTF-8 byte order mark as dbt does).</summary>
    public JsonElement LoadFile(string path)
    {
        lock (_gate)
        {
            _python ??= Start();
            _python.StandardInput.WriteLine(path);
            var reply = _python.StandardOutput.ReadLine()
                ?? throw new InvalidOperationException($"python3 with PyYAML ended before reading {path}: {Stderr()}");
            using var document = JsonDocument.Parse(reply);
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"PyYAML could not read {path}: {error.GetString()}");
            }

            return document.RootElement.GetProperty("yaml").Clone();
        }
    }

    public JsonElement Load(string text)
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

    public void Dispose()
    {
        if (_python is null)
        {
            return;
        }

        // End of input ends the loop, and python3 with it.
        _python.StandardInput.Close();
        if (!_python.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _python.Kill();
        }

        _python.Dispose();
    }

    private Process Start()
    {
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { "-c", Script },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            UseShellExecute = false,
        };
        var python = Process.Start(start)!;
        // Read as it comes, so a warning python3 prints cannot fill the pipe and stop it.
        python.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        python.BeginErrorReadLine();
        return python;
    }

    private string Stderr()
    {
        _python!.WaitForExit(TimeSpan.FromSeconds(10));
        lock (_stderr)
        {
            return _stderr.ToString();
        }
    }
}
