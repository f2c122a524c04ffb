namespace ElectionMatch.Tests;

/// <summary>
/// The cases of the bad-input corpus whose bad rows go to quarantine: the run publishes, the row is in
/// <c>&lt;match&gt;_YYYYMMDD__quarantine</c> with its code and line, and the manifest accounts for it (see <see cref="CorpusRun"/>).
/// A class of its own so that xunit runs it beside <see cref="BadInputCorpusTests"/>.
/// </summary>
public sealed class QuarantineCorpusTests : IClassFixture<CorpusProject>
{
    private readonly CorpusProject _project;

    public QuarantineCorpusTests(CorpusProject project)
    {
        _project = project;
    }

    public static TheoryData<string> Cases() => CorpusRun.Cases(quarantine: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_rows_go_to_quarantine_with_their_line_and_are_accounted_for(string name) => CorpusRun.Check(name, _project);
}
