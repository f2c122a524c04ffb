namespace ElectionMatch.Tests;

/// <summary>
/// The fixture's candidacy run with <see cref="Id"/>'s runoff date made unreadable (<c>2024-13-45</c>) while its primary
/// and general dates stay valid: the runoff date alone is quarantined and the candidacy's other elections are matched.
/// </summary>
public sealed class UnreadableRunoffDateRun() : EditedCandidacyRun(text => Replace(text, Line + ",\n", Line + ",2024-13-45\n"))
{
    public const string Id = "gpc-000133";

    /// <summary>The results row the truth file names for <see cref="Id"/>'s general election.</summary>
    public const string GeneralTruth = "1403738";

    private const string Line = Id + ",9806365351,Gabriel,Hensarling,IL,School Board,Naperville Board of Education - District 5,local,5,Nonpartisan,2024-03-19,2024-11-05";
}
