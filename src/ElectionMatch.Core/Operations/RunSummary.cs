using System.Globalization;
using ElectionMatch.Dbt;

namespace ElectionMatch.Operations;

/// <summary>
/// The lines a finished run is summed up in: what it published and quarantined, where every input row went, the
/// matcher's own report, each model's requests and estimated cost, the judge's share, and where the parquet copy and
/// the manifest are. <c>electionmatch run</c> prints them after its stages, and the <c>ElectionMatchRun</c> target logs
/// the same lines, so a build log says what a terminal does. Every line is masked (<see cref="Diagnostics.Secrets"/>).
/// </summary>
public static class RunSummary
{
    public static IReadOnlyList<string> Lines(RunResult run)
    {
        var counts = run.Manifest.Counts;
        var lines = new List<string>
        {
            $"published {run.QualifiedTable} ({run.Manifest.Rows} rows, {counts["matched"]} matched)",
            $"quarantined: {counts["left_rows_quarantined"]} left, {counts["right_rows_quarantined"]} right rows ({run.Manifest.QuarantineTable}){UsedWithValuesQuarantined(counts)}",
        };
        foreach (var account in run.Manifest.RowAccounting)
        {
            lines.Add($"rows: {account.Input} {account.Unit}: {account.Read} read = {string.Join(" + ", account.Outcomes.Select(o => $"{o.Rows} {o.Outcome} ({o.Reason})"))}");
        }

        lines.AddRange(run.Summary);
        // The judge's rows are counted in the published rows, as evaluate counts them in the snapshot; the rows it
        // judged that are not published (discovered runoffs left unlinked) are said apart.
        var judgedUnpublished = Unpublished(counts, "judge_rows", "decided_by_judge");
        lines.AddRange(run.Manifest.Models.Select(model => ModelLine(model, counts)));

        // Which retriever found the candidates, when a provider's top k was united with the offline embedder's.
        foreach (var (prefix, pass) in new[] { ("", ""), ("runoff_", " (runoff pass)") })
        {
            if (counts.TryGetValue(prefix + "retrieval_pairs_offline_only", out var offlineOnly))
            {
                lines.Add($"retrieval union{pass}: {counts[prefix + "retrieval_pairs_provider_only"]} pairs found by the provider only, {offlineOnly} by the offline embedder only, {counts[prefix + "retrieval_pairs_both"]} by both");
            }
        }

        if (run.Manifest.JudgeShare > 0)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"judge share: {run.Manifest.JudgeShare:P1} of rows went to the judge{NotPublished(judgedUnpublished, "judged")}"));
        }

        lines.Add($"parquet:  {DisplayPath.For(run.ParquetPath)}");
        lines.Add($"manifest: {DisplayPath.For(run.ManifestPath)}");
        // Masked here, once, for both: a matcher report or a path may quote a value that is a secret.
        return [.. lines.Select(Diagnostics.Secrets.Redact)];
    }

    /// <summary>
    /// Each provider step's line, for a run that failed or was stopped: what it asked and paid for before then (the
    /// answers it received are cached, so running again does not pay for them twice).
    /// </summary>
    public static IReadOnlyList<string> ModelLines(IReadOnlyList<Snapshots.ManifestModelUsage> models) => models.Count == 0 ? [] :
        [
            "before it stopped, the run asked its providers (every answer received is cached: running again does not pay for it twice):",
            .. models.Select(model => Diagnostics.Secrets.Redact(ModelLine(model, new Dictionary<string, long>()))),
        ];

    private static string ModelLine(Snapshots.ManifestModelUsage model, IReadOnlyDictionary<string, long> counts) => string.Create(CultureInfo.InvariantCulture,
        $"{model.Step}: {model.Provider}/{model.Model}: {model.Requests} requests ({model.HttpAttempts} HTTP attempts), {model.CacheHits} from cache, {model.InputTokens:N0} tokens in{InputDetail(model)}, {model.OutputTokens:N0} out, {(model.EstimatedCost is { } cost ? $"estimated cost {cost:0.####}" : "cost not estimated (no price_per_million_* set)")}{(model.Step == "judge" ? $", {model.InvalidReplies} invalid replies, {model.FailedFollowUps} follow-ups unanswered, {UndecidedRows(counts, model.UndecidedRows)}" : "")}");

    // The cached tokens and billable characters, only when the provider reported some: most steps have neither.
    private static string InputDetail(Snapshots.ManifestModelUsage model)
    {
        var parts = new List<string>();
        if (model.CachedInputTokens > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{model.CachedInputTokens:N0} cached"));
        }

        if (model.InputCharacters > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{model.InputCharacters:N0} billable characters"));
        }

        return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
    }

    // The rows of a count kept per pass (its key, or p + key) that the published count leaves out; 0 when either is missing.
    private static long Unpublished(IReadOnlyDictionary<string, long> counts, string perPass, string published) =>
        counts.TryGetValue(published, out var shown)
            ? Math.Max(0, counts.Where(c => c.Key.EndsWith(perPass, StringComparison.Ordinal)).Sum(c => c.Value) - shown)
            : 0;

    // Undecided rows as published, as evaluate's judge_undecided counts them; a manifest without the count (made before
    // 2026-12) gives the model's own tally.
    private static string UndecidedRows(IReadOnlyDictionary<string, long> counts, long metered) =>
        counts.TryGetValue(Matching.DecisionCounts.UndecidedPublished, out var published)
            ? $"{published} rows undecided{NotPublished(Unpublished(counts, "judge_rows_undecided", Matching.DecisionCounts.UndecidedPublished), "undecided")}"
            : $"{metered} rows undecided";

    private static string NotPublished(long rows, string what) =>
        rows == 0 ? "" : $" (+{rows} runoff {(rows == 1 ? "row" : "rows")} {what}, not published)";

    // The used rows with a value quarantined alone (a candidacy's unreadable election date), which the line's counts leave out.
    private static string UsedWithValuesQuarantined(IReadOnlyDictionary<string, long> counts)
    {
        var parts = new[] { "left", "right" }
            .Where(side => counts.GetValueOrDefault(side + Matching.InputRowAccount.UsedWithValuesQuarantined) > 0)
            .Select(side => counts[side + Matching.InputRowAccount.UsedWithValuesQuarantined] is var n && n == 1
                ? $"1 used {side} row had a value quarantined alone (an election date that cannot be read: its other elections were matched)"
                : $"{n} used {side} rows had a value quarantined alone (an election date that cannot be read: their other elections were matched)")
            .ToList();
        return parts.Count == 0 ? "" : "; " + string.Join(", ", parts);
    }
}
