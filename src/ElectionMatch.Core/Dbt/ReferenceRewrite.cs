namespace ElectionMatch.Dbt;

/// <summary>One line of a model changed by a reference rewrite, before and after, for the diff a user reviews.</summary>
public sealed record ReferenceRewrite(string File, int Line, string Before, string After);
