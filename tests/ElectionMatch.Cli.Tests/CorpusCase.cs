using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace ElectionMatch.Tests;

/// <summary>
/// One case of the bad-input corpus (tests/corpus/&lt;case&gt;/case.yml): the edits that break a copy of the goodparty
/// fixture, a command that prepares the project (optional), the command to run, and what must come out: the exit code, and either the EM code with its file and line,
/// or (for rows that go to quarantine) the EMQ code with the input and the data file's line.
/// </summary>
public sealed record CorpusCase(
    string Name,
    string Description,
    IReadOnlyList<string> Command,
    IReadOnlyList<string>? Setup,
    IReadOnlyList<YamlMappingNode> Edits,
    int ExitCode,
    string? Code,
    string? File,
    int? Line,
    string? MessageContains,
    CorpusQuarantine? Quarantine)
{
    /// <summary>A case that succeeds without publishing (check, generate) must change nothing at all, like a failing one.</summary>
    public bool EverythingUnchanged { get; init; }

    /// <summary>Whether the expected code is an error (the default) or a warning (a command that goes on, such as generate leaving a ref alone).</summary>
    public string Severity { get; init; } = "error";

    /// <summary>The column the diagnostic must name too, when the case gives one (<c>column:</c> under <c>expect:</c>).</summary>
    public int? Column { get; init; }

    /// <summary>Text that must be nowhere in the command's output (a token the case plants), when the case gives one (<c>output_lacks:</c>).</summary>
    public string? OutputLacks { get; init; }

    public static string Root => Path.Combine(FixtureCopy.RepositoryRoot, "tests", "corpus");

    public static CorpusCase Load(string name)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Root, name, "case.yml")))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var expect = (YamlMappingNode)root["expect"];
        var command = root.Children.TryGetValue(new YamlScalarNode("command"), out var c)
            ? ((YamlSequenceNode)c).Children.Select(n => ((YamlScalarNode)n).Value!).ToList()
            : ["run", "llm_l2_br_match", "--snapshot-date", "2026-02-02"];
        var setup = root.Children.TryGetValue(new YamlScalarNode("setup"), out var su)
            ? ((YamlSequenceNode)su).Children.Select(n => ((YamlScalarNode)n).Value!).ToList()
            : null;
        var edits = root.Children.TryGetValue(new YamlScalarNode("edits"), out var e)
            ? ((YamlSequenceNode)e).Children.Cast<YamlMappingNode>().ToList()
            : [];
        CorpusQuarantine? quarantine = null;
        if (Optional(expect, "quarantine") is YamlMappingNode q)
        {
            quarantine = new CorpusQuarantine(Text(q, "table")!, Text(q, "code")!, Text(q, "input")!, Text(q, "file"), int.Parse(Text(q, "line")!, CultureInfo.InvariantCulture), Text(q, "message_contains"))
            {
                Rows = Text(q, "rows") is { } rows ? int.Parse(rows, CultureInfo.InvariantCulture) : 1,
                RowUsed = Text(q, "row_used") == "true",
            };
        }

        return new CorpusCase(
            name,
            Text(root, "description") ?? "",
            command,
            setup,
            edits,
            int.Parse(Text(expect, "exit")!, CultureInfo.InvariantCulture),
            Text(expect, "code"),
            Text(expect, "file"),
            Text(expect, "line") is { } line ? int.Parse(line, CultureInfo.InvariantCulture) : null,
            Text(expect, "message_contains"),
            quarantine)
        {
            EverythingUnchanged = Text(expect, "everything_unchanged") == "true",
            Severity = Text(expect, "severity") ?? "error",
            Column = Text(expect, "column") is { } column ? int.Parse(column, CultureInfo.InvariantCulture) : null,
            OutputLacks = Text(expect, "output_lacks"),
        };
    }

    /// <summary>Applies the edits to the project in <paramref name="directory"/>.</summary>
    public void Apply(string directory)
    {
        foreach (var edit in Edits)
        {
            var path = Path.Combine(directory, Text(edit, "file")!);
            if (Text(edit, "read_only_project") == "true")
            {
                continue; // done by the test around the command, see ReadOnlyProject
            }

            if (Text(edit, "delete") == "true")
            {
                System.IO.File.Delete(path);
            }
            else if (Text(edit, "mkdir") == "true")
            {
                // A directory where the command writes a file.
                System.IO.Directory.CreateDirectory(path);
            }
            else if (Text(edit, "duckdb_sql") is { } sql)
            {
                // A file only DuckDB can make (a parquet file with bad bytes in a string column): {path} is the edited file.
                using var duckdb = ElectionMatch.Warehouse.DuckDbWarehouse.InMemory();
                duckdb.Execute(sql.Replace("{path}", path.Replace("'", "''", StringComparison.Ordinal), StringComparison.Ordinal));
            }
            else if (Text(edit, "copy_from") is { } from)
            {
                System.IO.File.Copy(Path.Combine(directory, from), path, overwrite: true);
            }
            else if (Text(edit, "truncate") is { } bytes)
            {
                using var stream = new FileStream(path, FileMode.Open);
                stream.SetLength(long.Parse(bytes, CultureInfo.InvariantCulture));
            }
            else if (Text(edit, "write") is { } text)
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!); // a new tests/ or analyses/ folder
                System.IO.File.WriteAllText(path, text);
            }
            else if (Text(edit, "append") is { } appended)
            {
                var times = Text(edit, "times") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : 1;
                System.IO.File.AppendAllText(path, string.Concat(Enumerable.Repeat(appended, times)));
            }
            else if (Text(edit, "append_file") is { } file)
            {
                System.IO.File.AppendAllText(path, System.IO.File.ReadAllText(Path.Combine(Root, Name, file)));
            }
            else if (Text(edit, "append_hex") is { } hex)
            {
                using var stream = new FileStream(path, FileMode.Append);
                stream.Write(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)));
            }
            else if (Text(edit, "reencode") is { } encoding)
            {
                // The same text in another encoding, with its byte order mark (utf-16: little-endian).
                var content = System.IO.File.ReadAllText(path);
                System.IO.File.WriteAllText(path, content, encoding == "utf-16" ? System.Text.Encoding.Unicode : System.Text.Encoding.GetEncoding(encoding));
            }
            else if (Text(edit, "replace") is { } old)
            {
                var content = System.IO.File.ReadAllText(path);
                var at = content.IndexOf(old, StringComparison.Ordinal);
                Assert.True(at >= 0, $"case {Name}: '{old}' is not in {Text(edit, "file")}; the fixture changed, so update the case");
                // with_times repeats the replacement (a value too long to write out in the case).
                var with = string.Concat(Enumerable.Repeat(Text(edit, "with") ?? "", Text(edit, "with_times") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 1));
                System.IO.File.WriteAllText(path, string.Concat(content.AsSpan(0, at), with, content.AsSpan(at + old.Length)));
            }
            else
            {
                Assert.Fail($"case {Name}: an edit of {Text(edit, "file")} says nothing to do");
            }
        }
    }

    /// <summary>Whether the case makes the whole project read-only (the test does that, and undoes it).</summary>
    public bool ReadOnlyProject => Edits.Any(e => Text(e, "read_only_project") == "true");

    public override string ToString() => Name;

    private static YamlNode? Optional(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static string? Text(YamlMappingNode map, string key) => Optional(map, key) is YamlScalarNode s ? s.Value : null;
}

/// <summary>A row the case expects in quarantine: its code, the input it came from and the data file's line.</summary>
/// <param name="File">Set for a CSV line the reader could not read: the message names the file and line.</param>
/// <param name="MessageContains">Text the quarantine row's message must hold (the failed field and its value), when given.</param>
public sealed record CorpusQuarantine(string Table, string Code, string Input, string? File, int Line, string? MessageContains = null)
{
    /// <summary>How many rows of that code and input the quarantine holds (default 1); the one checked is the one at <see cref="Line"/>.</summary>
    public int Rows { get; init; } = 1;

    /// <summary>
    /// The input row was used and only a value of it was quarantined alone (a candidacy's election date that cannot be
    /// read): the quarantine row's stage is <c>left_expanded</c>, and the manifest counts the row as used under the code.
    /// Otherwise the whole row was quarantined (stage <c>input</c>).
    /// </summary>
    public bool RowUsed { get; init; }
}
