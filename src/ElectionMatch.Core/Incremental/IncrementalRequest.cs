namespace ElectionMatch.Incremental;

/// <param name="SettingsSha256">The hash of what in the settings decides the match's rows (<see cref="Settings.MatchSettings.ResultsSha256"/>): part of every partition's cache key, and the stored model is for these settings only.</param>
/// <param name="Full">Recompute every partition (with the stored model), refreshing the cache.</param>
/// <param name="Options">Threads and the model providers every partition's matcher uses.</param>
/// <param name="Retrain">Train a new model on the whole input first; every partition's key changes with it.</param>
internal sealed record IncrementalRequest(string SettingsSha256, bool Full, bool Retrain, Matches.MatchRunOptions Options)
{
    /// <summary>
    /// The model an earlier plain run trained under the same settings and tool version (its <c>.model.json</c>
    /// beside the manifest), that snapshot's name and the reference files, comparison definitions and build its manifest
    /// records (each null in a manifest made before it was recorded): the first incremental run adopts it instead of
    /// training, when they are this build's.
    /// </summary>
    public (string Json, string Snapshot, ModelProvenance Provenance)? EarlierModel { get; init; }

    /// <summary><c>--retrain</c> as the host takes it (<see cref="Operations.ProjectContext.RunOption"/>), for a message that advises it.</summary>
    public string RetrainOption { get; init; } = "--retrain";

    /// <summary>Why the newest snapshot's model file was not adopted (it does not match its manifest); said where the run trains instead.</summary>
    public string? EarlierModelRefused { get; init; }

    /// <summary>
    /// The code that computes a partition (<see cref="ToolInfo.Fingerprint"/>): part of every partition's cache key, so a
    /// partition cached by another build is recomputed, not published beside rows this build computed.
    /// </summary>
    public string Tool { get; init; } = ToolInfo.Fingerprint;

    /// <summary>
    /// The fingerprints of the comparisons this build scores with (<see cref="Matching.Scoring.ComparisonDefinitions"/>),
    /// stored with a model it trains; a model stored or published with others is not reused. Null: this build's, from
    /// the match's definition; a test gives another build's, as <see cref="Tool"/> does.
    /// </summary>
    public IReadOnlyList<Snapshots.ManifestComparison>? ComparisonLevels { get; init; }

    /// <summary>
    /// Whether the state partitions to recompute are matched together in one run (<see cref="Matches.CandidacyDdhq.PartitionBatch"/>),
    /// as every run does; false matches each in a run of its own, as before, for a test to compare the two.
    /// </summary>
    internal bool Batched { get; init; } = true;

    /// <summary>
    /// At most this many input rows in one batch, candidacies and results rows (<see cref="StatePartition.InputRows"/>: a
    /// results row with no usable state once for each partition, which reads its own copy); a partition with more is
    /// matched alone. A partition's own run costs about 0.7 CPU-s whatever its size, the work of some 6,000 candidacies at
    /// a million: batches of small partitions save that, while a batch of every state at a million candidacies would hold
    /// a plain run's stage tables and memory at once, and each partition's share of it would be read through views over
    /// all of them. 165,000 is about 20,000 candidacies with their results rows at the synthetic sets' 7.2 a candidacy.
    /// </summary>
    internal long BatchInputRows { get; init; } = 165_000;
}
