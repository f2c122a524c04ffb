namespace ElectionMatch.Matching;

/// <summary>The two resolved input relations of a run.</summary>
public sealed record MatchInputs(InputRelation Left, InputRelation Right)
{
    public string LeftRelation => Left.Sql;

    public string RightRelation => Right.Sql;
}
