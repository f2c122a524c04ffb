using System.Globalization;

namespace ElectionMatch.Synthesis;

/// <summary>
/// Surnames as they occur among U.S. candidates: the 1,022 most frequent census surnames by their
/// counts (surnames.csv, about 41% of people), real candidates' rarer surnames (candidate_surnames.csv),
/// and an endless tail of invented ones; plus the hispanic, accented and compound surnames that some
/// perturbations need.
/// </summary>
internal sealed class Surnames
{
    // The census list holds 41% of people; real candidates' names and invented ones share the rest.
    private const double CensusShare = 0.45;
    private const double CandidateShare = 0.10;

    private static readonly string[] Particles =
    [
        "Van Der Berg", "De La Cruz", "De Los Santos", "Del Rio", "Van Dyke", "De Jesus", "La Rosa", "Van Horn",
        "De Leon", "Van Buren", "Del Toro", "De La Garza", "Van Zandt", "Le Blanc", "De Santis", "Da Silva",
    ];

    private static readonly HashSet<string> IrishO = new(StringComparer.Ordinal) { "OBRIEN", "OCONNOR", "ONEILL", "ONEAL", "ODONNELL", "OCONNELL" };

    private readonly WeightedTable<string> _census;
    private readonly WeightedTable<string> _candidates;
    private readonly WeightedTable<string> _hispanic;
    private readonly WeightedTable<string> _accented;
    private readonly SurnameInventor _inventor;

    public Surnames()
    {
        var census = new List<(string Name, double Count, double Hispanic)>();
        foreach (var row in ReferenceFile.Rows("surnames.csv"))
        {
            census.Add((ProperCase(row[0]), double.Parse(row[1], CultureInfo.InvariantCulture), double.Parse(row[2], CultureInfo.InvariantCulture)));
        }

        var candidates = ReferenceFile.Rows("candidate_surnames.csv")
            .Select(r => (Name: r[0], Count: double.Parse(r[1], CultureInfo.InvariantCulture)))
            .ToList();

        _census = new WeightedTable<string>(census.Select(c => (c.Name, c.Count)).ToList());
        _candidates = new WeightedTable<string>(candidates.Select(c => (c.Name, c.Count)).ToList());
        _hispanic = new WeightedTable<string>(census.Where(c => c.Hispanic >= 50).Select(c => (c.Name, c.Count)).ToList());
        var byPlain = census.ToDictionary(c => c.Name.ToUpperInvariant(), c => c.Count, StringComparer.Ordinal);
        _accented = new WeightedTable<string>(AccentedNames.Surnames
            .Select(n => (n, byPlain.GetValueOrDefault(AccentedNames.Strip(n).ToUpperInvariant(), 20_000))).ToList());
        _inventor = new SurnameInventor(census.Select(c => c.Name).Concat(candidates.Select(c => c.Name)));
    }

    public string Sample(Random random)
    {
        var source = random.NextDouble();
        return source < CensusShare ? _census.Sample(random)
            : source < CensusShare + CandidateShare ? _candidates.Sample(random)
            : _inventor.Invent(random);
    }

    public string SampleAccented(Random random) => _accented.Sample(random);

    /// <summary>A surname of two parts: two hispanic surnames, a hyphenated pair, or a particle name (De La Cruz).</summary>
    public string SampleCompound(Random random)
    {
        var kind = random.NextDouble();
        if (kind < 0.45)
        {
            return Pair(random, _hispanic, ' ');
        }

        return kind < 0.8 ? Pair(random, _census, '-') : Particles[random.Next(Particles.Length)];
    }

    public static bool IsCompound(string surname) => surname.Contains(' ', StringComparison.Ordinal) || surname.Contains('-', StringComparison.Ordinal);

    private static string Pair(Random random, WeightedTable<string> table, char separator)
    {
        var first = table.Sample(random);
        var second = table.Sample(random);
        for (var attempt = 0; attempt < 4 && second == first; attempt++)
        {
            second = table.Sample(random);
        }

        return first + separator + second;
    }

    /// <summary>Census spelling (SMITH, MCDONALD, OBRIEN) in the case people write it (Smith, McDonald, O'Brien).</summary>
    public static string ProperCase(string upper)
    {
        if (IrishO.Contains(upper))
        {
            return "O'" + upper[1] + upper[2..].ToLowerInvariant();
        }

        if (upper.Length > 3 && upper.StartsWith("MC", StringComparison.Ordinal))
        {
            return "Mc" + upper[2] + upper[3..].ToLowerInvariant();
        }

        if (upper == "MACDONALD")
        {
            return "MacDonald";
        }

        return upper[0] + upper[1..].ToLowerInvariant();
    }
}
