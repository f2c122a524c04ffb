using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// Hashes a run's inputs (<see cref="InputHash"/>) on a second connection while the match runs on the first.
/// Rendering every input row as text and hashing it is the costly part (about 10 CPU-s with the sort for the 7.2M
/// results rows of the million-candidacy bench set), and the match leaves part of two cores idle (its C# stages and
/// single-threaded steps), so beside the match that work costs less wall time than after it. Its CPU time is counted
/// in the stages that run meanwhile; <see cref="Note"/> names them. A CSV input is hashed after the match instead: its
/// reader writes DuckDB's reject store, which two readers at once must not share.
/// </summary>
public sealed class InputHashing : IDisposable
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly MatchInputs _inputs;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<(string? Left, string? Right)> _hashing;
    private TimeSpan _besideMatch;

    private InputHashing(DuckDbWarehouse warehouse, MatchInputs inputs)
    {
        _warehouse = warehouse;
        _inputs = inputs;
        var token = _stop.Token;
        _hashing = BlockingWork.Start(() =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var connection = warehouse.OpenSecondConnection();
            var left = inputs.Left.Csv is null ? InputHash.Of(connection, inputs.LeftRelation, cancellationToken: token) : null;
            var right = inputs.Right.Csv is null ? InputHash.Of(connection, inputs.RightRelation, cancellationToken: token) : null;
            _besideMatch = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            return (left, right);
        }, token);
    }

    public static InputHashing Start(DuckDbWarehouse warehouse, MatchInputs inputs) => new(warehouse, inputs);

    /// <summary>
    /// The stages that ran while the background work did, from the match's first stage in order, given each one's wall
    /// time: every stage that started before the work ended. Empty when no stage did.
    /// </summary>
    public static IReadOnlyList<string> Overlap(IEnumerable<Matching.StageReport> stages, TimeSpan besideMatch)
    {
        var overlapped = new List<string>();
        var start = TimeSpan.Zero;
        foreach (var stage in stages)
        {
            if (start >= besideMatch)
            {
                break;
            }

            overlapped.Add(stage.Stage);
            start += stage.Elapsed;
        }

        return overlapped;
    }

    /// <summary>
    /// The input_hashes stage's note, once <see cref="Finish"/> has returned: how long the hashing beside the match took
    /// (wall time from the match's start) and which stages' CPU time includes it, and which input was hashed in the
    /// stage itself (a CSV file).
    /// </summary>
    public string Note(IEnumerable<Matching.StageReport> stages)
    {
        var csv = new[] { (Side: "left", _inputs.Left.Csv), (Side: "right", _inputs.Right.Csv) }.Where(i => i.Csv is not null).Select(i => i.Side).ToList();
        var now = csv.Count == 0 ? "" : $"the {string.Join(" and ", csv)} input{(csv.Count > 1 ? "s" : "")} (CSV) hashed now";
        if (csv.Count == 2)
        {
            return now;
        }

        var overlapped = Overlap(stages, _besideMatch);
        var during = overlapped.Count switch
        {
            0 => "",
            1 => $", during {overlapped[0]}, whose CPU time includes it",
            _ => $", during {overlapped[0]} to {overlapped[^1]}, whose CPU time includes it",
        };
        var beside = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"hashed beside the match in {_besideMatch.TotalSeconds:F1} s of wall time{during}");
        return csv.Count == 0 ? beside : $"{beside}; {now}";
    }

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
