namespace ElectionMatch.Matching;

/// <summary>The two resolved input relations of a run.</summary>
public sealed record MatchInputs(string LeftRelation, string RightRelation);
