using System.IO.Compression;
using ElectionMatch.Checks;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The candidacies read through <c>ref('stg_hubspot__candidacies')</c>, a model that reads the gzipped candidacies file
/// itself (<c>read_csv('….csv.gz')</c>, <c>from '….csv.gz'</c>), not through a source. Before, nothing checked the file:
/// cut at a line's end, DuckDB read it up to the cut and the run published the 150 rows before it with exit 0. Now the cut
/// file is EM0024 at the read's line in the model file, as a cut file behind a source is at the source's line.
/// </summary>
public sealed class CompressedFileInModelTests : IDisposable
{
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";
    private const string Model = "stg_hubspot__candidacies";
    private const string ModelFile = $"models/staging/hubspot/{Model}.sql";
    private const string Cut = "is not a whole gzip file (it stops before the end that records the length and CRC-32 of what it holds: a download or copy that stopped?), and DuckDB's reader would read it up to where it stops, or not at all, losing the rows after that uncounted; download or compress it again";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public CompressedFileInModelTests()
    {
        Directory.CreateDirectory(_fixture.PathOf("models/staging/hubspot"));
        _fixture.Replace("electionmatch.yml", "relation: source('airbyte_source', 'hubspot_api_candidacy')", $"relation: ref('{Model}')");
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_gzip_file_cut_short_that_a_model_reads_with_read_csv_is_em0024_at_the_calls_line()
    {
        WriteGzip(Candidacies + ".gz", cut: true);
        WriteModel($"{{{{ config(materialized='view') }}}}\n-- the candidacies as HubSpot exports them\nselect *\nfrom read_csv('{Candidacies}.gz', header = true)\n");

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, ModelFile, 4), (diagnostic.Code, diagnostic.File, diagnostic.Line));
        Assert.Equal($"cannot read ref('{Model}'): model '{Model}' reads '{Candidacies}.gz', whose file {Candidacies}.gz {Cut}", diagnostic.Message);
        Assert.False(File.Exists(_fixture.PathOf("electionmatch/manifests/candidacy_ddhq_matches_20300603.json")));
    }

    [Fact]
    public void A_gzip_file_cut_short_that_a_model_reads_by_its_quoted_path_is_em0024_at_the_from()
    {
        WriteGzip(Candidacies + ".gz", cut: true);
        WriteModel($"select *\n  from '{Candidacies}.gz' as candidacies\n");

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, ModelFile, 2), (diagnostic.Code, diagnostic.File, diagnostic.Line));
        Assert.Contains($"whose file {Candidacies}.gz is not a whole gzip file", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cut_file_among_a_list_of_files_or_matched_by_a_glob_is_named()
    {
        WriteGzip("data/airbyte/candidacies_1.csv.gz", cut: false);
        WriteGzip("data/airbyte/candidacies_2.csv.gz", cut: true);
        WriteModel("select * from read_csv(['data/airbyte/candidacies_1.csv.gz', 'data/airbyte/candidacies_2.csv.gz'], union_by_name = true)\n");

        var listed = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        WriteModel("select * from read_csv_auto('data/airbyte/candidacies_*.csv.gz')\n");
        var globbed = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, ModelFile, 1), (listed.Code, listed.File, listed.Line));
        Assert.Contains("whose file data/airbyte/candidacies_2.csv.gz is not a whole gzip file", listed.Message, StringComparison.Ordinal);
        Assert.Equal((Codes.InputUnreadable, ModelFile, 1), (globbed.Code, globbed.File, globbed.Line));
        Assert.Contains("reads 'data/airbyte/candidacies_*.csv.gz', whose file data/airbyte/candidacies_2.csv.gz is not a whole gzip file", globbed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_view_dbt_built_from_a_path_written_with_var_is_read_in_its_rendered_sql()
    {
        WriteGzip(Candidacies + ".gz", cut: true);
        WriteModel("select *\nfrom read_csv('{{ var(\"candidacies\") }}')\n");
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            // As dbt-duckdb builds it: the var rendered, the path relative to the project, where dbt runs.
            warehouse.Execute($"set file_search_path = {Sql.Literal(_fixture.Directory)}; create schema if not exists dbt; create view dbt.{Model} as select * from read_csv('{Candidacies}.gz')");
        }

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal((Codes.InputUnreadable, ModelFile, 2), (diagnostic.Code, diagnostic.File, diagnostic.Line));
        Assert.Contains($"reads '{Candidacies}.gz', whose file {Candidacies}.gz is not a whole gzip file", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_says_the_cut_file_a_model_reads_when_the_warehouse_is_here()
    {
        WriteGzip(Candidacies + ".gz", cut: true);
        WriteModel($"select * from read_csv('{Candidacies}.gz')\n");
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            warehouse.Execute("create schema if not exists dbt");
        }

        var diagnostics = WorkingDirectory.In(_fixture.Directory, () => new CheckOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute());

        Assert.Contains(diagnostics, d => d.Code == Codes.InputUnreadable && d.File == ModelFile && d.Line == 1
            && d.Message.Contains($"whose file {Candidacies}.gz is not a whole gzip file", StringComparison.Ordinal));
    }

    [Fact]
    public void A_whole_gzip_file_a_model_reads_is_published_in_full()
    {
        WriteGzip(Candidacies + ".gz", cut: false);
        WriteModel($"select * from read_csv('{Candidacies}.gz')\n");

        var run = Run();

        var account = run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows");
        Assert.Equal(300, account.Read);
    }

    [Fact]
    public void A_model_dbt_built_as_a_table_is_read_without_the_cut_file_its_sql_names()
    {
        WriteGzip(Candidacies + ".gz", cut: true);
        WriteModel($"{{{{ config(materialized='table') }}}}\nselect * from read_csv('{Candidacies}.gz')\n");
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            // dbt built the table before the file was cut: the run reads the table, all 300 candidacies.
            warehouse.Execute($"create schema if not exists dbt; create table dbt.{Model} as select * from read_csv({Sql.Literal(_fixture.PathOf(Candidacies))})");
        }

        var run = Run();

        Assert.Equal(300, run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows").Read);
    }

    private void WriteModel(string sql) => _fixture.Write(ModelFile, sql);

    // The candidacies gzipped whole, or cut where the first 150 rows end: the 150 decompress whole (a sync flush), the
    // rest and the gzip trailer are gone, so DuckDB's reader reads 150 rows and no broken line.
    private void WriteGzip(string relative, bool cut)
    {
        var lines = File.ReadAllLines(_fixture.PathOf(Candidacies));
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', cut ? lines[..151] : lines) + "\n"));
            gzip.Flush();
            if (cut)
            {
                File.WriteAllBytes(_fixture.PathOf(relative), memory.ToArray());
                return;
            }
        }

        File.WriteAllBytes(_fixture.PathOf(relative), memory.ToArray());
    }

    private RunResult Run() =>
        WorkingDirectory.In(_fixture.Directory, () =>
            new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute(new RunOptions("candidacy_ddhq_matches", new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true }));
}
