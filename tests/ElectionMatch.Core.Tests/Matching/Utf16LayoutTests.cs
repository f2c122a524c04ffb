using System.Text;
using ElectionMatch.Matching;

namespace ElectionMatch.Tests.Matching;

/// <summary>A CSV file's UTF-16 byte order told from its zero bytes when it has no byte order mark, whatever its script.</summary>
public sealed class Utf16LayoutTests
{
    private const string Greek = "κωδικός,όνομα,αξίωμα\nκ-1,Άννα Παπαδοπούλου,Δήμαρχος\nκ-2,Νίκος Γεωργίου,Σύμβουλος\n";
    private const string Chinese = "编号,姓名,职位\n甲一,王小明,市长\n甲二,李华,议员\n";

    // U+0100-U+01FF (Ā, ő) write a zero high byte too, on the other side: the ASCII characters still outnumber them.
    private const string Latin = "id,name\n1,Ākāśa Ōtsuka\n2,Łódź Ősz\n";

    [Theory]
    [InlineData(Greek, false)]
    [InlineData(Greek, true)]
    [InlineData(Chinese, false)]
    [InlineData(Chinese, true)]
    [InlineData(Latin, false)]
    [InlineData(Latin, true)]
    public void A_utf16_file_without_a_byte_order_mark_is_read_the_right_way_round_and_evident_whatever_its_script(string text, bool bigEndian)
    {
        var bytes = (bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode).GetBytes(text);

        Assert.Equal(new Utf16Layout(IsUtf16: true, BigEndian: bigEndian, ByteOrderMark: false), Utf16Layout.Of(bytes));
        // Read without encoding: utf-16 too, it is told apart from UTF-8 (EM0024, not a header of spaced-out letters).
        Assert.Equal(new Utf16Layout(IsUtf16: true, BigEndian: bigEndian, ByteOrderMark: false), Utf16Layout.Evident(bytes));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_byte_order_mark_says_the_order(bool bigEndian)
    {
        var encoding = bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode;

        Assert.Equal(new Utf16Layout(IsUtf16: true, BigEndian: bigEndian, ByteOrderMark: true), Utf16Layout.Of([.. encoding.GetPreamble(), .. encoding.GetBytes(Latin)]));
    }

    [Theory]
    [InlineData(Greek)]
    [InlineData(Chinese)]
    public void A_utf8_file_is_not_utf16_and_one_of_under_two_bytes_is_left_to_the_checks_of_an_empty_file(string text)
    {
        Assert.False(Utf16Layout.Of(Encoding.UTF8.GetBytes(text))!.IsUtf16);
        Assert.False(Utf16Layout.Of(Encoding.Latin1.GetBytes("id,name\n1,Zoë\n"))!.IsUtf16);
        Assert.Null(Utf16Layout.Of([0x41]));
    }

    [Fact]
    public void A_utf8_file_with_zero_bytes_in_a_run_or_a_stray_one_is_not_evidently_utf16()
    {
        var text = Encoding.UTF8.GetBytes("id,name,office\n1,Ann Lee,Mayor\n2,Bo Li,Clerk\n");

        // A crash's padding: zero bytes on both sides alike, however the run is aligned.
        Assert.Null(Utf16Layout.Evident([.. text, .. new byte[64]]));
        Assert.Null(Utf16Layout.Evident([.. text, 0x41, .. new byte[63]]));
        // A stray zero byte (or three), all on one side: too few to say.
        Assert.Null(Utf16Layout.Evident([.. text[..10], 0, .. text[10..]]));
        Assert.Null(Utf16Layout.Evident([0x41, 0, 0x42, 0, 0x43, 0, .. text]));
        Assert.Null(Utf16Layout.Evident(Encoding.UTF8.GetBytes(Chinese)));
        Assert.Null(Utf16Layout.Evident(Encoding.Latin1.GetBytes("id,name\n1,Zoë\n")));
    }
}
