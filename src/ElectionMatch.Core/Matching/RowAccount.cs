namespace ElectionMatch.Matching;

/// <summary>
/// Where the rows of one input went: read = used + quarantined + excluded by rule, each part counted by
/// its own query so that a lost row shows as an imbalance instead of vanishing in a subtraction.
/// </summary>
/// <param name="Unit">What is counted: input rows, election rows (one per stage), output rows.</param>
public sealed record RowAccount(string Input, string Unit, long Read, IReadOnlyList<RowOutcome> Outcomes)
{
    public long Accounted => Outcomes.Sum(o => o.Rows);

    public bool Balances => Read == Accounted;
}

/// <param name="Outcome">used, quarantined or excluded.</param>
public sealed record RowOutcome(string Outcome, string Reason, long Rows);
