using ElectionMatch.Diagnostics;

namespace ElectionMatch.Dbt;

/// <summary>A <c>source()</c>, <c>ref()</c> or other <c>{{ … }}</c> expression found in model SQL, with its position.</summary>
public sealed record JinjaCall(string Function, IReadOnlyList<string> Arguments, int Offset, int Length, SourceSpan At)
{
    public bool IsSource => Function == "source" && Arguments.Count == 2;

    public bool IsRef => Function == "ref" && Arguments.Count is 1 or 2;

    /// <summary>The model a ref() names (the last positional argument; the first, when two, is a package).</summary>
    public string RefModel => Arguments[^1];
}
