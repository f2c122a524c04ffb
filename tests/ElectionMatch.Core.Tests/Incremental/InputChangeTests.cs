using ElectionMatch.Incremental;

namespace ElectionMatch.Tests.Incremental;

/// <summary>A recomputed partition's line says which of its inputs changed, from the sides' hashes its cache entries stored.</summary>
public sealed class InputChangeTests
{
    private static readonly StatePartition Partition = new("NV", "left_rows", "right_rows", "whole-now", 10, "left-now", "right-now");

    [Theory]
    [InlineData("left-then", "right-now", "candidacy rows changed")]
    [InlineData("left-now", "right-then", "results rows changed")]
    [InlineData("left-then", "right-then", "candidacy and results rows changed")]
    [InlineData("left-now", "right-now", IncrementalRun.OtherInputChange)]
    public void Names_the_side_whose_rows_no_cached_entry_had(string left, string right, string expected) =>
        Assert.Equal(expected, IncrementalRun.InputChange(Partition, [(left, right)]));

    [Fact]
    public void A_side_any_cached_entry_had_is_not_said_to_have_changed() =>
        Assert.Equal("results rows changed", IncrementalRun.InputChange(Partition, [("left-then", "right-then"), ("left-now", "right-older")]));

    [Fact]
    public void An_entry_an_older_build_stored_without_the_sides_says_only_that_the_rows_changed() =>
        Assert.Equal("input rows changed", IncrementalRun.InputChange(Partition, [("left-then", "right-now"), (null, null)]));
}
