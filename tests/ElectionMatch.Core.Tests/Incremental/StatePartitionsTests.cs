using ElectionMatch.Diagnostics;
using ElectionMatch.Dbt;
using ElectionMatch.Incremental;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Incremental;

/// <summary>State partitions read states as the cleaning does, and a partition's hash moves only with the rows it reads.</summary>
public sealed class StatePartitionsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "em-partitions-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();
    private readonly MatchSettings _match;

    public StatePartitionsTests()
    {
        Directory.CreateDirectory(_directory);
        using var fixture = FixtureCopy.Of("goodparty");
        _match = ElectionMatchSettings.Load(DbtProject.Load(fixture.Directory)).Match("candidacy_ddhq_matches");
    }

    public void Dispose()
    {
        _warehouse.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void States_are_read_by_code_or_name_and_rows_without_a_usable_state_search_every_state()
    {
        var partitions = Partitions(
            ["1,NC", "2,North Carolina", "3,", "4,Narnia", "5,tx"],
            ["a,NC", "b,", "c,TX", "d,GA"]);

        Assert.Equal(["", "NC", "TX"], partitions.Select(p => p.State));
        Assert.Equal([2L, 2, 1], partitions.Select(p => p.LeftRows));
        Assert.Equal(["3", "4"], Ids(partitions[0].LeftRelation, "gp_candidacy_id"));
        Assert.Equal(["1", "2"], Ids(partitions[1].LeftRelation, "gp_candidacy_id"));
        Assert.Equal(["a", "b", "c", "d"], Ids(partitions[0].RightRelation, "candidate_id"));
        Assert.Equal(["a", "b"], Ids(partitions[1].RightRelation, "candidate_id"));
        Assert.Equal(["b", "c"], Ids(partitions[2].RightRelation, "candidate_id"));
    }

    [Fact]
    public void A_partitions_hash_changes_only_when_rows_it_reads_change()
    {
        string[] left = ["1,NC", "2,North Carolina", "3,", "5,TX"];
        string[] right = ["a,NC", "b,", "c,TX", "d,GA"];
        var before = Hashes(Partitions(left, right));

        var leftChanged = Hashes(Partitions(["1,NC", "2,N.C.", "3,", "5,TX"], right));
        var georgia = Hashes(Partitions(left, ["a,NC", "b,", "c,TX", "d,Georgia"]));
        var stateless = Hashes(Partitions(left, ["a,NC", "b, ", "c,TX", "d,GA"]));
        var reordered = Hashes(Partitions(["2,North Carolina", "1,NC", "3,", "5,TX"], right));

        Assert.Equal(["NC"], Changed(before, leftChanged));
        Assert.Equal([""], Changed(before, georgia));
        Assert.Equal(["", "NC", "TX"], Changed(before, stateless));
        Assert.Equal(["NC"], Changed(before, reordered));
        Assert.Empty(Changed(before, Hashes(Partitions(left, right))));
    }

    private IReadOnlyList<StatePartition> Partitions(string[] left, string[] right)
    {
        var leftPath = Write("left.csv", "gp_candidacy_id,state", left);
        var rightPath = Write("right.csv", "candidate_id,state", right);
        var inputs = new MatchInputs(Relation(leftPath), Relation(rightPath));
        _warehouse.Execute("create schema if not exists electionmatch_cache");
        return StatePartitions.Of(_warehouse, PartitionCache.Schema, _match, inputs);
    }

    private string Write(string name, string header, string[] rows)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N")[..8] + name);
        File.WriteAllLines(path, rows.Prepend(header));
        return path;
    }

    private static InputRelation Relation(string path) => new(Csv(path), Path.GetFileName(path), SourceSpan.WholeFile(path));

    private static string Csv(string path) => $"read_csv({Sql.Literal(path)}, all_varchar = true, header = true)";

    private List<string> Ids(string relation, string column) =>
        _warehouse.Query($"select {column} from {relation}", r => r.GetString(0));

    private static Dictionary<string, string> Hashes(IReadOnlyList<StatePartition> partitions) =>
        partitions.ToDictionary(p => p.State, p => p.InputSha256, StringComparer.Ordinal);

    private static List<string> Changed(Dictionary<string, string> before, Dictionary<string, string> after) =>
        before.Keys.Where(k => before[k] != after[k]).Order(StringComparer.Ordinal).ToList();
}
