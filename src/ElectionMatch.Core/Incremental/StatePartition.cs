namespace ElectionMatch.Incremental;

/// <summary>
/// One state's share of a run: its left rows, the right rows they can meet (that state's and those with no
/// usable state), and a hash of exactly those rows in input order. <see cref="NoState"/> holds the left rows
/// with no usable state, which search every state, so its right side is the whole right input.
/// </summary>
/// <param name="State">The postal code, or <see cref="NoState"/>.</param>
/// <param name="LeftRelation">The left input filtered to this partition, order kept.</param>
/// <param name="RightRelation">The right input filtered to the rows this partition's left rows can meet, order kept.</param>
/// <param name="InputSha256">SHA-256 over the MD5 of every left and right row of the partition, in input order, and the inputs' columns.</param>
/// <param name="LeftSha256">The part of <paramref name="InputSha256"/> over the left rows alone: with <paramref name="RightSha256"/>, what tells a run's
/// line which side's rows changed.</param>
/// <param name="RightSha256">The part of <paramref name="InputSha256"/> over the right rows alone.</param>
internal sealed record StatePartition(string State, string LeftRelation, string RightRelation, string InputSha256, long LeftRows, string LeftSha256, string RightSha256)
{
    public const string NoState = "";

    /// <summary>The results rows its run reads: its state's and those with no usable state (every one, for <see cref="NoState"/>).</summary>
    public long RightRows { get; init; }

    /// <summary>The input rows its run reads, candidacies and results rows: its size in a batch (<see cref="StatePartitions.Batches"/>).</summary>
    public long InputRows => LeftRows + RightRows;

    public string Label => LabelOf(State);

    /// <summary>How a partition's state is named in a run's lines and in explain: the state, or <c>(no state)</c>.</summary>
    public static string LabelOf(string state) => state.Length == 0 ? "(no state)" : state;
}
