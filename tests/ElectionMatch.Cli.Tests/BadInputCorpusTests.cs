using System.Diagnostics;
using System.Security.Cryptography;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// The bad-input corpus (tests/corpus, listed in docs/errors.md): each case breaks a copy of the goodparty fixture
/// in one way, runs the real CLI, and checks the EM code, the file and line it names and the exit code, and that the
/// warehouse and every user file are as they were. Cases whose bad rows go to quarantine check the quarantine row
/// instead, and that no input file and no earlier table changed.
/// </summary>
public sealed class BadInputCorpusTests : IClassFixture<BadInputCorpusTests.PreparedProject>
{
    private const string SourcesYaml = "models/staging/__sources.yaml";

    private readonly PreparedProject _prepared;

    public BadInputCorpusTests(PreparedProject prepared)
    {
        _prepared = prepared;
    }

    public static TheoryData<string> Cases()
    {
        var cases = new TheoryData<string>();
        foreach (var name in CaseNames())
        {
            cases.Add(name);
        }

        return cases;
    }

    private static IEnumerable<string> CaseNames() =>
        Directory.EnumerateDirectories(CorpusCase.Root).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_gives_its_code_file_and_line_and_changes_nothing(string name)
    {
        var @case = CorpusCase.Load(name);
        var directory = _prepared.CopyTo();
        try
        {
            @case.Apply(directory);
            if (@case.Setup is { } setup)
            {
                var prepared = CliProcess.RunIn(directory, [.. setup, "--project-dir", directory]);
                Assert.True(prepared.ExitCode == 0, $"{name}: the setup command failed\n{prepared.Output}");
            }

            var filesBefore = Files(directory);
            var sourcesBefore = File.ReadAllLines(Path.Combine(directory, SourcesYaml));
            var tablesBefore = Tables(_prepared.WarehouseIn(directory));
            var command = @case.Command.Concat(["--project-dir", directory]).ToArray();

            CliProcess.Result result;
            if (@case.ReadOnlyProject)
            {
                SetReadOnly(directory, true);
                try
                {
                    result = CliProcess.RunIn(directory, command);
                }
                finally
                {
                    SetReadOnly(directory, false);
                }
            }
            else
            {
                result = CliProcess.RunIn(directory, command);
            }

            Assert.True(@case.ExitCode == result.ExitCode, $"{name}: exit code {result.ExitCode}, expected {@case.ExitCode}\n{result.Output}");
            Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal); // no stack trace, ever
            Assert.DoesNotContain("Unhandled exception", result.Output, StringComparison.Ordinal);
            if (@case.Code is { } code)
            {
                var where = @case.File is null ? "electionmatch" : @case.Line is { } line ? $"{@case.File}({line}," : @case.File + ":";
                var diagnostic = result.Stderr.Split('\n').FirstOrDefault(l => l.Contains($"error {code}:", StringComparison.Ordinal));
                Assert.True(diagnostic is not null, $"{name}: no error {code} in\n{result.Output}");
                Assert.True(diagnostic.StartsWith(where, StringComparison.Ordinal), $"{name}: expected the diagnostic to start with '{where}': {diagnostic}");
                if (@case.MessageContains is { } text)
                {
                    Assert.Contains(text, diagnostic, StringComparison.Ordinal);
                }
            }

            var filesAfter = Files(directory);
            var tablesAfter = Tables(_prepared.WarehouseIn(directory));
            if (@case.Quarantine is { } expected)
            {
                AssertQuarantined(name, expected, _prepared.WarehouseIn(directory));
            }

            if (result.ExitCode == 0)
            {
                AssertInputsKept(name, filesBefore, filesAfter, tablesBefore, tablesAfter);
                AssertOnlyAdded(name, sourcesBefore, File.ReadAllLines(Path.Combine(directory, SourcesYaml)));
            }
            else
            {
                Assert.Equal(filesBefore, filesAfter);
                Assert.Equal(tablesBefore, tablesAfter);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Every_corpus_case_is_listed_in_docs_errors_md()
    {
        var errors = File.ReadAllText(Path.Combine(FixtureCopy.RepositoryRoot, "docs", "errors.md"));
        var missing = CaseNames().Where(name => !errors.Contains($"| `{name}` |", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/errors.md does not list: " + string.Join(", ", missing));
    }

    private static void AssertQuarantined(string name, CorpusQuarantine expected, string warehousePath)
    {
        using var warehouse = DuckDbWarehouse.Open(warehousePath, readOnly: true);
        var rows = warehouse.Query(
            $"select row_number, message, original from model_predictions.{Sql.Identifier(expected.Table)} where error_code = {Sql.Literal(expected.Code)} and input = {Sql.Literal(expected.Input)}",
            r => (Row: r.GetInt64(0), Message: r.GetString(1), Original: r.GetString(2)));
        Assert.True(rows.Count == 1, $"{name}: expected one {expected.Code} row from the {expected.Input} input, found {rows.Count}");
        var row = rows[0];
        if (expected.File is { } file)
        {
            // A line the CSV reader could not read: the file and line are in the message and the original.
            Assert.Contains($"{file} line {expected.Line}:", row.Message, StringComparison.Ordinal);
            Assert.Contains($"\"line\":{expected.Line}", row.Original, StringComparison.Ordinal);
        }
        else
        {
            // A row that was read: its row number is its place in the file, below the header line.
            Assert.Equal(expected.Line - 1, row.Row);
        }
    }

    /// <summary>
    /// A run that succeeds publishes: it adds tables and files, rewrites its generated models and adds an entry to the
    /// sources YAML, but changes no input, no settings file and no earlier table.
    /// </summary>
    private static void AssertInputsKept(string name, Dictionary<string, string> filesBefore, Dictionary<string, string> filesAfter, Dictionary<string, string> tablesBefore, Dictionary<string, string> tablesAfter)
    {
        string[] settings = ["electionmatch.yml", "dbt_project.yml", "profiles.yml"];
        foreach (var (file, hash) in filesBefore.Where(f => f.Key.StartsWith("data/", StringComparison.Ordinal) || settings.Contains(f.Key)))
        {
            Assert.True(filesAfter.TryGetValue(file, out var after) && after == hash, $"{name}: {file} changed");
        }

        foreach (var (table, hash) in tablesBefore)
        {
            Assert.True(tablesAfter.TryGetValue(table, out var after) && after == hash, $"{name}: table {table} changed");
        }
    }

    /// <summary>The sources YAML may gain the snapshot's entry; every line it had is still there, in order.</summary>
    private static void AssertOnlyAdded(string name, string[] before, string[] after)
    {
        var next = 0;
        foreach (var line in after)
        {
            if (next < before.Length && line == before[next])
            {
                next++;
            }
        }

        Assert.True(next == before.Length, $"{name}: the sources YAML lost or changed line {next + 1}: '{(next < before.Length ? before[next] : "")}'");
    }

    /// <summary>Every file of the project but the warehouse (whose tables are compared instead) with its SHA-256.</summary>
    private static Dictionary<string, string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains(".duckdb", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(directory, f).Replace('\\', '/'), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    /// <summary>
    /// Every table of the warehouse with a hash of its rows. The run's work schemas (em_run_*) are left out: each run
    /// rebuilds its own from scratch, and a failed run keeps its stage tables for inspection.
    /// </summary>
    private static Dictionary<string, string> Tables(string path)
    {
        using var warehouse = DuckDbWarehouse.Open(path, readOnly: true);
        var tables = warehouse.Query(
            "select table_schema, table_name from information_schema.tables where table_catalog = current_database() and table_schema not like 'em_run_%' order by all",
            r => (Schema: r.GetString(0), Table: r.GetString(1)));
        return tables.ToDictionary(
            t => t.Schema + "." + t.Table,
            t => warehouse.Scalar<string>($"select coalesce(md5(string_agg(row_text, chr(10) order by row_text)), '') from (select cast(t as varchar) as row_text from {Sql.Identifier(t.Schema, t.Table)} as t)")!);
    }

    /// <summary>Makes every directory of the project immutable: chattr for root (whom modes do not stop), modes otherwise.</summary>
    private static void SetReadOnly(string directory, bool readOnly)
    {
        var directories = Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories).Prepend(directory).ToList();
        if (Environment.UserName == "root")
        {
            var info = new ProcessStartInfo("chattr") { RedirectStandardError = true };
            info.ArgumentList.Add(readOnly ? "+i" : "-i");
            directories.ForEach(info.ArgumentList.Add);
            using var process = Process.Start(info)!;
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "chattr failed: " + process.StandardError.ReadToEnd());
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Assert.Fail("the read-only project case needs Unix file modes");
            return;
        }

        foreach (var d in directories)
        {
            File.SetUnixFileMode(d, readOnly
                ? UnixFileMode.UserRead | UnixFileMode.UserExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The goodparty fixture after one run, so that every case starts from a warehouse with a published snapshot.</summary>
    public sealed class PreparedProject : IDisposable
    {
        private readonly FixtureCopy _fixture = FixtureCopy.Of("goodparty");

        public PreparedProject()
        {
            var run = CliProcess.Run("run", "candidacy_ddhq_matches", "--snapshot-date", "2026-01-01", "--project-dir", _fixture.Directory);
            Assert.True(run.ExitCode == 0, run.Output);
        }

        public string WarehouseIn(string directory) => Path.Combine(directory, "target", "goodparty.duckdb");

        public string CopyTo()
        {
            var target = Path.Combine(Path.GetTempPath(), "em-corpus-" + Guid.NewGuid().ToString("N")[..12]);
            foreach (var file in Directory.EnumerateFiles(_fixture.Directory, "*", SearchOption.AllDirectories))
            {
                var destination = Path.Combine(target, Path.GetRelativePath(_fixture.Directory, file));
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }

            return target;
        }

        public void Dispose() => _fixture.Dispose();
    }
}
