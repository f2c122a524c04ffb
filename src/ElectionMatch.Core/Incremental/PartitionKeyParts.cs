namespace ElectionMatch.Incremental;

/// <summary>
/// What every partition's cache key holds besides the partition's own input rows: the scoring model, the settings, the
/// code that computed it and an LLM judge's prompt template. Stored with each cached partition (with the inputs' column
/// names and types, which its input hash holds), so a run that recomputes every partition can say which of them changed.
/// </summary>
/// <param name="ModelSha256">The scoring model's hash.</param>
/// <param name="SettingsSha256">What in the settings decides the match's rows (<see cref="IncrementalRequest.SettingsSha256"/>).</param>
/// <param name="Tool">The build that computes a partition (<see cref="IncrementalRequest.Tool"/>).</param>
/// <param name="PromptTemplate">An LLM judge's prompt template, its name and hash; null without an LLM judge.</param>
/// <param name="ColumnsSha256">The hash of the inputs' column names and types (<see cref="StatePartitions.Columns(Warehouse.DuckDbWarehouse, Matching.MatchInputs)"/>), in every partition's input hash; null in an entry an older build stored.</param>
/// <param name="SurnamesSha256">The hash of the results' surname frequencies the model is used with (<see cref="PartitionCache.FindSurnameFrequencies"/>); null in an entry an older build stored.</param>
internal sealed record PartitionKeyParts(string ModelSha256, string SettingsSha256, string Tool, string? PromptTemplate, string? ColumnsSha256, string? SurnamesSha256 = null)
{
    /// <summary>A partition's cache key: SHA-256 of the match, its state and input hash, and these parts.</summary>
    public string KeyOf(string match, StatePartition partition) =>
        StatePartitions.Sha256($"{match}|{partition.State}|{partition.InputSha256}|{ModelSha256}|{SettingsSha256}|{Tool}{(PromptTemplate is null ? "" : "|" + PromptTemplate)}{(SurnamesSha256 is null ? "" : "|surnames " + SurnamesSha256)}");

    /// <summary>
    /// Which of these parts differ from those a partition was cached under, as the run's summary names them. A part an
    /// older build did not store (null) is not said to have changed: that build's <see cref="Tool"/> differs anyway.
    /// </summary>
    public IEnumerable<string> ChangesSince(PartitionKeyParts cached, bool retrained)
    {
        if (cached.Tool != Tool)
        {
            yield return "the tool changed (the cached partitions were computed by another build)";
        }

        if (cached.SettingsSha256 != SettingsSha256)
        {
            yield return "the match's settings changed";
        }

        if (cached.ModelSha256 != ModelSha256)
        {
            yield return retrained ? "--retrain trained a new scoring model" : "the scoring model changed";
        }

        if (cached.PromptTemplate is not null && cached.PromptTemplate != (PromptTemplate ?? ""))
        {
            yield return "the judge's prompt template changed";
        }

        if (cached.ColumnsSha256 is not null && cached.ColumnsSha256 != ColumnsSha256)
        {
            yield return "the inputs' columns changed (names or types)";
        }

        if (cached.SurnamesSha256 is not null && cached.SurnamesSha256 != SurnamesSha256 && cached.ModelSha256 == ModelSha256)
        {
            yield return "the results' surname frequencies the model is used with were counted again";
        }
    }
}
