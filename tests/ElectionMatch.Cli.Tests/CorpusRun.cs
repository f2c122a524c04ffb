using System.Security.Cryptography;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests;

/// <summary>
/// Runs one case of the bad-input corpus (tests/corpus, listed in docs/errors.md): break a copy of the prepared project
/// in one way, run the real CLI in it, and check the EM code, the file and line it names and the exit code, and that the
/// warehouse and every user file are as they were. Cases whose bad rows go to quarantine check the quarantine row and
/// the manifest's row account instead, and that no input file and no earlier table changed.
/// </summary>
internal static class CorpusRun
{
    private const string SourcesYaml = "models/staging/__sources.yaml";

    public static IEnumerable<string> CaseNames() =>
        Directory.EnumerateDirectories(CorpusCase.Root).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal);

    /// <summary>The case names for a theory: those whose bad rows go to quarantine, or all the others.</summary>
    public static TheoryData<string> Cases(bool quarantine)
    {
        var cases = new TheoryData<string>();
        foreach (var name in CaseNames().Where(n => n.StartsWith("quarantine_", StringComparison.Ordinal) == quarantine))
        {
            cases.Add(name);
        }

        return cases;
    }

    public static void Check(string name, CorpusProject prepared)
    {
        var @case = CorpusCase.Load(name);
        var directory = prepared.CopyTo();
        try
        {
            @case.Apply(directory);
            if (@case.Setup is { } setup)
            {
                var setupResult = CliProcess.RunIn(directory, [.. setup, "--project-dir", directory]);
                Assert.True(setupResult.ExitCode == 0, $"{name}: the setup command failed\n{setupResult.Output}");
            }

            var filesBefore = Files(directory);
            var sourcesBefore = File.ReadAllLines(Path.Combine(directory, SourcesYaml));
            var tablesBefore = prepared.TablesOf(prepared.WarehouseIn(directory), Tables);
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
            if (@case.OutputLacks is { } secret)
            {
                Assert.DoesNotContain(secret, result.Output, StringComparison.Ordinal);
            }
            if (@case.Code is { } code)
            {
                var where = @case.File is null ? "electionmatch" : @case.Line is { } line ? $"{@case.File}({line},{(@case.Column is { } column ? $"{column})" : "")}" : @case.File + ":";
                var diagnostic = result.Stderr.Split('\n').FirstOrDefault(l => l.Contains($"{@case.Severity} {code}:", StringComparison.Ordinal));
                Assert.True(diagnostic is not null, $"{name}: no {@case.Severity} {code} in\n{result.Output}");
                Assert.True(diagnostic.StartsWith(where, StringComparison.Ordinal), $"{name}: expected the diagnostic to start with '{where}': {diagnostic}");
                if (@case.MessageContains is { } text)
                {
                    Assert.Contains(text, diagnostic, StringComparison.Ordinal);
                }
            }

            var filesAfter = Files(directory);
            var tablesAfter = prepared.TablesOf(prepared.WarehouseIn(directory), Tables);
            if (@case.Quarantine is { } expected)
            {
                AssertQuarantined(name, expected, prepared.WarehouseIn(directory));
                AssertAccounted(name, expected, directory);
            }

            if (result.ExitCode == 0 && !@case.EverythingUnchanged)
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

    /// <summary>The manifest's row account (issue 9 item 1) counts the row under its code, and balances.</summary>
    private static void AssertAccounted(string name, CorpusQuarantine expected, string directory)
    {
        var snapshot = expected.Table[..^"__quarantine".Length];
        var manifest = Snapshots.SnapshotManifest.FromJson(File.ReadAllText(Path.Combine(directory, "electionmatch", "manifests", snapshot + ".json")));
        var account = manifest.RowAccounting.Single(a => a.Input == expected.Input && a.Unit == "input rows");
        Assert.True(account.Balances, $"{name}: {account.Read} read, {account.Accounted} accounted");
        var kind = expected.RowUsed ? "used" : "quarantined";
        var outcome = account.Outcomes.SingleOrDefault(o => o.Outcome == kind && o.Reason.StartsWith(expected.Code + " ", StringComparison.Ordinal));
        Assert.True(outcome is { Rows: >= 1 }, $"{name}: the manifest's account of the {expected.Input} input has no {kind} {expected.Code} line");
    }

    private static void AssertQuarantined(string name, CorpusQuarantine expected, string warehousePath)
    {
        using var warehouse = DuckDbWarehouse.Open(warehousePath, readOnly: true);
        var rows = warehouse.Query(
            $"select row_number, message, original from model_predictions.{Sql.Identifier(expected.Table)} where error_code = {Sql.Literal(expected.Code)} and input = {Sql.Literal(expected.Input)} and stage = {Sql.Literal(expected.RowUsed ? "left_expanded" : "input")}",
            r => (Row: r.GetInt64(0), Message: r.GetString(1), Original: r.GetString(2)));
        Assert.True(rows.Count == expected.Rows, $"{name}: expected {expected.Rows} {expected.Code} row(s) from the {expected.Input} input, found {rows.Count}");
        var row = rows.Count == 1 ? rows[0] : rows.Single(r => r.Original.Contains($"\"line\":{expected.Line},", StringComparison.Ordinal) || r.Row == expected.Line - 1);
        if (expected.MessageContains is { } text)
        {
            Assert.Contains(text, row.Message, StringComparison.Ordinal);
        }

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

        // The schema electionmatch is the publisher's own log (snapshot_log, snapshot_rows): a publishing run adds its rows there.
        foreach (var (table, hash) in tablesBefore.Where(t => !t.Key.StartsWith("electionmatch.", StringComparison.Ordinal)))
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

    /// <summary>Makes every directory of the project immutable (<see cref="ReadOnlyPaths"/>).</summary>
    private static void SetReadOnly(string directory, bool readOnly) =>
        ReadOnlyPaths.Set(Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories).Prepend(directory).ToList(), readOnly);
}
