using System.Text;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// A CSV input's columns that the match does not read (not its id, not mapped, not kept) are read as text: a value in
/// them that does not fit the type DuckDB's sniffer gave the column from its sample cannot quarantine the row. Before,
/// a results row whose vote count said <c>N/A</c> past the sniffer's sample was quarantined (EMQ010) and its true link lost.
/// </summary>
public sealed class UnreadColumnValueRunTests : IDisposable
{
    private const string Results = "data/airbyte/ddhq_election_results.csv";
    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_word_in_an_unmapped_number_column_past_the_sniffers_sample_quarantines_nothing_and_the_row_is_linked()
    {
        // 21,000 results rows of a race no candidacy runs in put the file's own rows past the sniffer's sample, where
        // votes reads as a number; the first of them (Bonnie Balchunis, linked in the fixture's run) then says N/A.
        var lines = _fixture.Read(Results).Split('\n');
        Assert.StartsWith("281028,AL Huntsville Board of Education - District 4 - Primary,1402004,BONNIE BALCHUNIS,Nonpartisan,true,6909,", lines[1], StringComparison.Ordinal);
        var text = new StringBuilder(lines[0]).Append('\n');
        for (var i = 0; i < 21_000; i++)
        {
            text.Append(900_000 + i).Append(",ZZ Padding Race - General,").Append(9_000_000 + i).Append(",Pad Person,Nonpartisan,false,10,1999-01-05,AL,general,Mayor,,false\n");
        }

        text.Append(lines[1].Replace(",6909,", ",N/A,", StringComparison.Ordinal)).Append('\n').AppendJoin('\n', lines[2..]);
        _fixture.Write(Results, text.ToString());

        var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", _fixture.Directory);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("quarantined: 0 left, 0 right rows", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("published model_predictions.candidacy_ddhq_matches_20260101 (360 rows, 299 matched)", run.Stdout, StringComparison.Ordinal);
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        Assert.True(warehouse.Scalar<bool>("select bool_or(has_match) from model_predictions.candidacy_ddhq_matches_20260101 where cast(ddhq_candidate_id as varchar) = '1402004'"));
    }
}
