namespace ElectionMatch.Diagnostics;

/// <summary>Every EM code in one place; docs/errors.md describes each one.</summary>
public static class Codes
{
    // Reading files
    public const string YamlSyntax = "EM0001";
    public const string YamlShape = "EM0002";
    public const string UnknownKey = "EM0003";
    public const string MissingKey = "EM0004";
    public const string FileMissing = "EM0005";

    // The dbt project
    public const string ProjectMissing = "EM0010";
    public const string ProfilesMissing = "EM0011";
    public const string ProfileOrTargetMissing = "EM0012";
    public const string EnvVarUnset = "EM0013";
    public const string UnsupportedAdapter = "EM0014";
    public const string DbtVersionUnreadable = "EM0015";
    public const string VarUndefined = "EM0016";
    public const string SourceJinjaUnsupported = "EM0017";
    public const string SourceNotFound = "EM0020";
    public const string RefNotFound = "EM0021";
    public const string ExternalFileMissing = "EM0022";
    public const string ColumnNotFound = "EM0023";
    public const string InputUnreadable = "EM0024";
    public const string ColumnRepeated = "EM0025";
    public const string DateOrderAmbiguous = "EM0026";
    public const string PassThroughColumnReadAsText = "EM0027";
    public const string ColumnTypeNotReadable = "EM0028";
    public const string DeclaredTypeInvalid = "EM0029";

    // electionmatch.yml
    public const string SettingsMissing = "EM0030";
    public const string MatchNotDefined = "EM0031";
    public const string InvalidSetting = "EM0032";

    // Runs and snapshots
    public const string SnapshotExists = "EM0040";
    public const string InvalidSnapshotDate = "EM0041";
    public const string WarehouseFailure = "EM0042";
    public const string RowsUnaccounted = "EM0043";
    public const string InvalidOption = "EM0044";
    public const string UsageError = "EM0045";

    // Synthetic data (electionmatch synth)
    public const string SynthOutputNotEmpty = "EM0050";
    public const string InvalidSynthOption = "EM0051";
    public const string SynthProjectInUse = "EM0052";

    // The pre-merge check
    public const string StagingModelMissing = "EM0100";
    public const string SnapshotTableMissing = "EM0101";
    public const string GeneratedFileEdited = "EM0102";
    public const string StagingSqlFailed = "EM0103";
    public const string StagingColumnsDiffer = "EM0104";
    public const string ReferenceToMissingSnapshot = "EM0105";
    public const string ReferenceToSupersededSnapshot = "EM0106";
    public const string GeneratedFileStale = "EM0107";
    public const string SourceEntryMissing = "EM0108";
    public const string GeneratedYamlOlderThanDbt = "EM0109";
    public const string RunNotFound = "EM0110";
    public const string ExplainIdNotFound = "EM0111";
    public const string ExplainPartitionUnreadable = "EM0112";
    public const string MatchNotConfigured = "EM0113";
    public const string GeneratedFileMisplaced = "EM0114";
    public const string SnapshotSchemaMismatch = "EM0115";
    public const string ExplainThresholdsNotRecorded = "EM0116";

    // evaluate
    public const string TruthDoesNotFitSnapshot = "EM0120";
    public const string TruthIdNotInInput = "EM0121";

    // L2 → BallotReady, zip codes and the stable latest models
    public const string ReferenceToDatedStagingModel = "EM0300";
    public const string GeneratedModelFailed = "EM0301";
    public const string ExplainKindUnsupported = "EM0302";
    public const string ZipCodeRangesEmpty = "EM0303";
    public const string ReferenceLeftPinned = "EM0304";
    public const string LinkedDistrictTypeNotListed = "EM0305";
    public const string LinkedDistrictTypeWithoutColumn = "EM0306";

    // Model providers: the LLM judge, provider embeddings, their cache and replay
    public const string SecretInSettings = "EM0400";
    public const string ProviderNotConfigured = "EM0401";
    public const string ReplayCacheMiss = "EM0402";
    public const string ProviderFailed = "EM0403";
    public const string EmbeddingRequestsRefusedForSize = "EM0404";
    public const string NoBillableCharacters = "EM0405";

    // Bad input (issue 9): inputs, hostile files, read-only projects, the quarantine share
    public const string InputEmpty = "EM0500";
    public const string QuarantineShareHigh = "EM0501";
    public const string ExternalLocationNotOneCall = "EM0502";
    public const string ProjectNotWritable = "EM0503";
    public const string UnexpectedFailure = "EM0504";
    public const string YamlAliasExpansion = "EM0505";
    public const string DiskFull = "EM0506";
    public const string MemoryLimitExceeded = "EM0507";
    public const string UnterminatedQuote = "EM0508";

    // bench and incremental runs
    public const string InvalidBenchOption = "EM0720";
    public const string BenchRunFailed = "EM0721";
    public const string BenchResultUnreadable = "EM0722";
    public const string BenchPageMarkersMissing = "EM0723";
    public const string IncrementalKindUnsupported = "EM0725";
    public const string IncrementalCacheUnreadable = "EM0726";
    public const string InputHashVersionUnknown = "EM0740";
    public const string InputChangedDuringRun = "EM0741";
    public const string ContentHashVersionUnknown = "EM0770";

    // dotnet build in the dbt repository (the MSBuild tasks)
    public const string BuildMatchMissing = "EM0200";
    public const string BuildTaskFailed = "EM0201";
    public const string BuildNativeLibraryMissing = "EM0202";
    public const string BuildPropertyInvalid = "EM0203";
    public const string BuildPathHoldsWildcard = "EM0204";
    public const string BuildCancelled = "EM0205";

    // Crash safety and verifiable snapshots (issue 9, items 4 and 5)
    public const string WarehouseLocked = "EM0600";
    public const string SnapshotRowEdited = "EM0601";
    public const string SnapshotRowDeleted = "EM0602";
    public const string SnapshotRowAdded = "EM0603";
    public const string SnapshotDropped = "EM0604";
    public const string ManifestEdited = "EM0605";
    public const string ManifestChainBroken = "EM0606";
    public const string ManifestMissing = "EM0607";
    public const string RunInterrupted = "EM0608";
    public const string SnapshotInputsChanged = "EM0609";
    public const string ModelFileChanged = "EM0610";
    public const string SnapshotDiffersFromManifest = "EM0611";
    public const string QuarantineDiffersFromManifest = "EM0612";
    public const string SnapshotPartlyPruned = "EM0613";
    public const string PruneRefused = "EM0614";
    public const string ReplacedFromOtherInputs = "EM0615";
    public const string RestoreRefused = "EM0616";
    public const string ParquetCopyNotAsPublished = "EM0617";
    public const string SnapshotColumnsAltered = "EM0618";
    public const string SnapshotColumnTypeChanged = "EM0619";
    public const string ReplacedUnmergedSnapshot = "EM0620";
    public const string ManifestChainForked = "EM0621";
}
