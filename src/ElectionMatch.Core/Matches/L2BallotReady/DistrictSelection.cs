using System.Text.Json;
using System.Text.Json.Serialization;
using ElectionMatch.Matching.Judging;

namespace ElectionMatch.Matches.L2BallotReady;

/// <summary>
/// Spec 000's JSON contract for choosing a district among a position's candidates:
/// <c>{"selected_candidate_number": 1-13 or 0, "selection_confidence": 0-100, "reasoning": "…", "close_alternatives": ["…"]}</c>.
/// The rule judge answers in it, and an LLM's answer is read with <see cref="Parse"/>.
/// </summary>
internal sealed record DistrictSelection(
    [property: JsonPropertyName("selected_candidate_number")] int SelectedCandidateNumber,
    [property: JsonPropertyName("selection_confidence")] int SelectionConfidence,
    [property: JsonPropertyName("reasoning")] string Reasoning,
    [property: JsonPropertyName("close_alternatives")] IReadOnlyList<string> CloseAlternatives)
{
    /// <summary>Spec 000: the top 10 by similarity, 1 generic state-level result and 2 buffer.</summary>
    public const int MaxCandidates = 13;

    private static readonly JsonSerializerOptions Options = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads an answer, refusing a number outside 0..<paramref name="candidates"/> or a confidence outside 0–100.</summary>
    public static DistrictSelection Parse(string json, int candidates)
    {
        var selection = JsonSerializer.Deserialize<DistrictSelection>(json, Options)
            ?? throw new FormatException("the selection is null");
        if (selection.SelectedCandidateNumber < 0 || selection.SelectedCandidateNumber > Math.Min(candidates, MaxCandidates))
        {
            throw new FormatException($"selected_candidate_number {selection.SelectedCandidateNumber} is not 0 or a candidate 1-{Math.Min(candidates, MaxCandidates)}");
        }

        if (selection.SelectionConfidence is < 0 or > 100)
        {
            throw new FormatException($"selection_confidence {selection.SelectionConfidence} is not 0-100");
        }

        return selection with { Reasoning = selection.Reasoning ?? "", CloseAlternatives = selection.CloseAlternatives ?? [] };
    }

    public JudgeAnswer ToAnswer(string rowKey) =>
        new(rowKey, SelectedCandidateNumber, SelectionConfidence, Reasoning) { CloseAlternatives = CloseAlternatives };
}
