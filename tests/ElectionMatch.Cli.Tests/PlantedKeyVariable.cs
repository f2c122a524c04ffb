namespace ElectionMatch.Tests;

/// <summary>
/// An API key set in this test process's environment under a variable of its own (<c>EM_PLANTED_KEY_</c> and eight
/// hex digits), so a command run in this process (<see cref="CliProcess.Run(string[])"/>) reads it from the environment
/// as the executable does. The product reads a key only from the variable <c>api_key_env</c> names; a name no other test
/// uses keeps tests side by side (and the children they start, which inherit it) from reading each other's keys.
/// Removed from the environment when disposed.
/// </summary>
public sealed class PlantedKeyVariable : IDisposable
{
    public PlantedKeyVariable(string prefix, string key)
    {
        Name = prefix + "_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Key = key;
        Environment.SetEnvironmentVariable(Name, key);
    }

    /// <summary>The variable's name, for <c>api_key_env</c>.</summary>
    public string Name { get; }

    public string Key { get; }

    /// <summary>The variable as a child process's environment, for tests whose point is the process (its output, a signal).</summary>
    public IReadOnlyDictionary<string, string?> ForChild => new Dictionary<string, string?> { [Name] = Key };

    public void Dispose() => Environment.SetEnvironmentVariable(Name, null);
}
