using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// Hashes a run's inputs (<see cref="InputHash"/>) on a second connection while the match runs on the first.
/// Rendering every input row as text and hashing it is the costly part (6.1 CPU-s for the 7.2M results rows of the
/// million-candidacy bench set), and the match leaves much of two cores idle (its C# stages and single-threaded
/// steps), so beside the match that work costs far less wall time than after it. A CSV input is hashed after the
/// match instead: its reader writes DuckDB's reject store, which two readers at once must not share.
/// </summary>
public sealed class InputHashing : IDisposable
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly MatchInputs _inputs;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<(string? Left, string? Right)> _hashing;

    private InputHashing(DuckDbWarehouse warehouse, MatchInputs inputs)
    {
        _warehouse = warehouse;
        _inputs = inputs;
        var token = _stop.Token;
        _hashing = BlockingWork.Start(() =>
        {
            using var connection = warehouse.OpenSecondConnection();
            var left = inputs.Left.Csv is null ? InputHash.Of(connection, inputs.LeftRelation, cancellationToken: token) : null;
            var right = inputs.Right.Csv is null ? InputHash.Of(connection, inputs.RightRelation, cancellationToken: token) : null;
            return (left, right);
        }, token);
    }

    public static InputHashing Start(DuckDbWarehouse warehouse, MatchInputs inputs) => new(warehouse, inputs);

    /// <summary>Both hashes, once the match has succeeded: waits for the background work and hashes a CSV input now.</summary>
    public (string Left, string Right) Finish()
    {
        var (left, right) = _hashing.GetAwaiter().GetResult();
        return (left ?? InputHash.Of(_warehouse, _inputs.LeftRelation), right ?? InputHash.Of(_warehouse, _inputs.RightRelation));
    }

    /// <summary>
    /// Stops the background work when the match failed (its error is the one to report; an input it could not read is
    /// EM0024 there) and waits for the second connection to close before the warehouse does.
    /// </summary>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _hashing.Wait();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException or DuckDB.NET.Data.DuckDBException))
        {
            // Finish reported a failure already, or the match's own failure is the one being reported.
        }

        _stop.Dispose();
    }
}
