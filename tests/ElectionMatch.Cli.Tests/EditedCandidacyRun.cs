namespace ElectionMatch.Tests;

/// <summary>
/// One published run of the candidacy match on a copy of the fixture as committed (the README's main command, run
/// first, adds a snapshot to the working copy's fixture), its candidacy file edited first: made once per test class (or
/// per collection, <see cref="QuarantinedCandidacyCollection"/>) for the read-only commands' tests (evaluate, explain).
/// </summary>
public abstract class EditedCandidacyRun : IDisposable
{
    public const string Match = "candidacy_ddhq_matches";
    public const string Snapshot = "candidacy_ddhq_matches_20260101";
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";

    /// <param name="edit">The candidacy file's new text from its committed text.</param>
    /// <param name="bytes">Then its new bytes from those (an edit no text can hold: bytes that are not UTF-8).</param>
    protected EditedCandidacyRun(Func<string, string> edit, Func<byte[], byte[]>? bytes = null)
    {
        Project = FixtureCopy.Of("goodparty");
        Project.Write(Candidacies, edit(Project.Read(Candidacies)));
        if (bytes is not null)
        {
            File.WriteAllBytes(Project.PathOf(Candidacies), bytes(File.ReadAllBytes(Project.PathOf(Candidacies))));
        }

        Run = CliProcess.Run("run", Match, "--snapshot-date", "2026-01-01", "--project-dir", Project.Directory);
        Assert.True(Run.ExitCode == 0, Run.Output);
    }

    public FixtureCopy Project { get; }

    /// <summary>What the run printed.</summary>
    internal CliProcess.Result Run { get; }

    internal CliProcess.Result Cli(string command, params string[] args) =>
        CliProcess.Run([command, .. args, "--project-dir", Project.Directory]);

    /// <summary>The text with <paramref name="line"/> (which must be there) replaced.</summary>
    protected static string Replace(string text, string line, string replacement)
    {
        Assert.Contains(line, text, StringComparison.Ordinal);
        return text.Replace(line, replacement, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Project.Dispose();
        GC.SuppressFinalize(this);
    }
}
