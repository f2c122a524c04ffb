using ElectionMatch.Cli.Commands;

namespace ElectionMatch.Tests;

/// <summary>The numbers of `explain`'s waterfall.</summary>
public sealed class ExplainWaterfallTests
{
    [Theory]
    [InlineData(-4.440892098500626E-16, "+0.00")]
    [InlineData(0.0, "+0.00")]
    [InlineData(-0.004, "+0.00")]
    [InlineData(-0.006, "-0.01")]
    [InlineData(9.67, "+9.67")]
    [InlineData(-8.116, "-8.12")]
    public void A_weight_or_running_total_prints_with_one_sign(double bits, string printed)
    {
        Assert.Equal(printed, ExplainCommand.Bits(bits));
    }
}
