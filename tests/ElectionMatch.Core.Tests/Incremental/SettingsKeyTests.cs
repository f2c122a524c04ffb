using ElectionMatch.Operations;

namespace ElectionMatch.Tests.Incremental;

/// <summary>
/// An incremental run's partitions and stored model are keyed on what decides the match's rows, not on the whole
/// electionmatch.yml: a comment, the engine or another match's settings reuse them, a threshold of the match does not.
/// </summary>
public sealed class SettingsKeyTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Settings = "electionmatch.yml";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Editing_what_decides_nothing_of_the_rows_reuses_every_partition_and_a_threshold_recomputes_them()
    {
        _fixture.KeepCandidaciesOf("NC", "");
        var first = Run(new DateOnly(2030, 1, 1));
        Assert.Contains("incremental: 2 state partitions, 0 reused, 2 recomputed ((no state), NC)", first.Summary);

        // A comment, the engine's threads and the other match's threshold: nothing of this match's rows.
        var settings = _fixture.Read(Settings);
        var edited = settings
            .Replace("engine:\n", "engine:\n  # one thread for this machine\n  threads: 1\n", StringComparison.Ordinal)
            .Replace("  llm_l2_br_match:\n", "  # districts next\n  llm_l2_br_match:\n", StringComparison.Ordinal);
        Assert.NotEqual(settings, edited);
        _fixture.Write(Settings, edited);
        var second = Run(new DateOnly(2030, 1, 2));
        Assert.Contains("incremental: 2 state partitions, 2 reused, 0 recomputed", second.Summary);
        Assert.Contains(second.Summary, line => line.StartsWith("model: ", StringComparison.Ordinal) && line.Contains("stored, reused", StringComparison.Ordinal));
        Assert.Equal(first.Manifest.ContentSha256, second.Manifest.ContentSha256);
        Assert.NotEqual(first.Manifest.SettingsSha256, second.Manifest.SettingsSha256);

        // The match's own accept threshold decides links: every partition is matched again, with a model trained for it.
        _fixture.Write(Settings, edited.Replace("accept: 0.95 ", "accept: 0.96 ", StringComparison.Ordinal));
        var third = Run(new DateOnly(2030, 1, 3));
        Assert.Contains("incremental: 2 state partitions, 0 reused, 2 recomputed ((no state), NC)", third.Summary);
    }

    private RunResult Run(DateOnly date) =>
        new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory)))
            .Execute(new RunOptions(Match, date) { AllowFutureDate = true, Incremental = true });
}
