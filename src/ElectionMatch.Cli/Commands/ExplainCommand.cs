using System.CommandLine;
using System.Globalization;
using ElectionMatch.Cli.Output;
using ElectionMatch.Diagnostics;
using ElectionMatch.Operations;

namespace ElectionMatch.Cli.Commands;

internal static class ExplainCommand
{
    private const int BarScale = 2;

    /// <summary>
    /// Bits with their sign. A total that is zero only after rounding (sums of weights leave -4E-16) takes the zero section:
    /// with two sections .NET printed it "-+0.00".
    /// </summary>
    internal static string Bits(double value) => value.ToString("+0.00;-0.00;+0.00", CultureInfo.InvariantCulture);

    /// <summary>The Examples section of its help (<see cref="HelpExamples"/>).</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        $"electionmatch explain candidacy_ddhq_matches gpc-000132 {HelpExamples.Project}",
        $"electionmatch explain candidacy_ddhq_matches gpc-000132 {HelpExamples.Project} --snapshot-date 2026-01-15 --candidates 3",
    ];

    /// <summary>The judge's answer for a row: its choice by number (and name), at its confidence, and its reasoning; or undecided.</summary>
    private static string JudgeLine(JudgeVerdict judge, string noneFits)
    {
        var c = CultureInfo.InvariantCulture;
        if (judge.Undecided)
        {
            return $"  judge ({judge.Judge}): undecided, its reply was invalid twice: {judge.Reasoning}";
        }

        var choice = judge.CandidateNumber == 0 ? $"candidate 0 ({noneFits})" : $"candidate {judge.CandidateNumber.ToString(c)}{(judge.Chosen is null ? "" : $" ({judge.Chosen})")}";
        return $"  judge ({judge.Judge}): {choice} at confidence {judge.Confidence.ToString(c)}: {judge.Reasoning}";
    }

    public static Command Create()
    {
        var project = new ProjectArguments();
        var match = new Argument<string>("match") { Description = "The match, as named in electionmatch.yml." };
        var leftId = new Argument<string>("left-id") { Description = "The left row's id (a gp_candidacy_id, or a position's br_database_id)." };
        var top = new NumberOption<int>(
            new("--candidates") { Description = "How many candidate pairs to show per election row.", DefaultValueFactory = _ => "3" },
            Codes.InvalidOption,
            "a number of candidate pairs to show (0 or more)",
            n => n >= 0);
        var date = new Option<string?>("--snapshot-date") { Description = "Explain the snapshot of this date (YYYY-MM-DD) instead of the newest, which the stable model reads." };
        var command = new Command("explain", "The waterfall of match weights behind one left row's decisions in a snapshot (the newest unless --snapshot-date).") { match, leftId, top.Option, date };
        project.AddTo(command);
        command.SetAction((result, cancellationToken) => Task.FromResult(DiagnosticPrinter.Guard(() =>
        {
            var count = top.Read(result);
            var snapshotDate = RunCommand.ParseDate(result.GetValue(date));
            var context = ProjectContext.Load(project.Read(result));
            var explanation = new ExplainOperation(context).Execute(result.GetValue(match)!, result.GetValue(leftId)!, count, snapshotDate, cancellationToken);
            // The id as the run reads it, with any control character escaped: a CR pasted from a CRLF file would garble the line.
            var id = PrintableText.Of(ElectionMatch.Matching.IdText.Trim(result.GetValue(leftId)!));
            var c = CultureInfo.InvariantCulture;
            var schema = context.Settings.Snapshots.Schema;
            foreach (var warning in new[] { explanation.Interrupted, explanation.SettingsChanged, explanation.ThresholdsNotRecorded }.OfType<Diagnostic>())
            {
                Terminal.Error.WriteLine(warning.ToString());
            }

            Terminal.Out.WriteLine(explanation.OtherRun is null
                ? $"snapshot {schema}.{explanation.Snapshot.Table} ({explanation.Snapshot.Date.ToString("yyyy-MM-dd", c)}), from the stages of the run that published it"
                : $"snapshot {schema}.{explanation.Snapshot.Table} ({explanation.Snapshot.Date.ToString("yyyy-MM-dd", c)}), from its published rows alone: the candidate pairs are not shown, since {explanation.OtherRun}");
            if (explanation.NotStable is { } notStable)
            {
                Terminal.Out.WriteLine(notStable);
            }

            if (explanation.UnreadPartitions.Count > 0)
            {
                Terminal.Out.WriteLine($"note: the cached stages of state partition{(explanation.UnreadPartitions.Count == 1 ? "" : "s")} {string.Join(", ", explanation.UnreadPartitions)} of the latest run are gone (removed by hand, or a run of another build stopped before it finished); rows of {id} there, if any, are not shown: run --incremental again");
            }

            foreach (var partition in explanation.Partitions)
            {
                Terminal.Out.WriteLine($"{id}: state partition {partition.Label} of the latest (incremental) run, {(partition.Reused ? "reused" : "recomputed")}; computed {partition.ComputedAtUtc.ToString("yyyy-MM-dd HH:mm:ss", c)} UTC");
            }

            foreach (var row in explanation.Quarantined)
            {
                var place = row.PartitionRow is { } p ? $"row {row.RowNumber} of state partition {p.Label}" : $"left input row {row.RowNumber}";
                Terminal.Out.WriteLine(row.WholeRow
                    ? $"{id} quarantined: {row.Code} {row.Message} ({place}; the snapshot's __quarantine table holds it)"
                    : $"{id} election date quarantined alone: {row.Code} {row.Message} ({place}; the snapshot's __quarantine table holds it); the candidacy's other elections follow");
            }

            // A position has one row (no elections, no temporal filter): with none and no quarantine, cleaning dropped it.
            if (explanation.Kind == Settings.MatchKind.L2BallotReady.Name)
            {
                if (explanation.Rows.Count == 0 && explanation.Quarantined.Count == 0)
                {
                    Terminal.Out.WriteLine($"{id} is in the left input but has no row in the run (see the stages left_clean and left_keyed); not in the snapshot");
                }
            }
            else if (explanation.Rows.Count == 0 && explanation.Removed.Count == 0 && !explanation.Quarantined.Any(q => q.WholeRow))
            {
                Terminal.Out.WriteLine($"{id} is in the left input but has no election row in the run: it has no election date (or a date without its election type), so left_clean's row made none (see the stages left_clean and left_expanded); not in the snapshot");
            }
            else if (explanation.Rows.Count == 0 && !explanation.Quarantined.Any(q => q.WholeRow))
            {
                Terminal.Out.WriteLine($"{id} is in the left input but has no election row in the run: the temporal filter removed every election of it (see the stages left_expanded and left_filtered)");
            }

            foreach (var removed in explanation.Removed)
            {
                Terminal.Out.WriteLine($"{id} {removed.ElectionType} {removed.ElectionDate}: removed by the temporal filter: no results on that date {(removed.State is null ? "in any state" : "in " + removed.State)}{(removed.ElectionType == "runoff" ? ", nor runoff results in the days after the election it follows" : "")}; not in the snapshot");
            }

            foreach (var row in explanation.Rows)
            {
                if (row.Published is { } published)
                {
                    Terminal.Out.WriteLine($"{id}: {row.Name} ({row.State ?? "no state"})");
                    Terminal.Out.WriteLine(published.District is null
                        ? $"  published: no district, confidence {published.Confidence.ToString(c)}, decided by {published.DecidedBy}"
                        : $"  published: {published.District} [{published.DistrictId}] {published.DistrictType}, confidence {published.Confidence.ToString(c)}, decided by {published.DecidedBy}");
                }
                else
                {
                    Terminal.Out.WriteLine(explanation.OtherRun is not null
                        ? $"{id} {row.ElectionType} {row.ElectionDate}: {row.Name}"
                        : $"{id} {row.ElectionType} {row.ElectionDate}: {row.Name} ({row.State ?? "no state: the results of every state were searched"})");
                }

                if (row.MatchDate is not null)
                {
                    Terminal.Out.WriteLine($"  runoff date fallback: no results on {row.ElectionDate}, so the runoff results of {row.MatchDate} were searched");
                }

                if (row.DiscoveredAfter is not null)
                {
                    Terminal.Out.WriteLine($"  discovered runoff: not in the left input; found in the results after the election of {row.DiscoveredAfter} this candidacy was linked in");
                }

                Terminal.Out.WriteLine(row.InSnapshot ? $"  decision: {row.Decision}" : $"  decision: {row.Decision}; not in the snapshot, which holds a discovered runoff only when it is linked");
                if (row.Judge is { } judge)
                {
                    Terminal.Out.WriteLine(JudgeLine(judge, "no district fits"));
                }

                if (row.Judged is { } judged)
                {
                    Terminal.Out.WriteLine($"  sent to the judge: {judged.WhyJudged}");
                    Terminal.Out.WriteLine(JudgeLine(judged.Answer, "no candidate fits"));
                    Terminal.Out.WriteLine($"    close alternatives: {(judged.Answer.CloseAlternatives.Count == 0 ? "none" : string.Join("; ", judged.Answer.CloseAlternatives))}");
                    Terminal.Out.WriteLine($"  contest {judged.Contest} as the judge saw it, {judged.ContestRows.ToString(c)} row{(judged.ContestRows == 1 ? "" : "s")} of it judged:");
                    foreach (var candidate in judged.Candidates)
                    {
                        var place = string.Join(", ", new[] { candidate.State, candidate.District is null ? null : "district " + candidate.District }.OfType<string>());
                        Terminal.Out.WriteLine($"    {(candidate.Number == judged.Answer.CandidateNumber ? "> " : "  ")}{candidate.Number.ToString(c)}. {candidate.Name} [{candidate.RightId}]{(place.Length == 0 ? "" : $" ({place})")}"
                            + $"{(candidate.LinkedElsewhere ? ", linked to another row" : "")}: {candidate.Levels ?? "not compared with this row (another partition's candidate)"}");
                    }
                }

                if (count == 0)
                {
                    Terminal.Out.WriteLine("  candidate pairs not shown (--candidates 0)");
                }
                else if (row.Candidates.Count == 0)
                {
                    Terminal.Out.WriteLine("  no candidate pair was scored");
                }
                else if (explanation.OtherRun is not null)
                {
                    Terminal.Out.WriteLine("  the pair the snapshot shows (its match_explanation):");
                }

                foreach (var pair in row.Candidates.Take(count))
                {
                    var rightId = pair.RightId.Length == 0 ? "" : $" [{pair.RightId}]";
                    var compared = pair.CandidatesCompared is { } n ? $", {n} candidate pair{(n == 1 ? "" : "s")} compared" : "";
                    var number = pair.CandidateNumber is { } k ? $"{k}. " : "";
                    var similarity = pair.Similarity is { } cosine ? string.Create(c, $", similarity {cosine:0.0000}") : "";
                    Terminal.Out.WriteLine(string.Create(c, $"  {(pair.Linked ? "* " : "  ")}{number}{pair.Candidate}{rightId} {pair.Race}: weight {Bits(pair.MatchWeight)}, probability {pair.MatchProbability:0.0000}{(pair.FoundBy.Count == 0 ? "" : ", found by " + string.Join(", ", pair.FoundBy))}{similarity}{compared}"));
                    var running = 0.0;
                    foreach (var step in pair.Steps)
                    {
                        running += step.Weight;
                        var bar = new string(step.Weight >= 0 ? '+' : '-', (int)Math.Min(40, Math.Round(Math.Abs(step.Weight) * BarScale)));
                        Terminal.Out.WriteLine(string.Create(c, $"      {step.Field,-12} {step.Level,-14} {Bits(step.Weight),7}  {Bits(running),7}  {bar}"));
                    }
                }
            }

            return DiagnosticPrinter.Success;
        })));
        return command;
    }
}
