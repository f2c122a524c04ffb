using ElectionMatch.Diagnostics;

namespace ElectionMatch.Settings;

/// <summary>
/// <c>zip_codes:</c> in electionmatch.yml: where the L2 voter file and the states' zip code ranges are, and which
/// L2 → BallotReady match the generated <c>int__zip_code_to_l2_district</c> and <c>int__zip_code_to_br_office</c> read.
/// </summary>
/// <param name="Voters">source()/ref() of the L2 voter file (one row per voter).</param>
/// <param name="ZipColumn">The voter's zip code column (text or number, five digits or ZIP+4; the leading zeros a number lost are put back).</param>
/// <param name="StateColumn">The state postal code of the voter file the row comes from.</param>
/// <param name="DistrictTypes">The voter file's district columns; each column's name is its district type.</param>
/// <param name="StateZipCodeRanges">source()/ref() of <c>(state_postal_code, zip_code_range)</c>, the range a [low, high] list of five-digit zip codes.</param>
/// <param name="Match">The match of kind l2_ballotready whose stable model the office model joins.</param>
/// <param name="ModelDirectory">Where the two models are written, relative to the dbt project.</param>
public sealed record ZipCodeSettings(
    string Voters,
    string ZipColumn,
    string StateColumn,
    IReadOnlyList<string> DistrictTypes,
    string StateZipCodeRanges,
    string Match,
    string ModelDirectory,
    SourceSpan At)
{
    public const string DefaultModelDirectory = "models/intermediate/l2";

    /// <summary>Where <c>state_zip_code_ranges:</c> is written, for what check says about the ranges.</summary>
    public SourceSpan? RangesAt { get; init; }

    /// <summary>Where <c>voters:</c> is written.</summary>
    public SourceSpan? VotersAt { get; init; }

    /// <summary>Where the <c>zip_code:</c> column is written, for EM0023 when the voter file has no such column.</summary>
    public SourceSpan? ZipColumnAt { get; init; }

    /// <summary>Where the <c>state:</c> column is written.</summary>
    public SourceSpan? StateColumnAt { get; init; }

    /// <summary>Where each <c>district_types</c> entry is written, in the order of <see cref="DistrictTypes"/>.</summary>
    public IReadOnlyList<SourceSpan> DistrictTypesAt { get; init; } = [];
}
