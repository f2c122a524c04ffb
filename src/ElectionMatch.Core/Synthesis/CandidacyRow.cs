namespace ElectionMatch.Synthesis;

/// <summary>One HubSpot candidacy row, in the columns of goodparty's <c>hubspot_api_candidacy</c>, and the perturbations applied to it.</summary>
internal sealed record CandidacyRow(
    string GpCandidacyId,
    long HubspotContactId,
    string FirstName,
    string LastName,
    string? State,
    string CandidateOffice,
    string OfficialOfficeName,
    string OfficeLevel,
    string? District,
    string PartyAffiliation,
    DateOnly? PrimaryElectionDate,
    DateOnly? GeneralElectionDate,
    DateOnly? RunoffElectionDate,
    Perturbation Perturbations)
{
    /// <summary>The stages HubSpot gives a date for, in the truth file's order (general, primary, runoff).</summary>
    public IEnumerable<(string ElectionType, DateOnly Date)> Stages()
    {
        if (GeneralElectionDate is { } general)
        {
            yield return ("general", general);
        }

        if (PrimaryElectionDate is { } primary)
        {
            yield return ("primary", primary);
        }

        if (RunoffElectionDate is { } runoff)
        {
            yield return ("runoff", runoff);
        }
    }
}
