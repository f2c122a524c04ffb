namespace ElectionMatch.Tests;

/// <summary>The cases of the bad-input corpus that a command must refuse, each with its code, file and line (see <see cref="CorpusRun"/>).</summary>
public sealed class BadInputCorpusTests : IClassFixture<CorpusProject>
{
    private readonly CorpusProject _project;

    public BadInputCorpusTests(CorpusProject project)
    {
        _project = project;
    }

    public static TheoryData<string> Cases() => CorpusRun.Cases(quarantine: false);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_gives_its_code_file_and_line_and_changes_nothing(string name) => CorpusRun.Check(name, _project);

    [Fact]
    public void Every_corpus_case_is_listed_in_docs_errors_md()
    {
        var errors = File.ReadAllText(Path.Combine(FixtureCopy.RepositoryRoot, "docs", "errors.md"));
        var missing = CorpusRun.CaseNames().Where(name => !errors.Contains($"| `{name}` |", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/errors.md does not list: " + string.Join(", ", missing));
    }
}
