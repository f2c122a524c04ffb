using System.Security.Cryptography;
using System.Text;
using ElectionMatch.Synthesis;

namespace ElectionMatch.Tests.Synthesis;

/// <summary>Everything one generator run produced, collected in memory for the assertions of a test.</summary>
internal sealed class GeneratedData
{
    private GeneratedData(IReadOnlyList<SynthContest> contests)
    {
        Contests = contests;
        Candidacies = contests.SelectMany(c => c.Candidacies).ToList();
        Results = contests.SelectMany(c => c.Results).ToList();
        Truth = contests.SelectMany(c => c.Truth).ToList();
        CandidacyById = Candidacies.ToDictionary(c => c.GpCandidacyId, StringComparer.Ordinal);
        ResultById = Results.ToDictionary(r => r.CandidateId);
    }

    public IReadOnlyList<SynthContest> Contests { get; }

    public IReadOnlyList<CandidacyRow> Candidacies { get; }

    public IReadOnlyList<ResultRow> Results { get; }

    public IReadOnlyList<TruthPair> Truth { get; }

    public IReadOnlyDictionary<string, CandidacyRow> CandidacyById { get; }

    public IReadOnlyDictionary<long, ResultRow> ResultById { get; }

    public static GeneratedData Of(int rows, int seed = 7, PerturbationRates? rates = null) =>
        new(new SyntheticDataGenerator(new SynthSettings(rows, seed) { Rates = rates ?? new PerturbationRates() }).Contests().ToList());

    /// <summary>Each truth pair with its HubSpot row and its DDHQ row.</summary>
    public IEnumerable<(TruthPair Pair, CandidacyRow Left, ResultRow Right)> Pairs() =>
        Truth.Select(t => (t, CandidacyById[t.GpCandidacyId], ResultById[t.DdhqCandidateId]));

    /// <summary>Every row as text, to compare two runs.</summary>
    public string Digest()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var row in Candidacies)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(row.ToString()));
        }

        foreach (var row in Results)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(row.ToString()));
        }

        foreach (var row in Truth)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(row.ToString()));
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
