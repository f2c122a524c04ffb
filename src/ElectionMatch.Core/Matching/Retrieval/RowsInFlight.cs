namespace ElectionMatch.Matching.Retrieval;

/// <summary>
/// Bounds the rows read ahead of retrieval's workers and writer: their texts are managed memory, and a queue
/// bounded by partitions alone held 32 of the largest blocks at a million candidacies. A partition larger than
/// the budget is let through once nothing else is in flight.
/// </summary>
internal sealed class RowsInFlight
{
    private readonly object _gate = new();
    private readonly long _budget;
    private long _rows;

    public RowsInFlight(long budget) => _budget = budget;

    /// <summary>Waits until <paramref name="rows"/> more fit in the budget, or nothing is in flight.</summary>
    public void Acquire(long rows, CancellationToken cancellationToken)
    {
        using var wake = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        });
        lock (_gate)
        {
            while (_rows > 0 && _rows + rows > _budget)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Monitor.Wait(_gate);
            }

            cancellationToken.ThrowIfCancellationRequested();
            _rows += rows;
        }
    }

    public void Release(long rows)
    {
        lock (_gate)
        {
            _rows -= rows;
            Monitor.PulseAll(_gate);
        }
    }
}
