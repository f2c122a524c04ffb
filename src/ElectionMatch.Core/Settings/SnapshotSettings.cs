using ElectionMatch.Diagnostics;

namespace ElectionMatch.Settings;

/// <summary>Where snapshots are published and where their dbt files are written (paths relative to the dbt project).</summary>
public sealed record SnapshotSettings(
    string Schema,
    string SourceName,
    string SourcesFile,
    string StagingDirectory,
    string ExportDirectory,
    string ManifestDirectory)
{
    /// <summary>Where electionmatch.yml sets <c>sources_file</c>; null when the default is used.</summary>
    public SourceSpan? SourcesFileAt { get; init; }

    public static SnapshotSettings Defaults { get; } = new(
        "model_predictions",
        "model_predictions",
        "models/staging/__sources.yaml",
        "models/staging/model_predictions_source",
        "target/model_predictions",
        "electionmatch/manifests");
}
