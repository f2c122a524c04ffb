namespace ElectionMatch.Matching;

/// <summary>
/// Work that blocks for as long as a stage runs (a consumer of a bounded queue, a DuckDB query on a second connection)
/// on a thread of its own. On the thread pool such work holds a pool thread throughout, and on two cores the pool
/// starts with two: the third blocking task waited for the pool to add a thread, about a second every run (the
/// fixture's retrieval took 1.05 s for 360 rows, of it 0.95 s waiting; its second pass, the pool grown, 8 ms).
/// </summary>
internal static class BlockingWork
{
    public static Task Start(Action action, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(action, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public static Task<T> Start<T>(Func<T> function, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(function, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Starts <paramref name="action"/>; if it throws, it cancels <paramref name="failed"/> so that the work beside it stops too.</summary>
    public static Task Guarded(Action action, CancellationTokenSource failed) => Start(() =>
    {
        try
        {
            action();
        }
        catch
        {
            failed.Cancel();
            throw;
        }
    });

    /// <summary>Waits for every task, whatever becomes of the others.</summary>
    public static void WaitQuietly(Task[] tasks)
    {
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException)
        {
            // Inspected by WaitAll or the caller.
        }
    }

    /// <summary>
    /// Waits for every task, then throws the failure that stopped the work, not the cancellations it caused in the
    /// tasks beside it (<see cref="Guarded"/>); tasks that were only cancelled throw nothing here.
    /// </summary>
    public static void WaitAll(Task[] tasks)
    {
        WaitQuietly(tasks);
        var failures = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).ToList();
        if ((failures.FirstOrDefault(e => e is not OperationCanceledException) ?? failures.FirstOrDefault()) is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    /// <summary>
    /// Runs <paramref name="produce"/>, which adds to <paramref name="queue"/> with <paramref name="failed"/>'s token, and
    /// completes the queue however it ends. When a consumer failed (<see cref="Guarded"/>) the producer's cancellation is
    /// swallowed: the consumer's exception is the one to report (<see cref="WaitAll"/>); the caller's own cancellation is not.
    /// </summary>
    public static void Feed<T>(System.Collections.Concurrent.BlockingCollection<T> queue, CancellationTokenSource failed, CancellationToken cancellationToken, Action produce)
    {
        try
        {
            produce();
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A consumer failed; its exception is the one to report.
        }
        finally
        {
            queue.CompleteAdding();
        }
    }
}
