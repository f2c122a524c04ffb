using ElectionMatch.Benchmarking;

namespace ElectionMatch.Tests.Benchmarking;

public sealed class MachineFactsTests
{
    [Fact]
    public void The_commit_of_a_clean_build_is_its_sha_shortened_as_git_does()
    {
        Assert.Equal("2d4c77556395", MachineFacts.BuildCommit("0.1.0+2d4c77556395b15c934fcc3415f7752dbf1f3fe7"));
    }

    // Before: "2d4c77556395", the same as a build of the commit itself, though the figures were of other code.
    [Fact]
    public void The_commit_of_a_build_from_an_edited_tree_keeps_its_dirty_suffix()
    {
        Assert.Equal("2d4c77556395-dirty", MachineFacts.BuildCommit("0.1.0+2d4c77556395b15c934fcc3415f7752dbf1f3fe7-dirty"));
    }

    [Fact]
    public void A_build_without_git_has_no_commit()
    {
        Assert.Null(MachineFacts.BuildCommit("0.1.0"));
    }
}
