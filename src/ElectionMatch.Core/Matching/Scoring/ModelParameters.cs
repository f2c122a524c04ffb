using System.Text.Json;
using System.Text.Json.Serialization;

namespace ElectionMatch.Matching.Scoring;

/// <summary>
/// The trained Fellegi–Sunter model, saved as JSON beside the snapshot: the prior λ that a candidate
/// pair is a match, and m, u and the weight log2(m/u) of every level.
/// </summary>
public sealed class ModelParameters
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required double Lambda { get; init; }

    public double PriorWeight => Math.Log2(Lambda / (1 - Lambda));

    public required IReadOnlyList<ComparisonParameters> Comparisons { get; init; }

    public required TrainingReport Training { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a model <see cref="ToJson"/> wrote; doubles round-trip exactly, so the weights and the SQL that scores with them are the same.</summary>
    public static ModelParameters FromJson(string json) =>
        JsonSerializer.Deserialize<ModelParameters>(json, Json) ?? throw new JsonException("the model is empty");

    public ComparisonParameters For(string comparison) => Comparisons.First(c => c.Name == comparison);

    /// <summary>
    /// Why this model cannot score pairs compared by <paramref name="comparisons"/>, or null when it can. Weights are read
    /// by level index, so a model trained by a build with other comparisons or levels (a level added before the veto,
    /// say) would give a level another level's weight and the last level none.
    /// </summary>
    public string? Misfit(IReadOnlyList<Comparison> comparisons)
    {
        foreach (var comparison in comparisons)
        {
            var levels = Comparisons.FirstOrDefault(c => c.Name == comparison.Name)?.Levels.Select(l => l.Name).ToList();
            if (levels is null)
            {
                return $"it has no {comparison.Name} comparison";
            }

            if (!levels.SequenceEqual(comparison.LevelNames))
            {
                return $"its {comparison.Name} levels are {string.Join(", ", levels)}; this build's are {string.Join(", ", comparison.LevelNames)}";
            }
        }

        var extra = Comparisons.Select(c => c.Name).Except(comparisons.Select(c => c.Name)).ToList();
        return extra.Count > 0 ? $"it has comparisons this build does not ({string.Join(", ", extra)})" : null;
    }
}

/// <summary>m, u and weight per level; index 0 is the null level (weight 0).</summary>
public sealed record ComparisonParameters(string Name, string Description, IReadOnlyList<LevelParameters> Levels, ParameterSource Source, double? TermFrequencyUExact);

/// <param name="Weight">log2(M/U), or the weight a level shares with the level it may not outweigh (<see cref="LevelOrder"/>).</param>
public sealed record LevelParameters(string Name, double? M, double? U, double Weight, long PairsAtLevel);

/// <param name="PairsSampledForU">Random pairs inside partitions used to estimate u.</param>
/// <param name="CandidatePairs">Pairs EM trained on.</param>
/// <param name="InitialLambda">λ from the deterministic rule before EM.</param>
/// <param name="NonMatchRule">Candidate pairs surely not matches, for the u of comparisons estimated on candidates.</param>
public sealed record TrainingReport(long PairsSampledForU, long CandidatePairs, int Patterns, double InitialLambda, int Iterations, bool Converged, string DeterministicRule, string NonMatchRule);
