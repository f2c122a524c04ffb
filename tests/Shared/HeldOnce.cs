namespace ElectionMatch.Tests;

/// <summary>
/// Something expensive made once for every test class that holds it: the first holder makes it, the last to let go
/// releases it. Test classes that share it still run in parallel (an xunit collection fixture would run them one after
/// the other, and xunit 2 has no assembly fixture), and a process-exit handler could not release it: the test host is
/// killed when the tests end.
/// </summary>
internal sealed class HeldOnce<T>(Func<T> make, Action<T> release) where T : class
{
    private readonly Lock _gate = new();
    private T? _value;
    private int _holders;

    public T Hold()
    {
        lock (_gate)
        {
            _value ??= make();
            _holders++;
            return _value;
        }
    }

    public void LetGo()
    {
        T released;
        lock (_gate)
        {
            if (--_holders > 0)
            {
                return;
            }

            released = _value!;
            _value = null;
        }

        release(released);
    }
}
