using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// An input's <c>encoding:</c> is given to every read of its CSV file, the sniffer's included, so a Windows-1252 or
/// Latin-1 export is read as written and keeps the reject store. Before, every line with an accent was quarantined
/// (EMQ008), and the only way out, a read_csv(…) call, lost the store.
/// </summary>
public sealed class CsvEncodingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("em-encoding-").FullName;

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_latin1_file_read_with_its_encoding_reads_every_accented_line_and_still_rejects_a_ragged_one(string newLine)
    {
        var path = Path.Combine(_directory, "candidacies.csv");
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(string.Join(newLine, "candidacy_id,name,office", "gpc-1,Ann González,Council", "gpc-2,Zoë Dunn,Mayor,extra", "gpc-3,Cy Ng,Sheriff") + newLine));
        using var warehouse = DuckDbWarehouse.InMemory();
        var csv = new CsvInput("left", path, "candidacies.csv") { Encoding = "latin-1" }.Sniff(warehouse);
        CsvSniffTests.ReadWithRejects(warehouse, csv);

        Assert.Contains("encoding='latin-1'", csv.Sniffed, StringComparison.Ordinal);
        Assert.Equal(
            ["read gpc-1 Ann González", "EMQ009 gpc-2 line 3 gpc-2,Zoë Dunn,Mayor,extra", "read gpc-3 Cy Ng"],
            warehouse.Query(
                "select coalesce(reject_code, 'read'), left_id, coalesce('line ' || (original->>'line') || ' ' || (original->>'csv_line'), name) from input order by left_id",
                r => $"{r.GetString(0)} {r.GetString(1)} {r.GetString(2)}"));
    }

    [Fact]
    public void A_line_that_is_not_utf8_says_which_encoding_setting_reads_it()
    {
        var path = Path.Combine(_directory, "candidacies.csv");
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes("candidacy_id,name,office\ngpc-1,Ann González,Council\ngpc-2,Bo Diaz,Mayor\n"));
        using var warehouse = DuckDbWarehouse.InMemory();
        CsvSniffTests.ReadWithRejects(warehouse, new CsvInput("left", path, "candidacies.csv").Sniff(warehouse));

        var detail = warehouse.Scalar<string>("select reject_detail from input where reject_code = 'EMQ008'");
        Assert.StartsWith("candidacies.csv line 2: ", detail, StringComparison.Ordinal);
        Assert.Contains("with encoding: latin-1 on its input", detail, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
