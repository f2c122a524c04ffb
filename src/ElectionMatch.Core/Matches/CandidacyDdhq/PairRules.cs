using System.Globalization;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// The blocking rules that found a candidate pair, stored as the bits of a one-byte <c>found_by</c> code and shown as
/// <c>rules</c>, the sorted list of their names, computed when read. A list of strings per pair was written by
/// <c>candidate_pairs</c>, read and written again by <c>comparisons</c> and carried through the comparisons' hash table:
/// at a million candidacies 9.3M lists, about 5 CPU-s of the two stages (docs/design.md, s8-pairs).
/// </summary>
internal static class PairRules
{
    /// <summary>Among a partition's embedding top k (retrieval).</summary>
    public const int EmbeddingTopK = 1;

    /// <summary>Surnames that sound alike with compatible given names (blocking).</summary>
    public const int SurnameSound = 2;

    /// <summary>Among the offline embedder's top k when a provider's embeddings are united with it.</summary>
    public const int OfflineTopK = 4;

    /// <summary>
    /// The deterministic tier (spec 003): the only results row of the partition with the left row's first name and
    /// surname on a ballot holding its office, and that row's only such left row. Such a left row has no other pair.
    /// </summary>
    public const int ExactName = 8;

    /// <summary>
    /// No blocking rule: a results row the judge saw because it is on the ballot of the race of the row's best pair, and
    /// chose. Only the output's shown pair has it (the judge sees whole races; <c>candidate_pairs</c> never holds it).
    /// </summary>
    public const int JudgeRace = 16;

    /// <summary>Each rule's bit and name, in the order of the names (the order <c>rules</c> lists them in).</summary>
    public static IReadOnlyList<(int Bit, string Name)> All { get; } =
    [
        (EmbeddingTopK, "embedding_top_k"),
        (ExactName, "exact_name"),
        (JudgeRace, "judge_race"),
        (OfflineTopK, "offline_top_k"),
        (SurnameSound, "surname_sound"),
    ];

    /// <summary>The sorted list of rule names for the code in <paramref name="code"/> (null for a null or zero code).</summary>
    public static string ListSql(string code)
    {
        var cases = Enumerable.Range(1, All.Sum(r => r.Bit)).Select(value => string.Create(CultureInfo.InvariantCulture,
            $"when {value} then [{string.Join(", ", All.Where(r => (value & r.Bit) != 0).Select(r => Sql.Literal(r.Name)))}]"));
        return $"(case {code} {string.Join(" ", cases)} end)";
    }
}
