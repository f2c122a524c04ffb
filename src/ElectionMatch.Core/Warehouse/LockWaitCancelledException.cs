using System.Globalization;

namespace ElectionMatch.Warehouse;

/// <summary>A command cancelled while it waited for the warehouse (<see cref="LockWait"/>): it did nothing yet, and its message names the holder.</summary>
public sealed class LockWaitCancelledException : OperationCanceledException
{
    public LockWaitCancelledException(string holder, TimeSpan waited, CancellationToken cancellationToken)
        : base(string.Create(CultureInfo.InvariantCulture, $"stopped after {waited.TotalSeconds:0.#} s waiting for the warehouse, held by {holder}; nothing was done"), cancellationToken)
    {
    }
}
