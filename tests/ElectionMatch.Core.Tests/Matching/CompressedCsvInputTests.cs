using System.IO.Compression;
using ElectionMatch.Dbt;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The candidacies read from <c>hubspot_candidacy.csv</c> as it is, gzipped (<c>.csv.gz</c>) and zstd-compressed
/// (<c>.csv.zst</c>), byte for byte the same text: each is a CSV input (<see cref="ElectionMatch.Matching.CsvInput"/>),
/// a bad line quarantined and counted, a declared data_type applied, the same rows published. Before, a .csv.zst file
/// was read by DuckDB alone: a line with a surplus field made its sniffer read one column (EM0023, exit 1), and a
/// declared DATE was not applied (the value that is no date used, only that date quarantined: EMQ004, not EMQ010).
/// </summary>
public sealed class CompressedCsvInputTests : IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";
    private const string Sources = "models/staging/__sources.yaml";
    private const string Snapshot = "model_predictions.candidacy_ddhq_matches_20300603";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData(".gz")]
    [InlineData(".zst")]
    public void A_line_with_a_surplus_field_is_quarantined_and_counted(string compression)
    {
        EditLine(5, line => line + ",surplus");
        Compress(_fixture, compression);

        var run = Run(_fixture);

        Assert.Equal((300, "quarantined EMQ009: 1"), Account(run));
        Assert.Equal(
            $"EMQ009 data/airbyte/hubspot_candidacy.csv{compression} line 5: Expected Number of Columns: 13 Found: 14",
            Quarantined(_fixture).Single());
    }

    [Theory]
    [InlineData("")]
    [InlineData(".gz")]
    [InlineData(".zst")]
    public void A_declared_data_type_is_applied_and_a_value_that_does_not_fit_quarantines_its_row(string compression)
    {
        // Line 8's primary election date is no date; the source declares the column DATE.
        EditLine(8, line => string.Join(',', line.Split(',').Select((f, i) => i == 10 ? "soon" : f)));
        _fixture.Replace(Sources, "          - name: primary_election_date\n", "          - name: primary_election_date\n            data_type: date\n");
        Compress(_fixture, compression);

        var run = Run(_fixture);

        Assert.Equal((300, "quarantined EMQ010: 1"), Account(run));
        Assert.StartsWith(
            $"EMQ010 data/airbyte/hubspot_candidacy.csv{compression} line 8: Error when converting column \"primary_election_date\". Could not convert string \"soon\" to 'DATE' (the data_type DATE",
            Quarantined(_fixture).Single(),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".gz")]
    [InlineData(".zst")]
    public void A_compressed_file_publishes_the_same_rows_as_the_plain_csv(string compression)
    {
        using var plain = _fixture.Clone();
        Compress(_fixture, compression);

        Run(plain);
        Run(_fixture);

        Assert.Equal(Published(plain), Published(_fixture));
        Assert.Equal(Quarantined(plain), Quarantined(_fixture));
    }

    private void EditLine(int line, Func<string, string> edit)
    {
        var lines = _fixture.Read(Candidacies).Split('\n');
        lines[line - 1] = edit(lines[line - 1]);
        _fixture.Write(Candidacies, string.Join('\n', lines));
    }

    // The source reads the candidacies file compressed byte for byte from now on (no change for ""); the plain file is gone.
    private static void Compress(FixtureCopy fixture, string compression)
    {
        if (compression == "")
        {
            return;
        }

        var text = File.ReadAllBytes(fixture.PathOf(Candidacies));
        File.WriteAllBytes(fixture.PathOf(Candidacies + compression), compression == ".gz" ? Gzip(text) : new ZstdSharp.Compressor().Wrap(text).ToArray());
        File.Delete(fixture.PathOf(Candidacies));
        fixture.Replace(Sources, $"external_location: \"{Candidacies}\"", $"external_location: \"{Candidacies}{compression}\"");
    }

    private static byte[] Gzip(byte[] text)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal))
        {
            gzip.Write(text);
        }

        return memory.ToArray();
    }

    // The left input's rows read, and each outcome other than used with its code and rows.
    private static (long Read, string Others) Account(RunResult run)
    {
        var account = run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows");
        return (account.Read, string.Join("; ", account.Outcomes.Where(o => o.Outcome != "used").Select(o => $"{o.Outcome} {o.Reason.Split(' ')[0]}: {o.Rows}")));
    }

    // Each quarantined row's code and message, the message from its file's name on (the same for every compression).
    private static List<string> Quarantined(FixtureCopy fixture)
    {
        using var warehouse = DuckDbWarehouse.Open(fixture.WarehousePath, readOnly: true);
        return warehouse.Query(
            $"select error_code || ' ' || substr(message, strpos(message, 'data/airbyte/')) from {Snapshot}__quarantine order by all",
            r => r.GetString(0));
    }

    // The published rows, each as text, in order.
    private static List<string> Published(FixtureCopy fixture)
    {
        using var warehouse = DuckDbWarehouse.Open(fixture.WarehousePath, readOnly: true);
        return warehouse.Query($"select cast(s as varchar) as r from {Snapshot} as s order by r", r => r.GetString(0));
    }

    private static RunResult Run(FixtureCopy fixture) =>
        WorkingDirectory.In(fixture.Directory, () =>
            new RunOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute(new RunOptions(Match, new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true }));
}
