namespace ElectionMatch.Tests;

/// <summary>
/// One published run of the candidacy match on a fixture copy in which gpc-000153's name is punctuation only (so it is
/// quarantined), made once for the read-only commands' tests (evaluate, explain).
/// </summary>
public sealed class QuarantinedCandidacyRun : IDisposable
{
    public const string Match = "candidacy_ddhq_matches";
    public const string Snapshot = "candidacy_ddhq_matches_20260101";
    public const string QuarantinedId = "gpc-000153";

    public QuarantinedCandidacyRun()
    {
        // As committed: the README's main command, run first, adds a snapshot to the working copy's fixture.
        Project = FixtureCopy.AsCommitted("goodparty");
        const string csv = "data/airbyte/hubspot_candidacy.csv";
        var text = Project.Read(csv);
        Assert.Contains($"{QuarantinedId},672709366,William,Harris,", text, StringComparison.Ordinal);
        Project.Write(csv, text.Replace($"{QuarantinedId},672709366,William,Harris,", $"{QuarantinedId},672709366,...,--,", StringComparison.Ordinal));
        var run = CliProcess.Run("run", Match, "--snapshot-date", "2026-01-01", "--project-dir", Project.Directory);
        Assert.True(run.ExitCode == 0, run.Output);
    }

    public FixtureCopy Project { get; }

    internal CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", Project.Directory]);

    public void Dispose() => Project.Dispose();
}
