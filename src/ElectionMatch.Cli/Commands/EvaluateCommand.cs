using System.CommandLine;
using System.Globalization;
using ElectionMatch.Cli.Output;
using ElectionMatch.Diagnostics;
using ElectionMatch.Evaluation;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Cli.Commands;

internal static class EvaluateCommand
{
    /// <summary>The Examples section of its help (<see cref="HelpExamples"/>).</summary>
    public static IReadOnlyList<string> Examples { get; } =
    [
        $"electionmatch evaluate candidacy_ddhq_matches {HelpExamples.Project} --truth dbt_fixtures/goodparty/truth/candidacy_ddhq_matches.csv --hardest 5",
        $"electionmatch evaluate llm_l2_br_match {HelpExamples.Project} --truth dbt_fixtures/goodparty/truth/llm_l2_br_match.csv",
    ];

    public static Command Create()
    {
        var project = new ProjectArguments();
        var match = new Argument<string>("match") { Description = "The match whose newest snapshot is scored." };
        var truth = new Option<string>("--truth") { Description = "CSV of true pairs: the match's left and right id columns by name (other columns ignored), or, with neither named, left id first, right id last.", Required = true };
        var snapshot = new Option<string?>("--snapshot") { Description = "Score this snapshot table instead of the newest one." };
        var partial = new Option<bool>("--partial-truth") { Description = "Truth covers only some rows: precision is over links whose correctness is known." };
        // Take() of a negative count lists nothing, which reads as "no close calls": refused before any work.
        var hardest = new NumberOption<int>(
            new("--hardest") { Description = "Also list this many closest calls (the judge's rows first, then probabilities nearest even odds) with their verdict (none when not given)." },
            Codes.InvalidOption,
            "a number of closest calls to list (0 or more)",
            n => n >= 0);
        var command = new Command("evaluate", "Precision, recall and F1 of a snapshot against a truth file, with every miss and false match.") { match, truth, snapshot, partial, hardest.Option };
        project.AddTo(command);
        command.SetAction((result, cancellationToken) => Task.FromResult(DiagnosticPrinter.Guard(() =>
        {
            var count = hardest.Read(result);
            var context = ProjectContext.Load(project.Read(result));
            var name = result.GetValue(match)!;
            var definition = Matches.MatchDefinition.For(context.Settings.Match(name).Kind);
            using var locked = context.LockForReading($"evaluate {name}", out context, cancellationToken);
            // Opened with engine: as a run has it (LockForReading): without it DuckDB may take 80% of the machine's memory (20 GB scoring 20,000 candidacies).
            var warehouse = locked.Warehouse;
            var resolver = context.Resolver(warehouse);
            var settings = context.Settings.Match(name);
            var evaluated = EvaluatedSnapshot.Resolve(context, warehouse, name, result.GetValue(snapshot), definition.Evaluation);
            if (evaluated.Interrupted is { } interrupted)
            {
                Terminal.Error.WriteLine(interrupted.ToString());
            }

            // Read as a run reads them: a CSV file's unreadable lines skipped (the run quarantined them), not failing the read.
            Lazy<InputRelation> Resolved(InputSettings input, string side) => new(() => resolver.ResolveInput(input.Relation, input.RelationAt, side, warehouse, input.Encoding, input.DateFormat, input.TimestampFormat));
            var (rightInput, leftInput) = (Resolved(settings.Right, "right"), Resolved(settings.Left, "left"));
            var inputs = new EvaluatedInputs(QuarantineIdKey(warehouse, evaluated.QuarantineTable, settings.Left.Id), new(() => rightInput.Value.Sql), settings.Right, new(() => leftInput.Value.Sql), settings.Left)
            {
                RightCsv = new(() => rightInput.Value.Csv),
                LeftCsv = new(() => leftInput.Value.Csv),
            };
            var scored = TruthEvaluator.Evaluate(warehouse, evaluated, Dbt.WorkingDirectory.Full(result.GetValue(truth)!), definition.Evaluation, result.GetValue(partial), inputs: inputs, hardest: count);
            // A snapshot loaded by hand (today's pipeline's) has no decided_by: the lines that need it are said not computed.
            var untiered = scored.AbsentColumns.Contains("decided_by")
                ? $"not computed: {evaluated.Name.Table} has no decided_by column (a snapshot loaded by hand, not written by a run)"
                : null;

            var c = CultureInfo.InvariantCulture;
            var noLinks = result.GetValue(partial) ? "no links whose correctness is known" : "no links";
            Terminal.Out.WriteLine($"precision: {Share(scored.Precision, $"the snapshot has {noLinks}")}");
            Terminal.Out.WriteLine($"recall: {Share(scored.Recall, "the truth file has no pairs")}");
            Terminal.Out.WriteLine($"f1: {Share(scored.F1, scored.Precision is null ? "precision is n/a" : "recall is n/a")}");
            if (untiered is null)
            {
                Terminal.Out.WriteLine(string.Create(c, $"judge_share: {scored.JudgeShare:0.0000}"));
                Terminal.Out.WriteLine(scored.JudgedRows == 0
                    ? "judge_zero_share: n/a: the judge saw no row (0 of 0)"
                    : string.Create(c, $"judge_zero_share: {scored.JudgeZeroShare:0.0000} ({scored.JudgedUnlinked} of {scored.JudgedRows} rows the judge saw left unlinked)"));
                Terminal.Out.WriteLine($"judge_undecided: {scored.JudgedUndecided} rows the judge could not decide (its reply was invalid twice; never linked)");
            }
            else
            {
                Terminal.Out.WriteLine($"judge_share: {untiered}");
                Terminal.Out.WriteLine($"judge_zero_share: {untiered}");
                Terminal.Out.WriteLine($"judge_undecided: {untiered}");
            }

            Terminal.Out.WriteLine(result.GetValue(partial)
                ? "truth: partial; recall over the truth pairs, precision over links whose correctness is known (a truth left row linked elsewhere, or another row linked to a truth right row, is wrong)"
                : "truth: complete; every link not in the truth file counts as wrong");
            Terminal.Out.WriteLine($"snapshot: {evaluated.Display}; truth pairs: {scored.TruthPairs}, links: {scored.PredictedPairs}, correct: {scored.CorrectPairs}");
            if (evaluated.StableModelUnread is { } stableUnread)
            {
                Terminal.Out.WriteLine($"snapshot note: {stableUnread}");
            }
            if (scored.TruthLines > scored.TruthPairs)
            {
                var repeated = scored.TruthLines - scored.TruthPairs;
                Terminal.Out.WriteLine(string.Create(c, $"truth note: {repeated} {(repeated == 1 ? "line repeats a pair" : "lines repeat a pair")} of another line and {(repeated == 1 ? "is" : "are")} counted once ({scored.TruthLines} lines of pairs, {scored.TruthPairs} pairs)"));
            }

            if (scored.InputsUnread is { } unread)
            {
                Terminal.Out.WriteLine($"truth ids: the missed ids were not looked up in the inputs, which cannot be read: {unread}");
            }

            DiagnosticPrinter.Print(scored.Warnings);
            if (scored.RightIdLookup is { } lookup)
            {
                Terminal.Out.WriteLine($"right ids: {lookup}");
            }

            if (untiered is not null)
            {
                Terminal.Out.WriteLine($"tier: {untiered}");
            }

            foreach (var tier in scored.Tiers)
            {
                Terminal.Out.WriteLine(string.Create(c, $"tier {tier.Tier}: {tier.Rows} rows, {tier.Links} links, {tier.Correct} correct (precision {Share(tier.Precision, noLinks)}), {tier.Missed} truth pairs missed"));
            }

            if (scored.Tiers.Count > 0 && scored.UntieredMisses > 0)
            {
                Terminal.Out.WriteLine(scored.UntieredMisses == 1
                    ? "untiered: 1 truth pair missed with no row of its election in the snapshot, so under no tier (its miss line says why)"
                    : $"untiered: {scored.UntieredMisses} truth pairs missed with no row of their election in the snapshot, so under no tier (their miss lines say why)");
            }

            // The retrieval tier per embedding model: offline always, each provider model whose cache covers the run.
            if (definition.Evaluation.Retrieval is { } retrieval)
            {
                var offline = settings.Embeddings.IsOffline ? settings.Embeddings : EmbeddingSettings.Offline;
                var offlineTopK = settings.Embeddings.IsOffline ? "retrieved" : settings.Embeddings.UnionOffline ? "retrieved_offline" : null;
                var recalls = RetrievalRecall.Compare(warehouse, RunSchema.For(name), Dbt.WorkingDirectory.Full(result.GetValue(truth)!), retrieval, offline, settings.TopK, settings.Embeddings.UnionOffline, offlineTopK, truthColumns: definition.Evaluation);
                if (recalls.Count == 0 && warehouse.TableExists(RunSchema.For(name).Name, Incremental.IncrementalRun.PartitionsTable))
                {
                    // An incremental run keeps, of each partition, only what explain reads: not the results rows' retrieval members.
                    Terminal.Out.WriteLine($"retrieval: not measured: the latest run of '{name}' was incremental, which keeps no partition's retrieval stages; run it without --incremental to compare embedders");
                }

                foreach (var recall in recalls)
                {
                    var share = Share(recall.Recall, "no truth pair has its left row among those retrieval searched and its right row in that row's partition");
                    Terminal.Out.WriteLine(recall.FromRun
                        ? string.Create(c, $"retrieval {recall.Model}: recall@{recall.K} {share} ({recall.Found} of {recall.TruthPairs} truth pairs in the run's own top {recall.K}, searched by its blocks; its partitions hold over {RetrievalRecall.MaxRankedPairs:N0} pairs, too many to rank again, so provider models are not compared)")
                        : string.Create(c, $"retrieval {recall.Model}: recall@{recall.K} {share} ({recall.Found} of {recall.TruthPairs} truth pairs in the top {recall.K} of their partition)"));
                }

                // A paid embedder must not retrieve worse than the free one on the same truth; united with it, it cannot
                // lose a pair (candidacies) — an interleaved fixed-length list can, which is said the same way.
                foreach (var worse in recalls.Skip(1).Where(r => r.Found < recalls[0].Found))
                {
                    var advice = !worse.United && settings.Embeddings.UnionOffline
                        ? $"runs unite it with the offline embedder (embeddings: union_offline), see the line of {worse.Model}+offline"
                        : "keep embeddings: provider: offline for this match";
                    Terminal.Out.WriteLine($"retrieval warning: {worse.Model} finds {worse.Found} truth pairs where the offline embedder finds {recalls[0].Found}; {advice}");
                }
            }

            foreach (var miss in scored.Misses)
            {
                var pair = $"miss  {miss.LeftId}{(miss.Row is { Length: > 0 } row ? " " + row : "")} -> {miss.RightId}";
                // No row of the right input has the id, nor did the run quarantine one with it; a row quarantined for a blank id may be it.
                var notInRight = miss.RightInInput == false && miss.RightQuarantined is null
                    ? $"no row of the right input ({settings.Right.Relation}) has its right id, nor did the run quarantine one with it"
                        + (scored.BlankRightIdQuarantine is { } blank ? $" (but it quarantined right rows whose id is blank, {blank}, which may include this one)" : "")
                    : null;
                Terminal.Out.WriteLine(miss switch
                {
                    { IsLeftIdUnknown: true } =>
                        $"{pair}: the left id is not in the left input ({settings.Left.Relation}){(notInRight is null ? "" : ", and " + notInRight)}"
                        + (scored.UnidentifiedQuarantine is { } unidentified ? $", as far as its rows can be read: the run quarantined left rows whose id is blank, an earlier row's or unreadable ({unidentified}), which may be this one" : ""),
                    { RightQuarantined: { } right, RightLineRejected: true } when miss.Quarantined is null && miss.QuarantinedAlone is null =>
                        $"{pair}{(miss.HasRow ? $" (linked: {miss.LinkedRightId ?? "nothing"})" : "")}: the CSV reader rejected its right row's line, whose id field is {miss.RightId}, so the run quarantined it ({right}) and it was never a candidate",
                    { RightQuarantined: { } right } when miss.Quarantined is null && miss.QuarantinedAlone is null =>
                        $"{pair}{(miss.HasRow ? $" (linked: {miss.LinkedRightId ?? "nothing"})" : "")}: the run quarantined its right row ({right}), so it was never a candidate",
                    _ when notInRight is not null => $"{pair}: {notInRight}, so no run could link it",
                    { HasRow: false, RowLinkedToOtherTruth: { } other } =>
                        $"{pair}: the snapshot's {miss.Detail} row of {miss.LeftId} is linked to {other}, which the truth file also names for it; the truth file gives that row two right ids, and the snapshot has no other {miss.Detail} row of {miss.LeftId} (a second {miss.Detail} election the run did not discover, or a pair that contradicts another in the truth file)",
                    { HasRow: false, Quarantined: { } quarantined, LeftLineRejected: true } => $"{pair}: the snapshot has no row for it: the CSV reader rejected its left row's line, whose id field is {miss.LeftId}, so the run quarantined it ({quarantined})",
                    { HasRow: false, Quarantined: { } quarantined } => $"{pair}: the snapshot has no row for it: the run quarantined its left row ({quarantined})",
                    { HasRow: false, QuarantinedAlone: { } alone } => $"{pair}: the snapshot has no row for it: the run used {miss.LeftId} and matched its other elections, but quarantined an election date of it alone ({alone})",
                    { HasRow: false } => $"{pair}: the snapshot has no row for it ({definition.Evaluation.NoRowCauses(scored.HasQuarantine, scored.UnidentifiedQuarantine)})",
                    _ => $"{pair} (linked: {miss.LinkedRightId ?? "nothing"}): {miss.Reasoning} {miss.Explanation}",
                });
            }

            foreach (var wrong in scored.FalseMatches)
            {
                var owners = wrong.TruthLeftIdsOfLinked is { } of ? $"; {wrong.LinkedRightId} is {of}'s" : "";
                Terminal.Out.WriteLine($"false {wrong.LeftId}{(wrong.Row is { Length: > 0 } row ? " " + row : "")} -> {wrong.LinkedRightId} (truth: {wrong.TruthRightIds ?? "no pair for this row"}{owners}): {wrong.Reasoning} {wrong.Explanation}");
            }

            if (count > 0 && scored.AbsentColumns.Contains("match_probability"))
            {
                Terminal.Out.WriteLine($"hard: not computed: {evaluated.Name.Table} has no match_probability column (a snapshot loaded by hand, not written by a run)");
            }

            foreach (var hard in scored.Hardest)
            {
                Terminal.Out.WriteLine(string.Create(c, $"hard  {hard.LeftId} {hard.Row} {hard.LeftName} ~ {hard.BestMatch}: {hard.Verdict}, {(hard.Linked ? "linked" : "not linked")} by {hard.DecidedBy} at p={hard.MatchProbability:0.0000}: {hard.Reasoning}"));
            }

            return DiagnosticPrinter.Success;
        })));
        return command;
    }

    /// <summary>A share to four places, or <c>n/a</c> and why when nothing was counted under it (never a made-up 1 or 0).</summary>
    /// <summary>
    /// The left id's key in the quarantine's original rows: the column as the input names it, which may differ in case
    /// from the mapping (a header GP_CANDIDACY_ID, mapped as gp_candidacy_id: DuckDB binds either), and a JSON path
    /// does not ignore case. The mapping when no quarantined row holds such a key.
    /// </summary>
    private static string QuarantineIdKey(DuckDbWarehouse warehouse, string? quarantine, string id)
    {
        if (quarantine is null)
        {
            return id;
        }

        try
        {
            return warehouse.Query(
                $"select k from (select unnest(json_keys(original)) as k from {quarantine} where input = 'left') where lower(k) = lower({Sql.Literal(id)}) order by k = {Sql.Literal(id)} desc limit 1",
                r => r.GetString(0)).FirstOrDefault() ?? id;
        }
        catch (DuckDB.NET.Data.DuckDBException)
        {
            return id; // no quarantine table here: the lookup that uses the key says nothing either
        }
    }

    private static string Share(double? value, string whyNone) =>
        value is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : $"n/a: {whyNone}";
}
