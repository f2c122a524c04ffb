using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ElectionMatch.Diagnostics;
using ElectionMatch.Generation;

namespace ElectionMatch.Synthesis;

/// <summary>
/// Writes a complete dbt project in goodparty's layout from synthetic data: dbt_project.yml,
/// profiles.yml (DuckDB at target/&lt;name&gt;.duckdb), electionmatch.yml with the
/// <c>candidacy_ddhq_matches</c> match, a sources YAML pointing at parquet inputs under
/// data/airbyte/, and the truth under truth/. <c>run</c>, <c>generate</c>, <c>check</c> and
/// <c>evaluate</c> work on it unchanged.
/// </summary>
public static class SynthProjectWriter
{
    public const string TruthFile = "truth/candidacy_ddhq_matches.csv";
    public const string PerturbationsFile = "truth/candidacy_ddhq_perturbations.csv";
    public const string CandidacyParquet = "data/airbyte/hubspot_candidacy.parquet";
    public const string ResultsParquet = "data/airbyte/ddhq_election_results.parquet";

    /// <summary>The sources YAML: synth writes the inputs' entries, and each run adds its snapshot's.</summary>
    public const string SourcesFile = "models/staging/__sources.yaml";

    /// <summary>What synth writes; with --force these are replaced, and the user's other files in their folders kept.</summary>
    internal static readonly string[] OwnedFiles =
    [
        "dbt_project.yml", "profiles.yml", "electionmatch.yml", SourcesFile, "truth/README.md",
        TruthFile, PerturbationsFile, CandidacyParquet, ResultsParquet,
    ];

    /// <summary>
    /// Where runs on the project write (the warehouse, snapshot parquet, manifests, staging models): with --force they go
    /// too, since they describe the old data and the new sources YAML declares none of their snapshots.
    /// </summary>
    internal static readonly string[] RunOutputDirectories = ["target", "electionmatch/manifests", "models/staging/model_predictions_source"];

    /// <summary>
    /// What a tool that reuses the project (bench) writes once it is whole, vouching for <see cref="OwnedFiles"/> by their
    /// hashes: synth removes it before it replaces them, so no stamp vouches for a project synth wrote since.
    /// </summary>
    public const string ReuseStamp = ".bench-key";

    /// <summary>
    /// Where a project is generated before it takes the place of the old one: a folder of the output directory, so the
    /// moves at the end are renames on one device. A synth that is killed leaves only this folder, which the next removes.
    /// </summary>
    public const string PartialDirectory = ".electionmatch-synth-partial";

    private const int BatchSize = 256;

    // About 7.2 results rows per candidacy with the default rates; only a hint for DuckDB.
    private const ulong ResultsPerCandidacy = 7;

    // The files' size per candidacy with the default rates, rounded up: 340 bytes measured at 100,000 and 355 at 1,000,000
    // candidacies (parquet inputs 250, truth files 90), and the candidacies' scratch database beside them while they are
    // written (about 40 bytes at 200,000; 351 + 40 for the whole project at that size).
    private const long BytesPerCandidacy = 400;

    public static SynthSummary Write(string directory, SynthSettings settings, bool force, CancellationToken cancellationToken = default)
    {
        var root = Dbt.WorkingDirectory.Full(directory);
        using var held = Lock(root, $"synth --out {Dbt.DisplayPath.For(root)}");
        return WriteHeld(root, settings, force, cancellationToken);
    }

    /// <summary>
    /// Holds the project's folder while it is written, or (bench) written and run: two synths on one folder replaced each
    /// other's files halfway (a 200-row project with a 20,000-row README), two benches deleted each other's warehouse.
    /// Another synth or bench on the folder fails at once (EM0052), naming the holder.
    /// </summary>
    /// <param name="purpose">The holder's command line, for the message of the one that fails.</param>
    public static IDisposable Lock(string root, string purpose) =>
        Warehouse.WarehouseLock.AcquireFolder(root, purpose, Codes.SynthProjectInUse,
            "let it finish, or write to another folder (synth --out, bench --dir)");

    /// <summary><see cref="Write"/> for a caller that holds <see cref="Lock"/> on <paramref name="root"/> (bench, across generating and running).</summary>
    internal static SynthSummary WriteHeld(string root, SynthSettings settings, bool force, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();

        // Settings are checked (by the generator) before anything in the directory is touched.
        var generator = new SyntheticDataGenerator(settings);
        Prepare(root, force, settings.Rows);
        var partial = Path.Combine(root, PartialDirectory);
        try
        {
            var summary = Generate(partial, root, settings, generator, clock, cancellationToken);
            Replace(root, partial, force);
            return summary;
        }
        finally
        {
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
        }
    }

    private static SynthSummary Generate(string partial, string root, SynthSettings settings, SyntheticDataGenerator generator, Stopwatch clock, CancellationToken cancellationToken)
    {
        long candidacies = 0, results = 0, contests = 0, unreferenced = 0, races = 0, truth = 0, unlisted = 0;
        var earlierRepeats = new HashSet<string>(StringComparer.Ordinal);
        Directory.CreateDirectory(Path.Combine(partial, "data", "airbyte"));
        Directory.CreateDirectory(Path.Combine(partial, "truth"));
        TimeSpan generating;
        using (var candidacySink = new CandidacySink(partial))
        using (var truthWriter = CsvWriter(Path.Combine(partial, TruthFile), "gp_candidacy_id,election_type,ddhq_candidate_id"))
        using (var tagWriter = CsvWriter(Path.Combine(partial, PerturbationsFile), "gp_candidacy_id,election_type,ddhq_candidate_id,perturbations"))
        {
            // One pass: results rows stream into parquet; candidacies and truth are written on the way.
            IEnumerable<ResultRow> Results()
            {
                foreach (var contest in InBackground(generator.Contests(), cancellationToken))
                {
                    candidacySink.Append(contest);
                    WriteTruth(contest, truthWriter, tagWriter);
                    contests++;
                    unreferenced += contest.Candidacies.Count == 0 ? 1 : 0;
                    candidacies += contest.Candidacies.Count;
                    results += contest.Results.Count;
                    races += contest.RaceCount;
                    truth += contest.Truth.Count;
                    unlisted += contest.Truth.Count(t => (t.Perturbations & Perturbation.UnlistedRunoff) != 0);
                    earlierRepeats.UnionWith(contest.EarlierRepeats);
                    foreach (var row in contest.Results)
                    {
                        yield return row;
                    }
                }
            }

            ResultsParquetStream.Write(Results(), (ulong)settings.Rows * ResultsPerCandidacy, Path.Combine(partial, ResultsParquet));
            generating = clock.Elapsed;
            candidacySink.CopyTo(Path.Combine(partial, CandidacyParquet));
        }

        TagEarlierRepeats(Path.Combine(partial, PerturbationsFile), earlierRepeats);
        var copying = clock.Elapsed - generating;
        var summary = new SynthSummary(root, candidacies, results, contests, unreferenced, races, truth, unlisted, generating, copying, []);
        var written = WriteProjectFiles(partial, settings, summary);
        return summary with { Written = [.. written, CandidacyParquet, ResultsParquet, TruthFile, PerturbationsFile] };
    }

    /// <summary>
    /// Puts the generated project in the old one's place: with --force, what synth wrote before and what runs on it wrote
    /// go first, then every new file is renamed into place, dbt_project.yml last, so a project whose moves were cut short
    /// has none and is not taken for a whole one.
    /// </summary>
    private static void Replace(string root, string partial, bool force)
    {
        // Before, synth --force kept bench's stamp, and bench reported the replaced project's figures as the stamp's.
        File.Delete(Path.Combine(root, ReuseStamp));
        if (force)
        {
            foreach (var file in OwnedFiles.Select(f => Path.Combine(root, f)).Where(File.Exists).OrderBy(f => Path.GetFileName(f) != "dbt_project.yml"))
            {
                File.Delete(file);
            }

            foreach (var folder in RunOutputDirectories.Select(d => Path.Combine(root, d)).Where(Directory.Exists))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        foreach (var file in OwnedFiles.OrderBy(f => f == "dbt_project.yml"))
        {
            var target = Path.Combine(root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(Path.Combine(partial, file), target, overwrite: true);
        }

        // Where run writes its staging models and manifests, as in goodparty.
        Directory.CreateDirectory(Path.Combine(root, "models", "staging", "model_predictions_source"));
        Directory.CreateDirectory(Path.Combine(root, "electionmatch", "manifests"));
    }

    /// <summary>
    /// Runs the generator on its own thread, a few hundred contests ahead of the caller, so generating
    /// and writing (DuckDB encoding parquet, the appender, the truth files) use both cores. The order
    /// of contests is the generator's, so the output does not depend on timing.
    /// </summary>
    private static IEnumerable<SynthContest> InBackground(IEnumerable<SynthContest> contests, CancellationToken cancellationToken)
    {
        using var batches = new BlockingCollection<List<SynthContest>>(boundedCapacity: 8);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    var batch = new List<SynthContest>(BatchSize);
                    foreach (var contest in contests)
                    {
                        batch.Add(contest);
                        if (batch.Count == BatchSize)
                        {
                            batches.Add(batch, stop.Token);
                            batch = new List<SynthContest>(BatchSize);
                        }
                    }

                    batches.Add(batch, stop.Token);
                }
                finally
                {
                    batches.CompleteAdding();
                }
            },
            stop.Token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        try
        {
            foreach (var batch in batches.GetConsumingEnumerable(cancellationToken))
            {
                foreach (var contest in batch)
                {
                    yield return contest;
                }
            }
        }
        finally
        {
            // Stop a producer still running (the caller failed or gave up), then surface its own failure.
            stop.Cancel();
            try
            {
                producer.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Cancelled here, on purpose.
            }
        }
    }

    private static void Prepare(string root, bool force, int rows)
    {
        // A file where the directory, or one of the folders above it, should be: named, before anything is touched.
        for (var path = root; path is not null && !Directory.Exists(path); path = Path.GetDirectoryName(path))
        {
            if (File.Exists(path))
            {
                throw DiagnosticException.At(Codes.SynthOutputNotEmpty, SourceSpan.PathOnly(Dbt.DisplayPath.For(path)), "is a file, not a directory; the synthetic project is written into a directory");
            }
        }

        // What a killed synth left is its own, whatever the options.
        var partial = Path.Combine(root, PartialDirectory);
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }

        EnsureSpace(EnsureWritable(root), rows);
        if (!force && Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw DiagnosticException.At(Codes.SynthOutputNotEmpty, SourceSpan.PathOnly(Dbt.DisplayPath.For(root)), "the output directory is not empty; pass --force to replace what synth writes there and remove what runs on it wrote (target/, electionmatch/manifests/, models/staging/model_predictions_source/; other files are kept), or choose an empty directory");
        }

        Directory.CreateDirectory(root);
    }

    /// <summary>The directory (or, when it does not exist yet, the nearest one above it) must accept a new file.</summary>
    /// <returns>The directory probed.</returns>
    private static string EnsureWritable(string root)
    {
        var (existing, problem) = Snapshots.WriteProbe.Directory(root);
        if (problem is not null)
        {
            throw DiagnosticException.At(Codes.ProjectNotWritable, SourceSpan.PathOnly(Dbt.DisplayPath.For(existing)), $"the directory cannot be written ({problem}); the synthetic project is written there");
        }

        return existing;
    }

    /// <summary>
    /// What a project of that many candidacies takes on disk must fit on the output's device: checked before anything is
    /// written, so a size beyond the disk fails at once, naming both figures, instead of filling the device for every other
    /// process and failing at the end. The files --force replaces do not count as free: the new ones are written beside them.
    /// </summary>
    /// <param name="existing">The output directory, or the nearest one above it that exists (<see cref="EnsureWritable"/>).</param>
    private static void EnsureSpace(string existing, int rows)
    {
        long free;
        try
        {
            free = new DriveInfo(existing).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return; // A device that cannot say how much space it has: the write itself reports a full disk (EM0506).
        }

        var needed = rows * BytesPerCandidacy;
        if (needed > free)
        {
            var c = CultureInfo.InvariantCulture;
            throw DiagnosticException.At(
                Codes.InvalidSynthOption,
                SourceSpan.PathOnly(Dbt.DisplayPath.For(existing)),
                string.Create(c, $"--rows {rows:N0} needs about {Gibibytes(needed)} on this device (about {BytesPerCandidacy} bytes a candidacy, its results rows and truth included) and it has {Gibibytes(free)} free; generate at most about {free / BytesPerCandidacy:N0} rows there, or write to another device"));
        }
    }

    private static string Gibibytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB");

    private static StreamWriter CsvWriter(string path, string header)
    {
        var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine(header);
        return writer;
    }

    /// <summary>
    /// Truth pairs, and every dated stage with its perturbations, then each runoff HubSpot does not list that the match
    /// must discover (a pair in both files); candidacy ids grow, so both files come out sorted by candidacy.
    /// </summary>
    private static void WriteTruth(SynthContest contest, StreamWriter truth, StreamWriter tags)
    {
        foreach (var candidacy in contest.Candidacies)
        {
            foreach (var (type, _) in candidacy.Stages())
            {
                var pair = contest.Truth.Find(t => t.GpCandidacyId == candidacy.GpCandidacyId && t.ElectionType == type && (t.Perturbations & Perturbation.UnlistedRunoff) == 0);
                if (pair is not null)
                {
                    WritePair(truth, pair);
                    truth.WriteLine();
                }

                tags.Write(candidacy.GpCandidacyId);
                tags.Write(',');
                tags.Write(type);
                tags.Write(',');
                tags.Write(pair is null ? "" : pair.DdhqCandidateId.ToString(CultureInfo.InvariantCulture));
                tags.Write(',');
                tags.WriteLine(PerturbationNames.Join(pair?.Perturbations ?? candidacy.Perturbations));
            }

            foreach (var pair in contest.Truth)
            {
                if (pair.GpCandidacyId == candidacy.GpCandidacyId && (pair.Perturbations & Perturbation.UnlistedRunoff) != 0)
                {
                    WritePair(truth, pair);
                    truth.WriteLine();
                    WritePair(tags, pair);
                    tags.Write(',');
                    tags.WriteLine(PerturbationNames.Join(pair.Perturbations));
                }
            }
        }
    }

    /// <summary>
    /// Adds <c>repeat_candidate</c> to the lines of the candidacies in <paramref name="ids"/>: a person's first candidacy
    /// was written before the person ran again. Every candidacy of a person who ran in more than one cycle then carries
    /// it, so per-perturbation recall counts the first candidacy, which the later cycle's results rows confuse as much.
    /// Before, only the later candidacies were tagged (2,362 of the 4,449 candidacies that share a contact id at 20,000).
    /// </summary>
    private static void TagEarlierRepeats(string path, HashSet<string> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        var tagged = path + ".tagged";
        using (var writer = new StreamWriter(tagged, append: false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" })
        {
            foreach (var line in File.ReadLines(path))
            {
                // gp_candidacy_id,election_type,ddhq_candidate_id,perturbations: no field holds a comma.
                var last = line.LastIndexOf(',');
                if (ids.Contains(line[..line.IndexOf(',', StringComparison.Ordinal)]))
                {
                    writer.WriteLine(line[..(last + 1)] + PerturbationNames.Join(PerturbationNames.Parse(line[(last + 1)..]) | Perturbation.RepeatCandidate));
                }
                else
                {
                    writer.WriteLine(line);
                }
            }
        }

        File.Move(tagged, path, overwrite: true);
    }

    /// <summary>The pair's three columns, <c>gp_candidacy_id,election_type,ddhq_candidate_id</c>, without the line's end.</summary>
    private static void WritePair(StreamWriter writer, TruthPair pair)
    {
        writer.Write(pair.GpCandidacyId);
        writer.Write(',');
        writer.Write(pair.ElectionType);
        writer.Write(',');
        writer.Write(pair.DdhqCandidateId.ToString(CultureInfo.InvariantCulture));
    }

    private static List<string> WriteProjectFiles(string root, SynthSettings settings, SynthSummary summary)
    {
        var templates = new TemplateLibrary(overrideDirectory: null);
        var c = CultureInfo.InvariantCulture;
        var model = new Dictionary<string, object?>
        {
            ["name"] = settings.ProjectName,
            ["seed"] = settings.Seed.ToString(c),
            ["rows"] = settings.Rows.ToString(c),
            ["tool"] = ToolInfo.Name,
            ["version"] = ToolInfo.Version,
            ["counts"] = new Dictionary<string, object?>
            {
                ["candidacies"] = summary.Candidacies.ToString("N0", c),
                ["results"] = summary.Results.ToString("N0", c),
                ["contests"] = summary.Contests.ToString("N0", c),
                ["unreferenced"] = summary.UnreferencedContests.ToString("N0", c),
                ["races"] = summary.Races.ToString("N0", c),
                ["truth"] = summary.TruthPairs.ToString("N0", c),
                ["unlisted_runoffs"] = summary.UnlistedRunoffs.ToString("N0", c),
            },
            ["rates"] = PerturbationRates.Names.Select(name =>
            {
                var (per, what) = PerturbationRates.Describe(name);
                return new Dictionary<string, object?> { ["name"] = name, ["rate"] = settings.Rates.Get(name).ToString(c), ["per"] = per, ["what"] = what };
            }).ToList(),
        };

        var files = new (string Path, string Template)[]
        {
            ("dbt_project.yml", "synth/dbt_project.yml.liquid"),
            ("profiles.yml", "synth/profiles.yml.liquid"),
            ("electionmatch.yml", "synth/electionmatch.yml.liquid"),
            (SourcesFile, "synth/sources.yaml.liquid"),
            ("truth/README.md", "synth/truth_readme.md.liquid"),
        };
        foreach (var (path, template) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, templates.Render(template, model), new UTF8Encoding(false));
        }

        return files.Select(f => f.Path).ToList();
    }
}
