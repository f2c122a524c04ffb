namespace ElectionMatch.Tests;

/// <summary>A published run in which gpc-000153's name is punctuation only, so it is quarantined.</summary>
public sealed class QuarantinedCandidacyRun() : EditedCandidacyRun(text =>
    Replace(text, $"{QuarantinedId},672709366,William,Harris,", $"{QuarantinedId},672709366,...,--,"))
{
    public const string QuarantinedId = "gpc-000153";
}
