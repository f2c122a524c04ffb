using System.IO.Compression;
using ElectionMatch.Checks;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests.Districts;

/// <summary>
/// The L2 voter file the zip code models read (<c>zip_codes: voters:</c>, a model over a source), gzipped or
/// zstd-compressed and cut short, as a download that stopped leaves it: check and generate say one EM0024 at the
/// source's external_location naming the file, as a match input's cut file is said. Before, DuckDB read the cut file as
/// a header of one column and each setting the models read was EM0023 (21 in the fixture), naming no file.
/// </summary>
public sealed class CutVoterFileTests : IDisposable
{
    private const string Voters = "data/l2/l2_nationwide_uniform.csv";
    private const string Sources = "models/staging/__sources.yaml";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(".gz")]
    [InlineData(".zst")]
    public void Check_says_a_cut_compressed_voter_file_once_at_its_external_location(string ending)
    {
        var file = CutCopy(ending);

        var errors = WorkingDirectory.In(_fixture.Directory, () => new CheckOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute()).Where(d => d.IsError).ToList();

        Assert.Equal((Codes.InputUnreadable, Sources, LineOf(Sources, file)), Assert.Single(errors) is var e ? (e.Code, e.File, e.Line) : default);
        Assert.Contains($"cannot read the voter file ref('int__l2_nationwide_uniform'): source('l2_source', 'l2_nationwide_uniform')'s file {file} is not a whole {(ending == ".gz" ? "gzip" : "zstd")} file", errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_says_a_cut_gzipped_voter_file_once_at_its_external_location()
    {
        var file = CutCopy(".gz");

        var result = WorkingDirectory.In(_fixture.Directory, () => new GenerateOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute());

        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal((Codes.InputUnreadable, Sources, LineOf(Sources, file)), (error.Code, error.File, error.Line));
    }

    [Fact]
    public void Check_says_a_zstd_voter_file_cut_in_its_last_byte_whose_header_still_reads()
    {
        // Two frames, as pzstd writes them, the second cut by its last byte: the first frame, with the header and half
        // the rows, reads whole, so the models' columns are all there. Before, check read no row and passed; the walk of
        // the frames' block headers finds the cut without decompressing the file.
        var lines = File.ReadAllLines(_fixture.PathOf(Voters));
        var half = lines.Length / 2;
        using var zstd = new ZstdSharp.Compressor();
        byte[] file =
        [
            .. zstd.Wrap(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines[..half]) + "\n")).ToArray(),
            .. zstd.Wrap(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines[half..]) + "\n")).ToArray(),
        ];
        File.Delete(_fixture.PathOf(Voters));
        File.WriteAllBytes(_fixture.PathOf(Voters + ".zst"), file[..^1]);
        _fixture.Replace(Sources, $"external_location: \"{Voters}\"", $"external_location: \"{Voters}.zst\"");

        var errors = WorkingDirectory.In(_fixture.Directory, () => new CheckOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute()).Where(d => d.IsError).ToList();

        Assert.Equal((Codes.InputUnreadable, Sources, LineOf(Sources, Voters + ".zst")), Assert.Single(errors) is var e ? (e.Code, e.File, e.Line) : default);
        Assert.Contains($"cannot read the voter file ref('int__l2_nationwide_uniform'): source('l2_source', 'l2_nationwide_uniform')'s file {Voters}.zst is not a whole zstd file", errors[0].Message, StringComparison.Ordinal);
    }

    // The voter file compressed, cut to 300 bytes (of about a thousand: its header and some rows decompress), and read
    // from there by its source; the plain file is gone.
    private string CutCopy(string ending)
    {
        var plain = File.ReadAllBytes(_fixture.PathOf(Voters));
        byte[] compressed;
        if (ending == ".gz")
        {
            using var memory = new MemoryStream();
            using (var gzip = new GZipStream(memory, CompressionLevel.Optimal))
            {
                gzip.Write(plain);
            }

            compressed = memory.ToArray();
        }
        else
        {
            using var zstd = new ZstdSharp.Compressor();
            compressed = zstd.Wrap(plain).ToArray();
        }

        Assert.True(compressed.Length > 600, $"the compressed sample is {compressed.Length} bytes");
        File.Delete(_fixture.PathOf(Voters));
        File.WriteAllBytes(_fixture.PathOf(Voters + ending), compressed[..300]);
        _fixture.Replace(Sources, $"external_location: \"{Voters}\"", $"external_location: \"{Voters}{ending}\"");
        return Voters + ending;
    }

    private int LineOf(string relative, string text) =>
        Array.FindIndex(File.ReadAllLines(_fixture.PathOf(relative)), l => l.Contains(text, StringComparison.Ordinal)) + 1;
}
