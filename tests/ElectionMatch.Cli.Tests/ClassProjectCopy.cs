namespace ElectionMatch.Tests;

/// <summary>
/// A copy of a shared project made once for one test class (a class fixture), for a class whose tests write into it (a
/// truth file, for example): what they write stays out of the project other classes start from.
/// </summary>
public sealed class ClassProjectCopy : IDisposable
{
    private readonly Lock _gate = new();
    private FixtureCopy? _copy;

    /// <summary>The class's copy of <paramref name="source"/>, made on the first call; later calls return the same copy.</summary>
    public FixtureCopy Of(FixtureCopy source)
    {
        lock (_gate)
        {
            return _copy ??= source.Clone();
        }
    }

    public void Dispose() => _copy?.Dispose();
}
