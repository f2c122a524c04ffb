using ElectionMatch.Matching;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// <see cref="ZstdEnd"/> walks a zstd file's frames and block headers (RFC 8878, 3.1) to tell whether it is whole. The
/// files here are written by hand, one frame header of each shape, so every cut of them can be tried.
/// </summary>
public sealed class ZstdEndTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("zstd-end-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // A frame of a single-segment header with a 1-byte content size, a raw block, an RLE block and a last raw block,
    // and a content checksum (its value is not checked: only where the frame ends).
    private static readonly byte[] Frame =
    [
        0x28, 0xB5, 0x2F, 0xFD, 0x24, 10,
        .. Block(last: false, type: 0, size: 3), .. "a,b"u8,
        .. Block(last: false, type: 1, size: 4), (byte)'\n',
        .. Block(last: true, type: 0, size: 3), .. "1,2"u8,
        0xDE, 0xAD, 0xBE, 0xEF,
    ];

    // A skippable frame holding three bytes.
    private static readonly byte[] Skippable = [0x5E, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3];

    // A frame with a window descriptor, a 2-byte dictionary id and no content size or checksum: one empty last block.
    private static readonly byte[] WindowedFrame = [0x28, 0xB5, 0x2F, 0xFD, 0x02, 0x58, 0x01, 0x00, .. Block(last: true, type: 0, size: 0)];

    public static TheoryData<string> Files => ["frame", "skippable, frame, skippable", "frame, windowed frame"];

    [Theory]
    [MemberData(nameof(Files))]
    public void A_whole_file_is_whole_and_every_cut_of_it_is_cut(string shape)
    {
        var whole = Bytes(shape);

        Assert.False(ZstdEnd.IsCut(Write(whole)));
        var cuts = Enumerable.Range(1, whole.Length - 1).Where(n => ZstdEnd.IsCut(Write(whole[..n]))).ToList();

        // A cut between two frames leaves a whole file of fewer frames, which no walk can tell from one.
        var frameEnds = FrameEnds(shape);
        Assert.Equal(Enumerable.Range(1, whole.Length - 1).Except(frameEnds), cuts);
    }

    [Fact]
    public void A_reserved_block_type_or_a_file_that_is_not_zstd_is_not_whole()
    {
        byte[] reserved = [0x28, 0xB5, 0x2F, 0xFD, 0x24, 0, .. Block(last: true, type: 3, size: 0)];

        Assert.True(ZstdEnd.IsCut(Write(reserved)));
        Assert.True(ZstdEnd.IsCut(Write("a,b\n1,2\n"u8.ToArray())));
        Assert.True(ZstdEnd.IsCut(Write([.. Frame, .. "trailing"u8])));
    }

    [Fact]
    public void A_whole_frame_whose_checksum_is_wrong_is_damaged()
    {
        // Frame's checksum, DE AD BE EF, is not that of what it holds.
        Assert.True(ZstdEnd.IsDamaged(Write(Frame)));
        Assert.False(ZstdEnd.IsDamaged(Write(new ZstdSharp.Compressor().Wrap("a,b\n1,2\n"u8).ToArray())));
    }

    [Fact]
    public void A_file_not_named_zst_and_an_empty_one_are_left_to_other_checks()
    {
        var plain = Path.Combine(_directory, "x.csv");
        File.WriteAllBytes(plain, Frame[..5]);

        Assert.False(ZstdEnd.IsCut(plain));
        Assert.False(ZstdEnd.IsCut(Write([])));
    }

    private static byte[] Block(bool last, int type, int size)
    {
        var value = (last ? 1 : 0) | (type << 1) | (size << 3);
        return [(byte)value, (byte)(value >> 8), (byte)(value >> 16)];
    }

    private static byte[] Bytes(string shape) => shape switch
    {
        "frame" => Frame,
        "skippable, frame, skippable" => [.. Skippable, .. Frame, .. Skippable],
        _ => [.. Frame, .. WindowedFrame],
    };

    private static int[] FrameEnds(string shape) => shape switch
    {
        "frame" => [],
        "skippable, frame, skippable" => [Skippable.Length, Skippable.Length + Frame.Length],
        _ => [Frame.Length],
    };

    private string Write(byte[] bytes)
    {
        var path = Path.Combine(_directory, "x.csv.zst");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
