using System.IO.Compression;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The candidacies read through <c>ref('stg_hubspot__candidacies')</c>, a model over the source whose external_location
/// is <c>hubspot_candidacy.csv.gz</c>. Cut short, the file is refused as it is when the source is the input: before, a
/// model had no files of its own to check, and a file cut at a line's end was read up to the cut, published with exit 0.
/// A model dbt built as a table reads no file, so nothing is said of it.
/// </summary>
public sealed class GzipInputBehindModelTests : IDisposable
{
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";
    private const string Sources = "models/staging/__sources.yaml";
    private const string Model = "stg_hubspot__candidacies";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public GzipInputBehindModelTests()
    {
        Directory.CreateDirectory(_fixture.PathOf("models/staging/hubspot"));
        _fixture.Write($"models/staging/hubspot/{Model}.sql", "select * from {{ source('airbyte_source', 'hubspot_api_candidacy') }}\n");
        _fixture.Replace("electionmatch.yml", "relation: source('airbyte_source', 'hubspot_api_candidacy')", $"relation: ref('{Model}')");
        File.WriteAllBytes(_fixture.PathOf(Candidacies + ".gz"), CutAtALinesEnd(File.ReadAllLines(_fixture.PathOf(Candidacies))));
        _fixture.Replace(Sources, $"external_location: \"{Candidacies}\"", $"external_location: \"{Candidacies}.gz\"");
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_gzip_file_cut_short_behind_a_model_is_em0024_at_its_source_before_any_work()
    {
        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, Sources, 11), (diagnostic.Code, diagnostic.File, diagnostic.Line));
        Assert.Equal(
            $"cannot read ref('{Model}'): it reads source('airbyte_source', 'hubspot_api_candidacy'), whose file data/airbyte/hubspot_candidacy.csv.gz is not a whole gzip file (it stops before the end that records the length and CRC-32 of what it holds: a download or copy that stopped?), and DuckDB's reader would read it up to where it stops, or not at all, losing the rows after that uncounted; download or compress it again",
            diagnostic.Message);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")));
    }

    [Fact]
    public void A_model_dbt_built_as_a_table_is_read_without_its_sources_cut_file()
    {
        // dbt built the model before the file was cut: the run reads the table, all 300 candidacies.
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute($"create schema if not exists dbt; create table dbt.{Model} as select * from read_csv({Sql.Literal(_fixture.PathOf(Candidacies))})");
        }

        var run = Run();

        var account = run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows");
        Assert.Equal(300, account.Read);
    }

    // The candidacies gzipped, cut where the first 150 rows end: the 150 decompress whole (a sync flush), the rest and the
    // gzip trailer are gone, so DuckDB's reader reads 150 rows and no broken line.
    private static byte[] CutAtALinesEnd(string[] lines)
    {
        using var memory = new MemoryStream();
        using var gzip = new GZipStream(memory, CompressionLevel.Optimal);
        gzip.Write(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines[..151]) + "\n"));
        gzip.Flush();
        return memory.ToArray();
    }

    private RunResult Run() =>
        WorkingDirectory.In(_fixture.Directory, () =>
            new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true }));
}
