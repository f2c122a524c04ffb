using ElectionMatch.Matching;
using ElectionMatch.Snapshots;

namespace ElectionMatch.Tests.Snapshots;

/// <summary>
/// The input hashes are computed beside the match, so the stages that ran meanwhile shared the cores with that work;
/// the input_hashes note names them (every stage that started before the work ended), so a reader of the per-stage CPU
/// times knows whose figures include it.
/// </summary>
public sealed class InputHashingOverlapTests
{
    private static readonly StageReport[] Stages =
    [
        new("startup", 0, 0, TimeSpan.FromSeconds(0.5)),
        new("left_input", 0, 10, TimeSpan.FromSeconds(2)),
        new("right_input", 0, 70, TimeSpan.FromSeconds(5)),
        new("right_clean", 70, 70, TimeSpan.FromSeconds(8)),
    ];

    [Theory]
    [InlineData(0.0, "")]
    [InlineData(0.2, "startup")]
    [InlineData(0.5, "startup")]
    [InlineData(0.6, "startup,left_input")]
    [InlineData(7.5, "startup,left_input,right_input")]
    [InlineData(7.6, "startup,left_input,right_input,right_clean")]
    [InlineData(60.0, "startup,left_input,right_input,right_clean")]
    public void The_stages_that_started_before_the_hashing_ended_are_the_ones_named(double seconds, string expected) =>
        Assert.Equal(expected, string.Join(",", InputHashing.Overlap(Stages, TimeSpan.FromSeconds(seconds))));
}
