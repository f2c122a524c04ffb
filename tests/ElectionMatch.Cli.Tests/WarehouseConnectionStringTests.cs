using System.Text;

namespace ElectionMatch.Tests;

/// <summary>
/// A profiles.yml <c>path:</c> that is a connection string carrying a token through env_var() (MotherDuck's
/// <c>md:db?motherduck_token=…</c>) is refused, and the token reaches no output and no file of the project.
/// </summary>
public sealed class WarehouseConnectionStringTests : IDisposable
{
    private const string Token = "mdTOKENsecret987654321";

    private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData("check", "md:goodparty?motherduck_token={{ env_var('MOTHERDUCK_TOKEN') }}")]
    [InlineData("run", "motherduck:goodparty?motherduck_token={{ env_var('MOTHERDUCK_TOKEN') }}")]
    [InlineData("generate", "MD:goodparty?motherduck_token={{ env_var('MOTHERDUCK_TOKEN') }}")]
    [InlineData("run", "{{ env_var('EM_TEST_WAREHOUSE_URL') }}")]
    public void A_connection_string_path_fails_with_EM0014_and_its_token_is_in_no_output_and_no_file(string command, string path)
    {
        var profiles = _fixture.Read("profiles.yml");
        _fixture.Write("profiles.yml", profiles + $"    prod:\n      type: duckdb\n      path: \"{path}\"\n      schema: dbt\n");
        string[] args = command == "run"
            ? ["run", "llm_l2_br_match", "--allow-future-date", "--snapshot-date", "2030-06-03"]
            : [command];
        var environment = new Dictionary<string, string?>
        {
            ["MOTHERDUCK_TOKEN"] = Token,
            ["EM_TEST_WAREHOUSE_URL"] = "md:goodparty?motherduck_token=" + Token,
        };

        var result = CliProcess.RunWith(environment, [.. args, "--target", "prod", "--project-dir", _fixture.Directory]);

        Assert.DoesNotContain(Token, result.Output, StringComparison.Ordinal);
        var leaks = Directory.EnumerateFileSystemEntries(_fixture.Directory, "*", SearchOption.AllDirectories)
            .Where(f => f.Contains(Token, StringComparison.Ordinal) || (File.Exists(f) && Contains(File.ReadAllBytes(f), Token)))
            .ToList();
        Assert.True(leaks.Count == 0, "the token is in " + string.Join(", ", leaks));
        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Matches(@"profiles\.yml\(12,13\): error EM0014: path '.*' is a connection string, not a database file", result.Stderr);
    }

    private static bool Contains(byte[] content, string text) => content.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
