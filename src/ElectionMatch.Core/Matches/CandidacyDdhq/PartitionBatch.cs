using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// State partitions of an incremental run matched together in one run: their rows one partition after another, each
/// partition's in input order, and the results rows with no usable state once in every partition (as each partition's
/// own run reads them). <paramref name="Table"/> holds each partition's state and the row numbers its rows have on each
/// side: (<c>state</c>, <c>left_first</c>, <c>left_last</c>, <c>right_first</c>, <c>right_last</c>). A partition's rows meet
/// only its own: a results row is offered to the election rows of its partition alone, a repeated id is looked for
/// within a partition, and the judge's contests are a partition's.
/// </summary>
/// <remarks>
/// Every left row of a batch has a state (the partition of the left rows with none reads every results row and is matched
/// on its own), so a date·type·state group's state is its partition. A state's results rows are in its partition only; a
/// stateless results row is in every one, a copy each, and the copy is what the membership joins test.
/// </remarks>
internal sealed record PartitionBatch(string Table)
{
    /// <summary><paramref name="table"/>'s rows with <c>em_part</c>, the state of the partition whose rows hold their <c>row_number</c> on <paramref name="side"/>.</summary>
    public string WithStateSql(string table, string side) =>
        $"(select t.*, b.state as em_part from {table} as t join {Table} as b on t.row_number between b.{side}_first and b.{side}_last)";

    /// <summary>A join that keeps the results row <paramref name="right"/> only when its copy is the partition of the group <paramref name="group"/>'s.</summary>
    public string SamePartitionSql(string group, string right) =>
        $"join {Table} as em_b on em_b.state = {group}.state and {right}.right_key between em_b.right_first and em_b.right_last";
}
