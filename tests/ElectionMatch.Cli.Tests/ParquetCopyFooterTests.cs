using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// `verify` and `check` read each parquet copy's footer (EM0617, a warning): a copy restore would refuse (cut, replaced by
/// another file, other columns, another row count) is named while its table still holds what was published, when
/// `restore` can still write it again. Before, only the copy's presence was checked, and such a copy passed.
/// </summary>
public sealed class ParquetCopyFooterTests : IClassFixture<ThreeSnapshots>, IDisposable
{
    private const string Match = VerifyTamperTests.Match;
    private const string Middle = "candidacy_ddhq_matches_20300610";
    private const string Parquet = $"target/model_predictions/{Middle}.parquet";

    private readonly FixtureCopy _fixture;

    public ParquetCopyFooterTests(ThreeSnapshots published)
    {
        _fixture = published.Project.Clone();
    }

    public void Dispose() => _fixture.Dispose();

    private CliProcess.Result Cli(params string[] args) => CliProcess.RunIn(_fixture.Directory, [.. args, "--project-dir", "."]);

    private static string[] CopyWarnings(CliProcess.Result result) =>
        result.Stderr.Split('\n').Where(l => l.Contains($"warning {Codes.ParquetCopyNotAsPublished}: ", StringComparison.Ordinal)).ToArray();

    private long PublishedRows()
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        return warehouse.Scalar<long>($"select count(*) from model_predictions.{Middle}");
    }

    /// <summary>The copy rewritten by DuckDB from <paramref name="select"/> over it (<c>{0}</c>: the copy), as another tool would.</summary>
    private void Rewrite(string select)
    {
        var path = _fixture.PathOf(Parquet);
        using (var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath))
        {
            var query = string.Format(System.Globalization.CultureInfo.InvariantCulture, select, $"read_parquet({Sql.Literal(path)})");
            warehouse.Execute($"copy ({query}) to {Sql.Literal(path + ".new")} (format parquet)");
        }

        File.Move(path + ".new", path, overwrite: true);
    }

    private static string Consequence(string date) =>
        $", so restore could not put the table back from it were it edited or dropped; the table holds what was published, and `electionmatch restore {Match} --snapshot-date {date}` writes the copy again from it";

    [Fact]
    public void A_copy_with_a_row_removed_is_a_warning_naming_it_and_both_row_counts_and_restore_writes_it_again()
    {
        var rows = PublishedRows();
        Rewrite("select * from {0} where not (gp_candidacy_id = 'gpc-001623' and hubspot_election_type = 'general')");

        var verify = Cli("verify", "--no-inputs");
        var check = Cli("check");

        Assert.True(verify.ExitCode == 0, verify.Output);
        var warning = Assert.Single(CopyWarnings(verify));
        Assert.StartsWith($"electionmatch/manifests/{Middle}.json(", warning, StringComparison.Ordinal);
        Assert.Contains($"the parquet copy {Parquet} of model_predictions.{Middle} has {rows - 1} rows, the manifest records {rows}" + Consequence("2030-06-10"), warning, StringComparison.Ordinal);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Equal(warning, Assert.Single(CopyWarnings(check)));

        // The advice clears it: restore writes the copy again from the table.
        var restore = Cli("restore", Match, "--snapshot-date", "2030-06-10");
        Assert.True(restore.ExitCode == 0, restore.Output);
        Assert.Contains($"wrote     {Parquet} again from model_predictions.{Middle}", restore.Stdout, StringComparison.Ordinal);
        Assert.Empty(CopyWarnings(Cli("verify", "--no-inputs")));
    }

    [Fact]
    public void A_copy_with_a_column_renamed_is_a_warning_naming_the_column()
    {
        Rewrite("select * rename (llm_reasoning as reasoning_text) from {0}");

        var verify = Cli("verify", "--no-inputs");

        Assert.True(verify.ExitCode == 0, verify.Output);
        var warning = Assert.Single(CopyWarnings(verify));
        Assert.Contains($"the parquet copy {Parquet} of model_predictions.{Middle} has other columns than the manifest records (llm_reasoning is missing, reasoning_text is not the manifest's)" + Consequence("2030-06-10"), warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_copy_with_its_columns_in_another_order_is_a_warning()
    {
        Rewrite("select llm_reasoning, * exclude (llm_reasoning) from {0}");

        var warning = Assert.Single(CopyWarnings(Cli("check")));

        Assert.Contains($"the parquet copy {Parquet} of model_predictions.{Middle} has its columns in another order (llm_reasoning, ", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_parquet_under_the_copy_s_name_is_a_warning_naming_it()
    {
        // A copy cut off in a transfer, or another file put in its place.
        var bytes = File.ReadAllBytes(_fixture.PathOf(Parquet));
        File.WriteAllBytes(_fixture.PathOf(Parquet), bytes[..(bytes.Length / 2)]);

        var verify = Cli("verify", "--no-inputs");

        Assert.True(verify.ExitCode == 0, verify.Output);
        var warning = Assert.Single(CopyWarnings(verify));
        Assert.Contains($"the parquet copy {Parquet} of model_predictions.{Middle} is not a parquet file DuckDB reads (", warning, StringComparison.Ordinal);
        Assert.EndsWith(Consequence("2030-06-10"), warning.TrimEnd('\r'), StringComparison.Ordinal);
    }

    [Fact]
    public void Intact_copies_and_one_whose_round_trip_changed_a_column_type_are_no_warning()
    {
        // Restore casts a type the round trip changed back (RestoreCommandTests), so the footer's types are not compared.
        Rewrite("select * replace (cast(ddhq_candidate_id as double) as ddhq_candidate_id) from {0}");

        var verify = Cli("verify", "--no-inputs");
        var check = Cli("check");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.DoesNotContain(Codes.ParquetCopyNotAsPublished, verify.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Codes.ParquetCopyNotAsPublished, check.Stderr, StringComparison.Ordinal);
    }
}
