using System.IO.Compression;
using System.Text;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The candidacies read from a zstd-compressed CSV file (<c>hubspot_candidacy.csv.zst</c>, compressed by DuckDB's own
/// writer): whole, in one frame or in two (<c>cat a.zst b.zst</c>), with skippable frames or without, every row is read;
/// cut short, as a download that stopped leaves it, the run refuses it before any work, where DuckDB's reader read none
/// of a cut frame's rows (EM0500, the input "has no rows") or the rows of the frames before the cut, without a word.
/// </summary>
public sealed class ZstdInputTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";
    private const string Sources = "models/staging/__sources.yaml";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void A_whole_zstd_file_of_one_or_two_frames_is_read_whole(int frames, bool skippable)
    {
        var whole = Frames(frames, skippable);
        File.WriteAllBytes(Compressed(), whole);

        var run = Run();

        var account = run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows");
        Assert.Equal((300, 0L), (account.Read, account.Outcomes.Where(o => o.Outcome != "used").Sum(o => o.Rows)));
    }

    [Theory]
    [InlineData(1, false, 1)]
    [InlineData(1, false, 2000)]
    [InlineData(2, false, 8)]
    [InlineData(2, true, 8)]
    public void A_zstd_file_cut_short_is_em0024_before_any_work(int frames, bool skippable, int cut)
    {
        // Cut anywhere in its one frame, DuckDB read none of the 300 candidacies (EM0500: the input has no rows); cut in
        // the second of two, it read the first frame's 150 and published them (exit 0), the rest neither read nor counted.
        var whole = Frames(frames, skippable);
        File.WriteAllBytes(Compressed(), whole[..^cut]);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, Sources), (diagnostic.Code, diagnostic.File));
        Assert.Contains(
            "(data/airbyte/hubspot_candidacy.csv.zst): the file is not a whole zstd file (it stops before the end of its last frame",
            diagnostic.Message,
            StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")));
    }

    [Fact]
    public void A_zstd_file_whose_frame_is_damaged_is_em0024_before_any_work()
    {
        // Its frames walk whole, but a byte of its checksum is wrong: ZstdSharp threw where the header check read it
        // (EM0504 "Restored data doesn't match checksum", no file named), where a damaged .csv.gz is EM0024.
        using var compressor = new ZstdSharp.Compressor();
        compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        var damaged = compressor.Wrap(File.ReadAllBytes(_fixture.PathOf(Candidacies))).ToArray();
        damaged[^1] ^= 0xFF;
        File.WriteAllBytes(Compressed(), damaged);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, Sources), (diagnostic.Code, diagnostic.File));
        Assert.Contains(
            "(data/airbyte/hubspot_candidacy.csv.zst): the file does not decompress (Restored data doesn't match checksum): a block's data or its checksum is damaged",
            diagnostic.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_zstd_frame_with_a_window_over_128_mib_is_em0024_saying_why()
    {
        // zstd --long=28 on a file over 128 MiB writes such a frame header, which DuckDB's reader does not decode either
        // ("Frame requires too much memory for decoding"); before, the blank-lines check threw it: EM0504, no file named.
        var text = File.ReadAllBytes(_fixture.PathOf(Candidacies));
        var blocks = text.Chunk(100_000).SelectMany((chunk, i) =>
            Block(last: (i + 1) * 100_000 >= text.Length, chunk.Length).Concat(chunk));
        File.WriteAllBytes(Compressed(), [0x28, 0xB5, 0x2F, 0xFD, 0x00, (28 - 10) << 3, .. blocks]);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, Sources), (diagnostic.Code, diagnostic.File));
        Assert.Contains(
            "(data/airbyte/hubspot_candidacy.csv.zst): the file does not decompress (Frame requires too much memory for decoding): ",
            diagnostic.Message,
            StringComparison.Ordinal);
        Assert.Contains("compressed with zstd --long and a window over 128 MiB", diagnostic.Message, StringComparison.Ordinal);

        // A raw block's 3-byte header: last flag, type 0, size.
        static byte[] Block(bool last, int size) => [(byte)((last ? 1 : 0) | (size << 3)), (byte)(size >> 5), (byte)(size >> 13)];
    }

    [Theory]
    [InlineData(".zst", "plain", "is not a zstd file though its name ends in .zst (its first bytes are 67 70 5F 63, not a zstd frame's 28 B5 2F FD), and DuckDB's reader decompresses a file by its name's ending; if it is a plain CSV file, name it hubspot_candidacy.csv")]
    [InlineData(".zst", "gzip", "is a gzip file though its name ends in .zst, and DuckDB's reader decompresses a file by its name's ending; name it hubspot_candidacy.csv.gz")]
    [InlineData(".gz", "plain", "is not a gzip file though its name ends in .gz (its first bytes are 67 70 5F 63, not gzip's 1F 8B), and DuckDB's reader decompresses a file by its name's ending; if it is a plain CSV file, name it hubspot_candidacy.csv")]
    [InlineData(".gz", "zstd", "is a zstd file though its name ends in .gz, and DuckDB's reader decompresses a file by its name's ending; name it hubspot_candidacy.csv.zst")]
    [InlineData(".ZST", "zstd", "is a zstd file, and DuckDB's reader decompresses a file only by a lower-case ending (one ending in .ZST it reads as text); name it hubspot_candidacy.csv.zst")]
    [InlineData(".GZ", "gzip", "is a gzip file, and DuckDB's reader decompresses a file only by a lower-case ending (one ending in .GZ it reads as text); name it hubspot_candidacy.csv.gz")]
    public void A_file_compressed_otherwise_than_its_name_says_is_em0024_naming_the_file(string ending, string content, string said)
    {
        // Before, the header check's decompression threw: EM0504 ("Unknown frame descriptor", "unsupported compression
        // method"), an internal error naming no file.
        var text = File.ReadAllBytes(_fixture.PathOf(Candidacies));
        var bytes = content switch
        {
            "gzip" => Gzip(text),
            "zstd" => new ZstdSharp.Compressor().Wrap(text).ToArray(),
            _ => text,
        };
        File.Delete(_fixture.PathOf(Candidacies));
        _fixture.Replace(Sources, $"external_location: \"{Candidacies}\"", $"external_location: \"{Candidacies}{ending}\"");
        File.WriteAllBytes(_fixture.PathOf(Candidacies + ending), bytes);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, Sources, 11), (diagnostic.Code, diagnostic.File, diagnostic.Line));
        Assert.EndsWith($"(data/airbyte/hubspot_candidacy.csv{ending}) {said}", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_file_named_with_an_upper_case_zst_is_read_as_duckdb_reads_it_uncompressed()
    {
        // Before, the header check decompressed it (EM0504 "Unknown frame descriptor") where DuckDB reads it as text.
        File.Move(_fixture.PathOf(Candidacies), _fixture.PathOf(Candidacies + ".ZST"));
        _fixture.Replace(Sources, $"external_location: \"{Candidacies}\"", $"external_location: \"{Candidacies}.ZST\"");

        var account = Run().Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows");

        Assert.Equal((300, 0L), (account.Read, account.Outcomes.Where(o => o.Outcome != "used").Sum(o => o.Rows)));
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData(".zst")]
    public void A_whole_compressed_file_of_nothing_is_em0024_as_an_empty_file_is(string ending)
    {
        // Before, it passed every check and DuckDB read no rows: EM0500 "has no rows; nothing to match", where an empty
        // plain file, or a compressed one of blank lines only, is EM0024 saying so.
        // GZipStream writes no bytes at all for nothing; gzip -n of an empty input is a header, an empty block and the end.
        byte[] bytes = ending == ".gz"
            ? [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
            : new ZstdSharp.Compressor().Wrap([]).ToArray();
        File.Delete(_fixture.PathOf(Candidacies));
        _fixture.Replace(Sources, $"external_location: \"{Candidacies}\"", $"external_location: \"{Candidacies}{ending}\"");
        File.WriteAllBytes(_fixture.PathOf(Candidacies + ending), bytes);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, Sources, 11), (diagnostic.Code, diagnostic.File, diagnostic.Line));
        Assert.EndsWith($"(data/airbyte/hubspot_candidacy.csv{ending}) holds nothing once decompressed, no header line: a compressed empty file", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_file_named_zst_in_a_glob_is_em0024_naming_that_file()
    {
        // Before: "is not a whole zstd file (it stops before the end of its last frame …: a download or copy that stopped?)".
        var lines = File.ReadAllLines(_fixture.PathOf(Candidacies));
        Directory.CreateDirectory(_fixture.PathOf("data/airbyte/hs"));
        File.WriteAllBytes(_fixture.PathOf("data/airbyte/hs/a.csv.zst"), new ZstdSharp.Compressor().Wrap(Encoding.UTF8.GetBytes(string.Join('\n', lines[..151]) + "\n")).ToArray());
        File.WriteAllText(_fixture.PathOf("data/airbyte/hs/b.csv.zst"), string.Join('\n', [lines[0], .. lines[151..]]) + "\n");
        File.Delete(_fixture.PathOf(Candidacies));
        _fixture.Replace(Sources, $"external_location: \"{Candidacies}\"", "external_location: \"data/airbyte/hs/*.csv.zst\"");

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, Sources), (diagnostic.Code, diagnostic.File));
        Assert.Contains("data/airbyte/hs/b.csv.zst is not a zstd file though its name ends in .zst", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("if it is a plain CSV file, name it b.csv", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, false, "zeros")]
    [InlineData(2, true, "text")]
    public void A_zstd_file_with_bytes_after_its_last_frame_is_em0024_saying_where_they_start(int frames, bool skippable, string junk)
    {
        // Not a cut file: every frame is whole, and what follows is no frame. Before, the run said "it stops before the
        // end of its last frame …: a download or copy that stopped?", of a file that stops after it.
        var whole = Frames(frames, skippable);
        byte[] after = junk == "zeros" ? new byte[512] : "<html>not found</html>\n"u8.ToArray();
        File.WriteAllBytes(Compressed(), [.. whole, .. after]);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        var said = junk == "zeros" ? "the 512 bytes after it (00 00 00 00 00 00 00 00 …)" : "the 23 bytes after it (3C 68 74 6D 6C 3E 6E 6F …)";
        Assert.Equal((Codes.InputUnreadable, Sources), (diagnostic.Code, diagnostic.File));
        Assert.Contains(
            $"(data/airbyte/hubspot_candidacy.csv.zst): the file is not a whole zstd file: its last zstd frame ends at byte offset {whole.Length:N0}, and {said} are not zstd data",
            diagnostic.Message,
            StringComparison.Ordinal);
        Assert.EndsWith($"keep the file's first {whole.Length:N0} bytes (truncate -s {whole.Length} hubspot_candidacy.csv.zst), else download or compress it again", diagnostic.Message, StringComparison.Ordinal);
    }

    private static byte[] Gzip(byte[] text)
    {
        using var bytes = new MemoryStream();
        using (var gzip = new GZipStream(bytes, CompressionLevel.Optimal))
        {
            gzip.Write(text);
        }

        return bytes.ToArray();
    }

    // The candidacies file compressed by DuckDB, as one frame or as two (the header and 150 rows, then the other 150),
    // with a skippable frame (RFC 8878, 3.1.2) before each when asked.
    private byte[] Frames(int frames, bool skippable)
    {
        var plain = _fixture.PathOf(Candidacies);
        string[] parts = frames == 1 ? [""] : [" limit 150", " offset 150"];
        using var warehouse = DuckDbWarehouse.InMemory();
        var bytes = new List<byte>();
        for (var i = 0; i < parts.Length; i++)
        {
            var frame = _fixture.PathOf($"frame{i}.csv.zst");
            warehouse.Execute(
                $"copy (select * from read_csv({Sql.Literal(plain)}, all_varchar = true){parts[i]}) to {Sql.Literal(frame)} (format csv, header {(i == 0 ? "true" : "false")}, compression zstd)");
            if (skippable)
            {
                bytes.AddRange([0x53, 0x2A, 0x4D, 0x18, 5, 0, 0, 0, .. "notes"u8]);
            }

            bytes.AddRange(File.ReadAllBytes(frame));
            File.Delete(frame);
        }

        return [.. bytes];
    }

    // The source reads data/airbyte/hubspot_candidacy.csv.zst from now on; the plain file is gone.
    private string Compressed()
    {
        File.Delete(_fixture.PathOf(Candidacies));
        _fixture.Replace(Sources, $"external_location: \"{Candidacies}\"", $"external_location: \"{Candidacies}.zst\"");
        return _fixture.PathOf(Candidacies + ".zst");
    }

    private RunResult Run() =>
        WorkingDirectory.In(_fixture.Directory, () =>
            new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute(new RunOptions(Match, new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true }));
}
