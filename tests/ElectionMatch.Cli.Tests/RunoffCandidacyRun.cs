namespace ElectionMatch.Tests;

/// <summary>
/// One published run of the candidacy match on a fixture copy with the runoff cases `explain` must tell: gpc-002164's
/// runoff date moved two days off the results (the runoff date fallback finds them), and Bonnie Waters, a primary loser
/// of Dolores Villarreal's race, whose primary link leads the run to a runoff she is not in (discovered, not linked).
/// </summary>
public sealed class RunoffCandidacyRun : IDisposable
{
    public const string Match = "candidacy_ddhq_matches";
    public const string FallbackId = "gpc-002164";
    public const string DiscoveredId = "gpc-009004";

    public RunoffCandidacyRun()
    {
        Project = FixtureCopy.AsCommitted("goodparty");
        const string csv = "data/airbyte/hubspot_candidacy.csv";
        const string mabry = "gpc-002164,462918317,Terrence,Mabry,GA,County Commission,Chatham County Commission - District 4,county,4,Democratic,2024-05-21,2024-11-05,2024-06-18";
        var text = Project.Read(csv);
        Assert.Contains(mabry, text, StringComparison.Ordinal);
        Project.Write(csv, text.Replace(mabry, mabry.Replace("2024-06-18", "2024-06-20", StringComparison.Ordinal), StringComparison.Ordinal)
            + $"{DiscoveredId},580181897,Bonnie,Waters,TX,State House,Texas House of Representatives - District 54,state,54,Republican,2024-03-05,,\n");
        var run = CliProcess.Run("run", Match, "--snapshot-date", "2026-01-01", "--project-dir", Project.Directory);
        Assert.True(run.ExitCode == 0, run.Output);
    }

    public FixtureCopy Project { get; }

    internal CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", Project.Directory]);

    public void Dispose() => Project.Dispose();
}
