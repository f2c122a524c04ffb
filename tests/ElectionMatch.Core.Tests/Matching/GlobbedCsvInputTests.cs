using System.Text;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A source whose <c>external_location</c> is a glob of CSV files (<c>data/hs/*.csv</c>) reads like a single CSV file:
/// a line DuckDB cannot read is quarantined, named by its own file and line, and the run goes on. The fixture's 300
/// candidacies are split into two files of 150 under the glob.
/// </summary>
public sealed class GlobbedCsvInputTests(GlobbedCsvInputTests.StarGlobRun starGlobRun, GlobbedCsvInputTests.RaggedGlobRun raggedGlobRun)
    : IClassFixture<GlobbedCsvInputTests.StarGlobRun>, IClassFixture<GlobbedCsvInputTests.RaggedGlobRun>, IDisposable
{
    private const string Match = "candidacy_ddhq_matches";
    private const string Sources = "models/staging/__sources.yaml";
    private const string Candidacies = "data/airbyte/hubspot_candidacy.csv";

    private readonly FixtureCopy _fixture = SplitUnderGlob(FixtureCopy.Of("goodparty"));

    /// <summary>The fixture's candidacies split into two files under the glob data/hs/*.csv, which the source reads.</summary>
    private static FixtureCopy SplitUnderGlob(FixtureCopy fixture)
    {
        var lines = File.ReadAllLines(fixture.PathOf(Candidacies));
        Directory.CreateDirectory(fixture.PathOf("data/hs"));
        fixture.Write("data/hs/part1.csv", string.Join('\n', [lines[0], .. lines[1..151]]) + "\n");
        fixture.Write("data/hs/part2.csv", string.Join('\n', [lines[0], .. lines[151..]]) + "\n");
        fixture.Replace(Sources, $"external_location: \"{Candidacies}\"", "external_location: \"data/hs/*.csv\"");
        return fixture;
    }

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_ragged_line_in_the_second_file_of_a_glob_is_quarantined_with_its_file_and_line_and_every_other_row_is_used()
    {
        // Line 10 of part2.csv is the fixture's line 160; before, the run stopped with EM0024 ("Schema mismatch between
        // globbed files": the line is in the part of the file DuckDB's sniffer reads).
        using var fixture = raggedGlobRun.Fixture.Clone();
        var (run, ragged) = (raggedGlobRun.Run, raggedGlobRun.RaggedLine);

        var account = run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows");
        Assert.Equal(300, account.Read);
        Assert.Equal(299, account.Outcomes.Where(o => o.Outcome == "used").Sum(o => o.Rows));
        Assert.Equal(
            [("EMQ009", $"data/hs/part2.csv line 10:", "data/hs/part2.csv", 10L, ragged + ",extra")],
            Quarantined(fixture, run));

        // What is published is what the fixture's single file without that line publishes.
        var published = Published(fixture, run);
        var secondFile = File.ReadAllLines(fixture.PathOf("data/hs/part2.csv")).Skip(1).Select(Id).ToHashSet();
        Assert.Contains(published, p => secondFile.Contains(p.Split(' ')[0]));
        fixture.Write(Candidacies, string.Concat(File.ReadAllLines(fixture.PathOf(Candidacies)).Where(l => l != ragged).Select(l => l + "\n")));
        fixture.Replace(Sources, "external_location: \"data/hs/*.csv\"", $"external_location: \"{Candidacies}\"");
        Assert.Equal(Published(fixture, Run(fixture)), published);
    }

    [Fact]
    public void Verify_rehashes_a_glob_with_a_quarantined_line_as_the_run_read_it_and_sees_a_row_added()
    {
        // Before, verify read the glob as a plain path: "Schema mismatch between globbed files", an internal error
        // (EM0504), and for a single file with a ragged line a false warning that the input changed (EM0609).
        using var fixture = raggedGlobRun.Fixture.Clone();

        Assert.Empty(Verify(fixture));

        var last = File.ReadAllLines(fixture.PathOf("data/hs/part2.csv"))[150];
        File.AppendAllText(fixture.PathOf("data/hs/part2.csv"), "gpc-999999" + last[last.IndexOf(',', StringComparison.Ordinal)..] + "\n");
        var changed = Assert.Single(Verify(fixture));
        Assert.Equal((Codes.SnapshotInputsChanged, Severity.Warning), (changed.Code, changed.Severity));
        Assert.Contains("the left input source('airbyte_source', 'hubspot_api_candidacy') changed since", changed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rehashes_a_single_csv_file_with_a_quarantined_line_as_the_run_read_it()
    {
        _fixture.Replace(Sources, "external_location: \"data/hs/*.csv\"", $"external_location: \"{Candidacies}\"");
        EditLine(Candidacies, 5, Line(Candidacies, 5) + ",extra");
        Run();

        Assert.Empty(Verify());
    }

    private IReadOnlyList<Diagnostic> Verify() => Verify(_fixture);

    private static IReadOnlyList<Diagnostic> Verify(FixtureCopy fixture) =>
        new ElectionMatch.Checks.VerifyOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute(Match);

    [Fact]
    public void Bad_lines_at_the_same_line_number_of_two_files_are_two_quarantined_rows_each_naming_its_file()
    {
        // Grouped by line alone, the two would be one row: a line lost, the other named by the glob.
        EditLine("data/hs/part1.csv", 7, Line("data/hs/part1.csv", 7) + ",extra");
        EditLine("data/hs/part2.csv", 7, Line("data/hs/part2.csv", 7).Split(',')[0] + ",short");

        var run = Run();

        var quarantined = Quarantined(run);
        Assert.Equal(["data/hs/part1.csv line 7:", "data/hs/part2.csv line 7:"], quarantined.Select(q => q.Detail));
        Assert.Equal([("data/hs/part1.csv", 7L), ("data/hs/part2.csv", 7L)], quarantined.Select(q => (q.File, q.Line)));
        Assert.Equal(298, run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows").Outcomes.Where(o => o.Outcome == "used").Sum(o => o.Rows));
    }

    [Fact]
    public void A_glob_that_matches_no_file_is_an_error_at_its_external_location_naming_the_glob()
    {
        _fixture.Replace(Sources, "external_location: \"data/hs/*.csv\"", "external_location: \"data/nothing/*.csv\"");

        var error = Assert.Throws<DiagnosticException>(() => Run());

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal(Codes.ExternalFileMissing, diagnostic.Code);
        Assert.EndsWith("__sources.yaml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(LineOf(Sources, "external_location: \"data/nothing/*.csv\""), diagnostic.Line);
        Assert.Contains("external_location 'data/nothing/*.csv' of source('airbyte_source', 'hubspot_api_candidacy') matches no file", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data/hs/part?.csv")]
    [InlineData("data/hs/part[12].csv")]
    public void A_glob_with_a_question_mark_or_brackets_and_no_star_reads_every_file_it_matches(string glob)
    {
        // DuckDB's readers take ? and [...] as wildcards too; before, only a * made a glob, so such a location was one
        // file that does not exist (EM0022).
        var withStar = starGlobRun.Published;
        _fixture.Replace(Sources, "external_location: \"data/hs/*.csv\"", $"external_location: \"{glob}\"");

        var run = Run();

        Assert.Equal(300, run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows").Read);
        Assert.Equal(withStar, Published(run));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_utf16_file_of_a_glob_is_named_and_encoding_utf16_advised_only_when_every_file_is(bool everyFile)
    {
        foreach (var path in everyFile ? Directory.GetFiles(_fixture.PathOf("data/hs"), "*.csv") : [_fixture.PathOf("data/hs/part2.csv")])
        {
            File.WriteAllText(path, File.ReadAllText(path), Encoding.Unicode);
        }

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal(Codes.InputUnreadable, diagnostic.Code);
        Assert.EndsWith("__sources.yaml", diagnostic.File, StringComparison.Ordinal);
        Assert.Contains($"(data/hs/*.csv): data/hs/{(everyFile ? "part1" : "part2")}.csv is UTF-16 encoded; save it as UTF-8", diagnostic.Message, StringComparison.Ordinal);
        // encoding: utf-16 reads every file of the glob as UTF-16: the UTF-8 ones would then be refused.
        Assert.Equal(everyFile, diagnostic.Message.Contains("or set encoding: utf-16 on the input", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_of_a_glob_whose_lines_end_two_ways_is_named_at_its_first_line_ending_otherwise()
    {
        // Its first five lines end with CR LF, the rest with LF: the glob's reader says only that its state machine failed.
        var path = _fixture.PathOf("data/hs/part2.csv");
        var lines = File.ReadAllText(path).Split('\n');
        File.WriteAllText(path, string.Join('\n', lines.Select((l, i) => i < 5 ? l + "\r" : l)));

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal(Codes.InputUnreadable, diagnostic.Code);
        Assert.Equal(("data/hs/part2.csv", 6), (diagnostic.File, diagnostic.Line));
        Assert.Contains("data/hs/part2.csv line 6 ends with LF and the lines before it with CR LF", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_a_glob_whose_lines_all_end_with_cr_lf_is_read_whole_beside_one_whose_lines_end_with_lf()
    {
        // Read with the first file's line ending, DuckDB read such a file as no rows, without a word.
        var path = _fixture.PathOf("data/hs/part2.csv");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\n", "\r\n", StringComparison.Ordinal));
        EditLine("data/hs/part1.csv", 10, Line("data/hs/part1.csv", 10) + ",extra");

        var run = Run();

        var account = run.Manifest.RowAccounting.Single(a => a.Input == "left" && a.Unit == "input rows");
        Assert.Equal(300, account.Read);
        Assert.Equal(["data/hs/part1.csv line 10:"], Quarantined(run).Select(q => q.Detail));
    }

    [Fact]
    public void Files_of_a_glob_with_different_headers_are_an_error_naming_both()
    {
        // Read by position under the first file's names, part2's first and last names would swap without a word.
        EditLine("data/hs/part2.csv", 1, Line("data/hs/part2.csv", 1).Replace("first_name,last_name", "last_name,first_name", StringComparison.Ordinal));

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal(Codes.InputUnreadable, diagnostic.Code);
        Assert.Equal(("data/hs/part2.csv", 1), (diagnostic.File, diagnostic.Line));
        Assert.Contains("the header of data/hs/part2.csv (gp_candidacy_id, hubspot_contact_id, last_name, first_name,", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("is not that of data/hs/part1.csv (gp_candidacy_id, hubspot_contact_id, first_name, last_name,", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Sorted first, an empty file was the glob's "first file" and the error blamed part1.csv's header; sorted last, it
    // was reported as a header that differs, "(no header line)", or "()" for a blank line.
    [InlineData("data/hs/part0.csv", "", "is empty (0 bytes)")]
    [InlineData("data/hs/part3.csv", "", "is empty (0 bytes)")]
    [InlineData("data/hs/part3.csv", "\n", "has no header line (its first line is blank)")]
    public void A_file_of_a_glob_without_a_header_line_is_named_as_such(string file, string text, string what)
    {
        _fixture.Write(file, text);

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run()).Diagnostics);

        Assert.Equal(Codes.InputUnreadable, diagnostic.Code);
        Assert.Equal((file, 1), (diagnostic.File, diagnostic.Line));
        Assert.Contains($"(data/hs/*.csv): {file} {what}, and every file of the glob needs the header line", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quarantined_row_of_a_glob_names_its_file_and_line_there_and_an_incremental_run_numbers_it_as_a_plain_run_does()
    {
        // Three states keep the incremental run quick. Before, the message gave only the row's place in the whole glob (then its place in its file, not its line),
        // and an incremental run numbered a left row by its place in its state's partition.
        string[] states = ["TX", "GA", "AZ"];
        foreach (var part in new[] { "data/hs/part1.csv", "data/hs/part2.csv" })
        {
            var kept = File.ReadAllLines(_fixture.PathOf(part)).Where((l, i) => i == 0 || states.Contains(l.Split(',')[4]));
            _fixture.Write(part, string.Concat(kept.Select(l => l + "\n")));
        }

        var firstFileRows = File.ReadAllLines(_fixture.PathOf("data/hs/part1.csv")).Length - 1;
        var blanked = Line("data/hs/part2.csv", 5);
        EditLine("data/hs/part2.csv", 5, blanked[blanked.IndexOf(',', StringComparison.Ordinal)..]);
        File.AppendAllText(_fixture.PathOf("data/hs/part2.csv"), "gpc-1,1,Ann,Lee\n");

        var plain = QuarantineRows(Run());

        Assert.Equal(
            [
                (firstFileRows + 4L, "EMQ001", "the id column is empty (data/hs/part2.csv line 5)"),
                (File.ReadAllLines(_fixture.PathOf("data/hs/part2.csv")).Length - 2L + firstFileRows + 1, "EMQ009", plain[1].Message),
            ],
            plain);
        Assert.StartsWith("the CSV line has a different number of fields than the header", plain[1].Message, StringComparison.Ordinal);
        Assert.Contains("data/hs/part2.csv line ", plain[1].Message, StringComparison.Ordinal);

        var incremental = WorkingDirectory.In(_fixture.Directory, () =>
            new RunOperation(ProjectContext.Load(new ProjectOptions(_fixture.Directory))).Execute(new RunOptions(Match, new DateOnly(2030, 6, 4)) { AllowFutureDate = true, Incremental = true }));
        Assert.Equal(plain, QuarantineRows(incremental));
    }

    [Fact]
    public void A_file_added_to_a_glob_while_the_run_reads_it_stops_the_run_before_it_publishes()
    {
        void Add(StageReport stage)
        {
            if (stage.Stage == "left_clean")
            {
                File.Copy(_fixture.PathOf("data/hs/part2.csv"), _fixture.PathOf("data/hs/part3.csv"));
            }
        }

        var diagnostic = Assert.Single(Assert.Throws<DiagnosticException>(() => Run(Add)).Diagnostics);

        Assert.Equal(Codes.InputChangedDuringRun, diagnostic.Code);
        Assert.Contains("data/hs/part3.csv (missing before, ", diagnostic.Message, StringComparison.Ordinal);
    }

    private RunResult Run(Action<StageReport>? progress = null) => Run(_fixture, progress);

    private static RunResult Run(FixtureCopy fixture, Action<StageReport>? progress = null)
    {
        // Paths in diagnostics are relative to the working directory: the project's, as a user runs in it.
        return WorkingDirectory.In(fixture.Directory, () =>
            new RunOperation(ProjectContext.Load(new ProjectOptions(fixture.Directory))).Execute(new RunOptions(Match, new DateOnly(2030, 6, 3), Replace: true) { AllowFutureDate = true }, progress));
    }

    // Each quarantined left row: its code, the start of its detail (file and line), and the file, line and text of its original.
    private List<(string Code, string Detail, string File, long Line, string Text)> Quarantined(RunResult run) => Quarantined(_fixture, run);

    private static List<(string Code, string Detail, string File, long Line, string Text)> Quarantined(FixtureCopy fixture, RunResult run)
    {
        using var warehouse = DuckDbWarehouse.Open(fixture.WarehousePath, readOnly: true);
        return warehouse.Query(
            $"select error_code, message, original->>'file', (original->>'line')::bigint, original->>'csv_line' from model_predictions.{Sql.Identifier(run.Snapshot.QuarantineTable)} where input = 'left' order by row_number",
            r => (r.GetString(0), r.GetString(1)[(r.GetString(1).IndexOf("data/", StringComparison.Ordinal))..(r.GetString(1).IndexOf(':', r.GetString(1).IndexOf("data/", StringComparison.Ordinal)) + 1)], r.GetString(2), r.GetInt64(3), r.GetString(4)));
    }

    // Each quarantined row of the published table: its number, code and message, in order.
    private List<(long RowNumber, string Code, string Message)> QuarantineRows(RunResult run)
    {
        using var warehouse = DuckDbWarehouse.Open(_fixture.WarehousePath, readOnly: true);
        return warehouse.Query(
            $"select row_number, error_code, message from model_predictions.{Sql.Identifier(run.Snapshot.QuarantineTable)} order by input, row_number",
            r => (r.GetInt64(0), r.GetString(1), r.GetString(2)));
    }

    private List<string> Published(RunResult run) => Published(_fixture, run);

    // The published rows' candidacy, election date and type, and best match, in order.
    private static List<string> Published(FixtureCopy fixture, RunResult run)
    {
        using var warehouse = DuckDbWarehouse.Open(fixture.WarehousePath, readOnly: true);
        return warehouse.Query(
            $"select concat_ws(' ', gp_candidacy_id, hubspot_election_date, hubspot_election_type, ddhq_candidate_id, has_match) as r from model_predictions.{Sql.Identifier(run.Snapshot.Table)} order by r",
            r => r.GetString(0));
    }

    private string Line(string file, int line) => File.ReadAllLines(_fixture.PathOf(file))[line - 1];

    private void EditLine(string file, int line, string text) => EditLine(_fixture, file, line, text);

    private static void EditLine(FixtureCopy fixture, string file, int line, string text)
    {
        var lines = File.ReadAllLines(fixture.PathOf(file));
        lines[line - 1] = text;
        fixture.Write(file, string.Join('\n', lines) + "\n");
    }

    private int LineOf(string file, string text) => Array.FindIndex(File.ReadAllLines(_fixture.PathOf(file)), l => l.Contains(text, StringComparison.Ordinal)) + 1;

    private static string Id(string line) => line.Split(',')[0];

    /// <summary>
    /// What a run of the glob as the constructor writes it (data/hs/*.csv, nothing edited) publishes, made once for the
    /// class when a test first asks, in a copy of its own: both glob spellings without a star are compared with it.
    /// </summary>
    public sealed class StarGlobRun
    {
        private readonly Lazy<IReadOnlyList<string>> _published = new(() =>
        {
            using var fixture = SplitUnderGlob(FixtureCopy.Of("goodparty"));
            return Published(fixture, Run(fixture));
        });

        public IReadOnlyList<string> Published => _published.Value;
    }

    /// <summary>
    /// The glob as the constructor writes it with line 10 of part2.csv given an extra field, after a run: made once for
    /// the class when a test first asks. The two tests that start from that run each work on a clone of it.
    /// </summary>
    public sealed class RaggedGlobRun : IDisposable
    {
        private readonly Lazy<(FixtureCopy Fixture, RunResult Run, string RaggedLine)> _made = new(() =>
        {
            var fixture = SplitUnderGlob(FixtureCopy.Of("goodparty"));
            var ragged = File.ReadAllLines(fixture.PathOf("data/hs/part2.csv"))[9];
            EditLine(fixture, "data/hs/part2.csv", 10, ragged + ",extra");
            return (fixture, Run(fixture), ragged);
        });

        public FixtureCopy Fixture => _made.Value.Fixture;

        public RunResult Run => _made.Value.Run;

        /// <summary>Line 10 of part2.csv as the fixture has it, before the extra field.</summary>
        public string RaggedLine => _made.Value.RaggedLine;

        public void Dispose()
        {
            if (_made.IsValueCreated)
            {
                _made.Value.Fixture.Dispose();
            }
        }
    }
}
