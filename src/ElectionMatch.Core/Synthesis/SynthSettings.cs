namespace ElectionMatch.Synthesis;

/// <summary>What <c>electionmatch synth</c> generates: how many HubSpot candidacies, from which seed, with which perturbation rates.</summary>
/// <param name="Rows">The number of HubSpot candidacy rows (left rows); results rows follow from the contests they run in.</param>
/// <param name="Seed">0 or more; the same seed gives the same data, byte for byte.</param>
public sealed record SynthSettings(int Rows, int Seed)
{
    public PerturbationRates Rates { get; init; } = new();

    /// <summary>The first and last election years; even years hold federal, state and most local races, odd years municipal ones.</summary>
    public int FirstYear { get; init; } = 2018;

    public int LastYear { get; init; } = 2025;

    /// <summary>Share of candidates who are men (about the share among U.S. local candidates).</summary>
    public double MaleShare { get; init; } = 0.65;

    /// <summary>The dbt project and profile name; the warehouse is target/&lt;name&gt;.duckdb.</summary>
    public string ProjectName { get; init; } = "synth";

    /// <summary>
    /// Whether dbt accepts <paramref name="name"/> as a project name (letters, digits and underscores, not starting with a
    /// digit); it is written unquoted into dbt_project.yml and profiles.yml and names the warehouse file.
    /// </summary>
    public static bool IsProjectName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
