using ElectionMatch.Matching;

namespace ElectionMatch.Tests.Matching;

public sealed class LineEndingsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"em-line-endings-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(_path);

    private LineEndings.Mixed? Of(string text)
    {
        File.WriteAllText(_path, text);
        return LineEndings.FirstMixed(_path);
    }

    [Theory]
    [InlineData("a,b\n1,2\n3,4\n")]
    [InlineData("a,b\r\n1,2\r\n3,4\r\n")]
    [InlineData("a,b\r1,2\r3,4")]
    [InlineData("a,b\n1,2")]
    [InlineData("")]
    public void A_file_whose_lines_end_alike_is_not_mixed(string text) => Assert.Null(Of(text));

    [Fact]
    public void Rows_appended_with_cr_lf_to_an_lf_file_are_found_at_their_first_line() =>
        Assert.Equal(new LineEndings.Mixed(3, "CR LF", "LF"), Of("a,b\n1,2\n3,4\r\n5,6\r\n"));

    [Fact]
    public void An_lf_line_in_a_cr_lf_file_and_a_bare_cr_are_found()
    {
        Assert.Equal(new LineEndings.Mixed(2, "LF", "CR LF"), Of("a,b\r\n1,2\n3,4\r\n"));
        Assert.Equal(new LineEndings.Mixed(2, "CR", "LF"), Of("a,b\n1,2\r3,4\n"));
        Assert.Equal(new LineEndings.Mixed(2, "CR", "LF"), Of("a,b\n1,2\r"));
    }

    [Fact]
    public void A_line_break_inside_a_quoted_value_is_part_of_the_value()
    {
        Assert.Null(Of("a,b\r\n1,\"two\nlines\"\r\n3,\"say \"\"hi\"\"\r\n\"\r\n"));
        Assert.Equal(new LineEndings.Mixed(4, "LF", "CR LF"), Of("a,b\r\n1,\"two\nlines\"\r\n3,4\n"));
    }
}
