using System.IO.Compression;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The candidacies read from a gzipped CSV file (<c>hubspot_candidacy.csv.gz</c>): whole, in one member or in two
/// (<c>cat a.gz b.gz</c>), every row is read; cut short, as a download that stopped leaves it, the run refuses it
/// before any work, where DuckDB's reader read the rows before the cut and published them without a word of the rest.
/// </summary>
public sealed class GzipInputTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";
    private const string Sources = "models/staging/__sources.yaml";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_whole_gzip_file_of_one_or_two_members_is_read_whole(int members)
    {
        var whole = Members(members);
        File.WriteAllBytes(Gzipped(), whole);

        var run = Run();

        var account = run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows");
        Assert.Equal((300, 0L), (account.Read, account.Outcomes.Where(o => o.Outcome != "used").Sum(o => o.Rows)));
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(1, 2000)]
    [InlineData(2, 8)]
    public void A_gzip_file_cut_short_is_em0024_before_any_work(int members, int cut)
    {
        // Cut 2000 bytes short, DuckDB read 133 of the 300 candidacies, quarantined the cut line and published the rest
        // (exit 0); cut in its last 8 bytes, it read all 300, the file's end unchecked.
        var whole = Members(members);
        File.WriteAllBytes(Gzipped(), whole[..^cut]);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        // At the source's external_location, where an empty or misnamed file is said (before, its `- name:` line, 8).
        Assert.Equal((Codes.InputUnreadable, Sources, 11), (diagnostic.Code, diagnostic.File, diagnostic.Line));
        Assert.Contains(
            "(data/airbyte/hubspot_candidacy.csv.gz): the file is not a whole gzip file (it stops before the end that records the length and CRC-32 of what it holds",
            diagnostic.Message,
            StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")));
    }

    [Theory]
    [InlineData(1, "zeros")]
    [InlineData(2, "text")]
    public void A_gzip_file_with_bytes_after_its_last_member_is_em0024_saying_where_they_start(int members, string junk)
    {
        // Not a cut file: every member is whole, and what follows is neither a member nor the start of one. Before, the
        // run said "it stops before the end …: a download or copy that stopped?", of a file that stops after it.
        var whole = Members(members);
        byte[] after = junk == "zeros" ? new byte[512] : "<html>not found</html>\n"u8.ToArray();
        File.WriteAllBytes(Gzipped(), [.. whole, .. after]);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);
        var check = Assert.Single(WorkingDirectory.In(_fixture.Directory, () => new Checks.CheckOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute()), d => d.IsError);

        var said = junk == "zeros" ? "the 512 bytes after it (00 00 00 00 00 00 00 00 …)" : "the 23 bytes after it (3C 68 74 6D 6C 3E 6E 6F …)";
        foreach (var d in new[] { diagnostic, check })
        {
            Assert.Equal((Codes.InputUnreadable, Sources, 11), (d.Code, d.File, d.Line));
            Assert.Contains(
                $"(data/airbyte/hubspot_candidacy.csv.gz): the file is not a whole gzip file: its last gzip member ends at byte offset {whole.Length:N0}, and {said} are not gzip data",
                d.Message,
                StringComparison.Ordinal);
            Assert.EndsWith($"keep the file's first {whole.Length:N0} bytes (truncate -s {whole.Length} hubspot_candidacy.csv.gz), else download or compress it again", d.Message, StringComparison.Ordinal);
        }
    }

    // The candidacies file gzipped, as one member or as two (the header and 150 rows, then the other 150).
    private byte[] Members(int members)
    {
        var lines = File.ReadAllLines(_fixture.PathOf(Candidacies));
        var parts = members == 1 ? [lines] : new[] { lines[..151], lines[151..] };
        return [.. parts.SelectMany(p => Compress(string.Join('\n', p) + "\n"))];
    }

    private static byte[] Compress(string text)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }

        return memory.ToArray();
    }

    // The source reads data/airbyte/hubspot_candidacy.csv.gz from now on; the plain file is gone.
    private string Gzipped()
    {
        File.Delete(_fixture.PathOf(Candidacies));
        _fixture.Replace(Sources, $"external_location: \"{Candidacies}\"", $"external_location: \"{Candidacies}.gz\"");
        return _fixture.PathOf(Candidacies + ".gz");
    }

    private RunResult Run() =>
        WorkingDirectory.In(_fixture.Directory, () =>
            new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute(new RunOptions(Match, new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true }));
}
