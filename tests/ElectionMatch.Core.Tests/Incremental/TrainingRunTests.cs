using ElectionMatch.Dbt;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Judging;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Incremental;

/// <summary>
/// An incremental run trains its model on the whole input and then scores every partition with it, so its training stops
/// at the model (<see cref="CandidacyDdhqMatcher.Train"/>): the model is the one a whole run trains, and nothing of the
/// whole input is linked, judged or output, so a provider judge is asked nothing for it.
/// </summary>
public sealed class TrainingRunTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Training_gives_the_model_a_whole_run_trains_and_stops_before_the_judge()
    {
        var context = ProjectContext.Load(new ProjectOptions(_fixture.Directory));
        var match = context.Settings.Match(Match);
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_fixture.Directory, "target", "training.duckdb"));
        var inputs = new RunOperation(context).ResolveInputs(warehouse, match);
        var run = RunSchema.For(Match);

        var whole = new CandidacyDdhqMatcher(warehouse, match, run.Part("whole")) { Threads = 2 }.Run(inputs);
        var trained = new CandidacyDdhqMatcher(warehouse, match, run.Part("train")) { Threads = 2, Judge = new RefusingJudge() }.Train(inputs);

        Assert.Equal(whole.ModelParametersJson, trained.ToJson());
        var tables = warehouse.Query($"select table_name from information_schema.tables where table_schema = {Sql.Literal(run.Part("train").Name)}", r => r.GetString(0));
        // What the model and the surname frequencies an incremental run keeps with it are made of...
        Assert.Contains("comparisons", tables);
        Assert.Contains("u_sample", tables);
        Assert.Contains("right_clean", tables);
        Assert.Contains(CandidacyDdhqCleaning.SurnamesTable, tables);
        // ...and nothing a run goes on to make with it.
        foreach (var stage in new[] { "scored_pairs", "links", "judge_rows", "judge_answers", "runoff_left", "runoff_comparisons", "output" })
        {
            Assert.DoesNotContain(stage, tables);
        }

        // The same judge is asked in a whole run: the fixture sends rows to it.
        var judged = Assert.ThrowsAny<Exception>(() => new CandidacyDdhqMatcher(warehouse, match, run.Part("judged")) { Threads = 2, Judge = new RefusingJudge() }.Run(inputs));
        Assert.Contains(RefusingJudge.Refusal, judged.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A judge that refuses every request: training must not reach it.</summary>
    private sealed class RefusingJudge : IMatchJudge
    {
        public const string Refusal = "the training asked the judge";

        public string Name => "refusing";

        public Task<IReadOnlyList<JudgeAnswer>> JudgeAsync(JudgeRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Refusal);
    }
}
