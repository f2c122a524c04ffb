using System.Text;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A CSV input read with <c>encoding: utf-16</c> whose file has no byte order mark and holds Greek and Chinese text:
/// little-endian, DuckDB's reader reads it; big-endian, which that reader reads as little-endian (every character
/// garbled), it is refused at the setting before any work.
/// </summary>
public sealed class Utf16InputRunTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";
    private const string Relation = "      relation: source('airbyte_source', 'hubspot_api_candidacy')\n";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_little_endian_file_without_a_byte_order_mark_is_read()
    {
        Reencode(Encoding.Unicode);

        var run = Run();

        Assert.Equal(300, run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows").Read);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_big_endian_file_is_em0024_at_the_encoding_setting_before_any_work(bool byteOrderMark)
    {
        Reencode(Encoding.BigEndianUnicode, byteOrderMark);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, "electionmatch.yml", 22), (diagnostic.Code, diagnostic.File, diagnostic.Line));
        Assert.Contains(
            $"with encoding: utf-16: the file is UTF-16 big-endian ({(byteOrderMark ? "its byte order mark says so" : "its first bytes have the zero byte of each ASCII character before it")}), and DuckDB's CSV reader reads UTF-16 little-endian only",
            diagnostic.Message,
            StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_file_without_a_byte_order_mark_read_without_the_encoding_setting_is_one_em0024_naming_utf16_before_any_work(bool bigEndian)
    {
        // Read as UTF-8, its header was a line of spaced-out letters, and each mapped column one EM0023 naming it.
        Reencode(bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode, declared: false);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, "models/staging/__sources.yaml"), (diagnostic.Code, diagnostic.File));
        Assert.Contains(
            bigEndian
                ? "the file is UTF-16 encoded (big-endian, without a byte order mark: its first bytes have the zero byte of each ASCII character before it); save it as UTF-8, which DuckDB's CSV reader reads"
                : "the file is UTF-16 encoded (little-endian, without a byte order mark: its first bytes have the zero byte of each ASCII character after it); save it as UTF-8, which DuckDB's CSV reader reads, or set encoding: utf-16 on the input",
            diagnostic.Message,
            StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")));
    }

    /// <summary>The candidacies with a Greek and Chinese column, saved in UTF-16 of this order, read with encoding: utf-16 unless not <paramref name="declared"/>.</summary>
    private void Reencode(Encoding encoding, bool byteOrderMark = false, bool declared = true)
    {
        var lines = File.ReadAllLines(_fixture.PathOf(Candidacies));
        var text = string.Concat(lines.Select((l, i) => l + (i == 0 ? ",notes" : ",Δήμαρχος 市长") + "\n"));
        File.WriteAllBytes(_fixture.PathOf(Candidacies), [.. byteOrderMark ? encoding.GetPreamble() : [], .. encoding.GetBytes(text)]);
        if (declared)
        {
            _fixture.Replace("electionmatch.yml", Relation, Relation + "      encoding: utf-16\n");
        }
    }

    private RunResult Run() =>
        WorkingDirectory.In(_fixture.Directory, () =>
            new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute(new RunOptions(Match, new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true }));
}
