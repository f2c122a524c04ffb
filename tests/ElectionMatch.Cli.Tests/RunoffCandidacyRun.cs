namespace ElectionMatch.Tests;

/// <summary>
/// A published run with the runoff cases `explain` must tell: gpc-002164's runoff date moved two days off the results
/// (the runoff date fallback finds them), and Bonnie Waters, a primary loser of Dolores Villarreal's race, whose
/// primary link leads the run to a runoff she is not in (discovered, not linked).
/// </summary>
public sealed class RunoffCandidacyRun() : EditedCandidacyRun(text =>
    Replace(text, Mabry, Mabry.Replace("2024-06-18", "2024-06-20", StringComparison.Ordinal))
    + $"{DiscoveredId},580181897,Bonnie,Waters,TX,State House,Texas House of Representatives - District 54,state,54,Republican,2024-03-05,,\n")
{
    public const string FallbackId = "gpc-002164";
    public const string DiscoveredId = "gpc-009004";
    private const string Mabry = "gpc-002164,462918317,Terrence,Mabry,GA,County Commission,Chatham County Commission - District 4,county,4,Democratic,2024-05-21,2024-11-05,2024-06-18";
}
