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
