using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// Runs named stages in the run schema, timing each and counting the rows in and out of its tables. A cancelled run
/// stops before its next stage: a DuckDB statement does not watch the token, so a stage is where it can be heard.
/// </summary>
internal sealed class Pipeline
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly RunSchema _run;
    private readonly Action<StageReport>? _progress;
    private readonly CancellationToken _cancellationToken;
    private readonly List<StageReport> _stages = [];

    public Pipeline(DuckDbWarehouse warehouse, RunSchema run, Action<StageReport>? progress, CancellationToken cancellationToken = default)
    {
        _warehouse = warehouse;
        _run = run;
        _progress = progress;
        _cancellationToken = cancellationToken;
    }

    public IReadOnlyList<StageReport> Stages => _stages;

    /// <summary>
    /// Whether each stage's report counts its rows in and out; false where nothing reads the reports (an incremental
    /// run's partitions: two count queries a stage, some 80 a partition), whose rows are then reported as 0.
    /// </summary>
    public bool CountsRows { get; init; } = true;

    public long Count(string table) => _warehouse.Scalar<long>($"select count(*) from {_run.Table(table)}");

    /// <param name="input">The stage's input table, whose rows are counted as rows in.</param>
    /// <param name="output">The table the stage creates.</param>
    public void Stage(string name, string? input, string output, Action work, Func<string?>? note = null)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var clock = StageClock.Start();
        work();
        ManagedMemory.ReleaseAfterStage();
        Safety.CrashPoint.Reached("stage:" + name);
        var report = clock.Report(name, () => CountsRows ? (input is null ? 0 : Count(input), Count(output)) : (0, 0), note);
        _stages.Add(report);
        _progress?.Invoke(report);
    }

    public void Sql(string name, string? input, string output, string sql, Func<string?>? note = null) =>
        Stage(name, input, output, () => _warehouse.Execute(sql), note);

    /// <summary>Reads an input into the run; a file DuckDB refuses (invalid UTF-8 in parquet, a truncated row group) is the user's error, not a crash.</summary>
    public void Input(string name, InputRelation input, string sql) =>
        Stage(name, null, name, () =>
        {
            try
            {
                _warehouse.Execute(sql);
            }
            catch (DuckDB.NET.Data.DuckDBException e) when (!Diagnostics.MemoryLimitExceeded.Is(e))
            {
                // The stage writes what it reads: a full disk is not the input's fault, nor is running out of memory_limit.
                Diagnostics.DiskFull.ThrowIfFull(e);
                if (LineEndings.MixedIn(input) is { } mixed)
                {
                    throw mixed;
                }

                throw Diagnostics.DiagnosticException.At(Diagnostics.Codes.InputUnreadable, input.At, $"cannot read {input.Description}: {e.Message.Split('\n')[0].Trim()}");
            }
        });
}
