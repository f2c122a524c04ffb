using System.Text.Json;
using ElectionMatch.Diagnostics;

namespace ElectionMatch.Matching.Judging;

/// <summary>
/// Checks a judge's reply against the JSON contract, row by row: the reply parses, every row of the request is
/// answered exactly once, <c>selected_candidate_number</c> is 0 or a candidate's number, <c>selection_confidence</c>
/// is 0–100 and <c>selected_name</c> is that candidate's name. A row that breaks any rule gets the reason instead of an
/// answer; nothing is guessed or repaired. A close alternative that is not a candidate's name is dropped from the
/// answer: it is the model's commentary, and it made a valid pick undecided before.
/// </summary>
internal static class JudgeReplyValidator
{
    /// <param name="noTextReason">Why the provider sent no text, when it said (a Vertex AI prompt blocked, a candidate without text).</param>
    /// <param name="cutShort">Why the model stopped before its reply was done, when it said (the output limit, a content filter).</param>
    public static IReadOnlyDictionary<string, RowVerdict> Validate(string reply, JudgeRequest request, string? noTextReason = null, string? cutShort = null)
    {
        var verdicts = new Dictionary<string, RowVerdict>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(reply))
        {
            // No text at all (a null content, a Vertex AI reply blocked or without candidates): say so, not a JSON parser's words.
            return AllRows(request, (noTextReason ?? cutShort) is { } why ? $"the reply is empty ({why})" : "the reply is empty");
        }

        // A reply the model did not finish is incomplete JSON: the error says why it stopped.
        var cut = cutShort is null ? "" : $": {cutShort}";

        JsonElement answers;
        try
        {
            using var document = JsonDocument.Parse(StripFence(reply));
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("answers", out var found) || found.ValueKind != JsonValueKind.Array)
            {
                return AllRows(request, "the reply is not an object with an \"answers\" array" + cut);
            }

            answers = found.Clone();
        }
        catch (JsonException e)
        {
            return AllRows(request, $"the reply is not valid JSON ({Providers.ProviderFailure.StopsAt(e)}){cut}");
        }

        var rows = request.Rows.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var names = request.Candidates.Select(c => Normalize(c.Name)).ToHashSet(StringComparer.Ordinal);
        var extra = new List<string>();
        foreach (var answer in answers.EnumerateArray())
        {
            var rowId = answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("row_id", out var id) ? Decoded(id) : null;
            if (rowId is null || !rows.Contains(rowId))
            {
                // Quoted in every missing row's reason: a few, each short.
                if (extra.Count < MaxExtraQuoted)
                {
                    extra.Add(rowId is null ? "(no row_id)" : Quoted(rowId));
                }

                continue;
            }

            if (verdicts.ContainsKey(rowId))
            {
                verdicts[rowId] = RowVerdict.Invalid($"row_id {rowId} is answered more than once");
                continue;
            }

            verdicts[rowId] = ValidateAnswer(rowId, answer, request, names);
        }

        foreach (var row in rows.Where(r => !verdicts.ContainsKey(r)))
        {
            verdicts[row] = RowVerdict.Invalid($"row_id {row} is not answered" + (extra.Count > 0 ? $" (the reply answers row_id {string.Join(", ", extra)}, which are not rows of this request)" : ""));
        }

        return verdicts;
    }

    private static RowVerdict ValidateAnswer(string rowId, JsonElement answer, JudgeRequest request, HashSet<string> names)
    {
        if (!TryInt(answer, "selected_candidate_number", out var number))
        {
            return RowVerdict.Invalid($"row_id {rowId}: selected_candidate_number is missing or not a whole number");
        }

        if (number < 0 || number > request.Candidates.Count)
        {
            return RowVerdict.Invalid($"row_id {rowId}: selected_candidate_number {number} is not 0 or a candidate number 1-{request.Candidates.Count}");
        }

        if (!TryInt(answer, "selection_confidence", out var confidence) || confidence is < 0 or > 100)
        {
            return RowVerdict.Invalid($"row_id {rowId}: selection_confidence must be a whole number 0-100");
        }

        var name = answer.TryGetProperty("selected_name", out var n) && n.ValueKind == JsonValueKind.String ? Decoded(n) : "";
        if (number > 0)
        {
            var candidate = request.Candidates[number - 1];
            if (Normalize(name) != Normalize(candidate.Name))
            {
                return RowVerdict.Invalid($"row_id {rowId}: selected_name \"{Quoted(name)}\" is not the name of candidate {number} (\"{candidate.Name}\")");
            }
        }

        var alternatives = new List<string>();
        if (answer.TryGetProperty("close_alternatives", out var alts) && alts.ValueKind == JsonValueKind.Array)
        {
            // Commentary, not the decision: an alternative that is not a candidate's name is dropped, and the answer stands.
            alternatives.AddRange(alts.EnumerateArray().Select(Decoded).Where(text => names.Contains(Normalize(text))));
        }

        var reasoning = JudgeAnswer.Capped(answer.TryGetProperty("reasoning", out var r) && r.ValueKind == JsonValueKind.String ? Decoded(r) : "");
        return RowVerdict.Valid(new JudgeAnswer(rowId, number, confidence, reasoning) { CloseAlternatives = alternatives });
    }

    /// <summary>
    /// A value of the reply as text, masked. The raw reply was masked before it was parsed, but JSON may spell any
    /// character as an escape (<c>\u002D</c>, <c>\/</c>), and a key echoed that way reappears whole only once decoded.
    /// </summary>
    private static string Decoded(JsonElement value) =>
        Secrets.Redact(value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.ToString());

    private const int MaxQuote = 200;

    private const int MaxExtraQuoted = 10;

    /// <summary>A value of the reply quoted in a reason, shortened: a reason is stored, published and sent back in the follow-up.</summary>
    private static string Quoted(string text) => text.Length <= MaxQuote ? text : text[..MaxQuote] + "…";

    private static bool TryInt(JsonElement answer, string property, out int value)
    {
        value = 0;
        return answer.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out value);
    }

    private static Dictionary<string, RowVerdict> AllRows(JudgeRequest request, string reason) =>
        request.Rows.ToDictionary(r => r.Key, _ => RowVerdict.Invalid(reason), StringComparer.Ordinal);

    private static string Normalize(string text) => string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToUpperInvariant();

    // Some OpenAI-compatible servers wrap JSON in a Markdown fence even when asked for JSON.
    private static string StripFence(string reply)
    {
        var text = reply.Trim();
        if (text.StartsWith("```", StringComparison.Ordinal) && text.EndsWith("```", StringComparison.Ordinal) && text.Length >= 6)
        {
            var firstLine = text.IndexOf('\n', StringComparison.Ordinal);
            return firstLine < 0 ? text : text[(firstLine + 1)..^3];
        }

        return text;
    }
}

/// <summary>A row's answer, or why the reply could not be used for it.</summary>
internal sealed record RowVerdict(JudgeAnswer? Answer, string? Error)
{
    public static RowVerdict Valid(JudgeAnswer answer) => new(answer, null);

    public static RowVerdict Invalid(string error) => new(null, error);
}
