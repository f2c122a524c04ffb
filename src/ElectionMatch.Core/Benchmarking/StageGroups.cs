namespace ElectionMatch.Benchmarking;

/// <summary>The candidacy matcher's stages in a few groups a reader can compare across sizes; runoff-pass stages count with their main-pass namesakes.</summary>
internal static class StageGroups
{
    public const string Outside = "process start and exit";

    private static readonly (string Group, string[] Stages)[] Groups =
    [
        ("read and clean", ["startup", "reference", "left_input", "right_input", "quarantine", "left_clean", "right_clean", "right_keyed", "left_surname_words", "left_surnames"]),
        ("expand, filter, partition", ["left_expanded", "left_filtered", "partitions", "partition_sizes", "left_keyed", "right_members"]),
        ("embed and top-k", ["retrieval_blocks", "retrieval", "pair_cosines"]),
        ("block and compare", ["sounds_alike", "candidate_pairs", "comparisons", "u_pairs", "u_sample"]),
        ("train, score, link", ["training", "scored_pairs", "links"]),
        ("judge", ["judge_rows", "judge_evidence", "judge"]),
        ("runoffs and output", ["runoffs_discovered", "output", "row_accounts"]),
        ("hash inputs, publish, files", ["input_hashes", "stages_checkpoint", "row_hashes", "publish_copy", "content_hash", "publish_log", "publish_checkpoint", "parquet", "manifest", "staging_files", "log_complete"]),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Groups.Select(g => g.Group), "other stages", Outside];

    public static string Of(string stage)
    {
        var name = stage.StartsWith("runoff_", StringComparison.Ordinal) ? stage["runoff_".Length..] : stage;
        return Groups.FirstOrDefault(g => g.Stages.Contains(name, StringComparer.Ordinal)).Group ?? "other stages";
    }

    /// <summary>
    /// Seconds per group for one run, the time outside every stage included, in <see cref="Names"/> order; with the
    /// CPU seconds per group when the run recorded them (outside the stages: the child's CPU time less the stages').
    /// </summary>
    public static IReadOnlyList<(string Group, double Seconds, double? CpuSeconds)> Split(BenchRun run)
    {
        var seconds = Names.ToDictionary(n => n, _ => 0.0, StringComparer.Ordinal);
        var cpu = Names.ToDictionary(n => n, _ => 0.0, StringComparer.Ordinal);
        foreach (var stage in run.Stages)
        {
            seconds[Of(stage.Stage)] += stage.Seconds;
            cpu[Of(stage.Stage)] += stage.CpuSeconds ?? 0;
        }

        var timed = run.Stages.Count > 0 && run.Stages.All(s => s.CpuSeconds is not null);
        seconds[Outside] = Math.Max(0, run.WallSeconds - run.Stages.Sum(s => s.Seconds));
        cpu[Outside] = Math.Max(0, (run.CpuSeconds ?? 0) - run.Stages.Sum(s => s.CpuSeconds ?? 0));
        return Names.Select(n => (n, seconds[n], timed && (n != Outside || run.CpuSeconds is not null) ? cpu[n] : (double?)null)).ToList();
    }
}
