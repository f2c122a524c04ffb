namespace ElectionMatch.Matching.Judging;

/// <summary>One contest: the rows to decide and the candidates they may be linked to, numbered from 1.</summary>
public sealed record JudgeRequest(string ContestKey, string Contest, IReadOnlyList<JudgeRow> Rows, IReadOnlyList<JudgeCandidate> Candidates);

/// <summary>A left row to decide, with what is known of it and the comparison evidence against each candidate.</summary>
/// <param name="Evidence">Per candidate number: the comparison levels (first_name: nickname, …) the scoring tier saw.</param>
/// <param name="Id">The row's id as its input has it (a HubSpot candidacy id), which a judge's own words may name it by;
/// not part of a model's request, whose rows are numbered (<see cref="JudgePrompt.Data"/>).</param>
public sealed record JudgeRow(
    string Key,
    string Name,
    IReadOnlyDictionary<string, string?> Attributes,
    IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>> Evidence,
    string? Id = null);

public sealed record JudgeCandidate(int Number, string Key, string Name, IReadOnlyDictionary<string, string?> Attributes);
