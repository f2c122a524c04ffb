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

    // The right input of the latest Partitions call.
    private string? _lastRight;

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
        // The stateless partition reads the right input whole, as the input itself (a parquet file keeps its reader's numbering).
        Assert.Equal(_lastRight, partitions[0].RightRelation);
        Assert.NotEqual(_lastRight, partitions[1].RightRelation);
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

    [Fact]
    public void A_null_and_a_value_of_the_separators_or_a_separator_moved_between_values_change_the_partitions_hash()
    {
        // The manifest's row text writes a null as U+001E and joins values by U+001F: these rows had the same text, so the
        // partition was reused with the old row's output and quarantine while --full published the new row's.
        var before = Hashes(Partitions(["1,NC,,b", "2,TX,x,y"], ["a,NC,p,q"], extra: "c1,c2"));

        var nullAsSeparator = Hashes(Partitions(["1,NC,\u001e,b", "2,TX,x,y"], ["a,NC,p,q"], extra: "c1,c2"));
        Assert.Equal(["NC"], Changed(before, nullAsSeparator));

        var shifted = Hashes(Partitions(["1,NC,,b", "2,TX,x\u001fz,y"], ["a,NC,p,q"], extra: "c1,c2"));
        var shiftedBack = Hashes(Partitions(["1,NC,,b", "2,TX,x,z\u001fy"], ["a,NC,p,q"], extra: "c1,c2"));
        Assert.Equal(["TX"], Changed(shifted, shiftedBack));
        // On the right too: a results row of NC is read by NC's partition and the stateless one.
        var rightBefore = Hashes(Partitions(["1,NC,,b", "2,TX,x,y"], ["a,NC,,q"], extra: "c1,c2"));
        var rightBeforeInput = StatePartitions.InputHashes(_warehouse, PartitionCache.Schema).Right;
        Assert.Equal(["", "NC"], Changed(rightBefore, Hashes(Partitions(["1,NC,,b", "2,TX,x,y"], ["a,NC,\u001e,q"], extra: "c1,c2"))));
        // The manifest's input hash an incremental run takes from the same row hashes moves with them, as a plain run's does.
        var rightInput = StatePartitions.InputHashes(_warehouse, PartitionCache.Schema).Right;
        Assert.NotEqual(rightBeforeInput, rightInput);
        Assert.Equal(ElectionMatch.Snapshots.InputHash.Of(_warehouse, _lastRight!), rightInput);
    }

    [Fact]
    public void A_parquet_file_is_numbered_by_its_reader_with_the_numbers_and_hashes_of_a_read_in_order()
    {
        string[] left = ["1,NC", "2,North Carolina", "3,", "5,TX"];
        string[] right = ["a,NC", "b,", "c,TX", "d,GA", "e,NC", "f,"];
        var csv = Hashes(Partitions(left, right));
        var csvRows = RowHashes();

        var parquet = Hashes(Partitions(left, right, parquet: true));

        Assert.True(NumberedInput.ByFileRowNumber(_warehouse, _lastRight!));
        Assert.Equal(csv, parquet);
        Assert.Equal(csvRows, RowHashes());
        Assert.Equal(Enumerable.Range(1, right.Length).Select(n => (long)n), RowHashes().Select(r => r.Number));
        // Swapping two North Carolina rows reorders the partitions that read them, NC and the stateless one; TX reads neither.
        Assert.Equal(["", "NC"], Changed(parquet, Hashes(Partitions(left, ["e,NC", "b,", "c,TX", "d,GA", "a,NC", "f,"], parquet: true))));
    }

    [Fact]
    public void Each_partitions_hash_is_the_md5_of_its_row_hashes_in_input_order()
    {
        var partitions = Partitions(
            ["1,NC", "2,North Carolina", "3,", "4,Narnia", "5,TX", "6,NC"],
            ["a,NC", "b,", "c,TX", "d,GA", "e,NC", "f,Texas", "g, "]);

        // The definition written as one aggregate a partition over the row hashes (h): a state's left rows; on the right its state's rows and
        // those with no usable state, and every row for the stateless partition.
        var left = _warehouse.Query(
            "select p.state, md5(coalesce(string_agg(h, ',' order by rn), '')) from (select distinct state from electionmatch_cache.left_row_hashes) as p " +
            "left join electionmatch_cache.left_row_hashes as r on r.state = p.state group by p.state",
            r => (r.GetString(0), r.GetString(1))).ToDictionary(x => x.Item1, x => x.Item2);
        var right = _warehouse.Query(
            "select p.state, md5(coalesce(string_agg(h, ',' order by rn), '')) from (select distinct state from electionmatch_cache.left_row_hashes) as p " +
            "left join electionmatch_cache.right_row_hashes as r on p.state = '' or r.state = p.state or r.state = '' group by p.state",
            r => (r.GetString(0), r.GetString(1))).ToDictionary(x => x.Item1, x => x.Item2);

        // With the columns' names and types of both inputs, and for the stateless partition the unreadable lines of
        // each (these inputs are no CSV read with the reject store: none).
        const string Columns = " columns gp_candidacy_id VARCHAR, state VARCHAR | candidate_id VARCHAR, state VARCHAR";
        Assert.Equal(["", "NC", "TX"], partitions.Select(p => p.State));
        Assert.All(partitions, p => Assert.Equal(
            StatePartitions.Sha256($"left {left[p.State]} right {right[p.State]}" + Columns + (p.State == "" ? " rejects none none" : "")),
            p.InputSha256));
    }

    [Fact]
    public void A_partitions_copied_rows_are_numbered_as_the_input_filtered_in_order()
    {
        // Enough rows in small row groups that DuckDB reads and copies them on both threads, out of order.
        var states = new[] { "NC", "TX", "", "Georgia", "N.C." };
        var leftPath = Write("left.csv", "gp_candidacy_id,state", Enumerable.Range(1, 3000).Select(i => $"{i},{states[i % 3]}").ToArray());
        var rightCsv = Write("right.csv", "candidate_id,state", Enumerable.Range(1, 300_000).Select(i => $"r{i},{states[(i * 7) % 5]}").ToArray());
        var rightPath = Path.ChangeExtension(rightCsv, ".parquet");
        _warehouse.Execute($"copy (select * from {Csv(rightCsv)}) to {Sql.Literal(rightPath)} (format parquet, row_group_size 2048)");
        var inputs = new MatchInputs(Relation(leftPath), new InputRelation(Sql.Literal(rightPath), "right.parquet", SourceSpan.PathOnly(rightPath)));
        _warehouse.Execute("create schema if not exists electionmatch_cache");
        var partitions = StatePartitions.Of(_warehouse, PartitionCache.Schema, _match, inputs);
        StatePartitions.CopyRows(_warehouse, PartitionCache.Schema, _match, inputs, partitions);

        var nc = partitions.Single(p => p.State == "NC");
        var expected = Enumerable.Range(1, 300_000).Where(i => states[(i * 7) % 5] is "NC" or "N.C." or "").Select(i => "r" + i).ToList();
        var numbered = _warehouse.Query(
            $"select em_row_number, candidate_id from {NumberedInput.Generic(nc.RightRelation)} order by em_row_number",
            r => (r.GetInt64(0), r.GetString(1)));
        Assert.Equal(expected, numbered.Select(n => n.Item2));
        Assert.Equal(Enumerable.Range(1, expected.Count).Select(n => (long)n), numbered.Select(n => n.Item1));
        // Read without numbering, the partition's rows keep the input's columns and order too.
        Assert.Equal(["gp_candidacy_id", "state"], _warehouse.Describe("select * from " + nc.LeftRelation).Select(c => c.Name));
        Assert.Equal(Enumerable.Range(1, 3000).Where(i => i % 3 == 0).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Ids(nc.LeftRelation, "gp_candidacy_id"));
    }

    [Fact]
    public void A_files_row_hashes_are_kept_while_its_bytes_are_the_same_and_made_again_when_they_change()
    {
        var leftPath = Write("left.csv", "gp_candidacy_id,state", ["1,NC", "2,", "3,TX"]);
        var rightPath = Write("right.csv", "candidate_id,state", ["a,NC", "b,", "c,TX"]);
        IReadOnlyList<StatePartition> Run(List<string> kept)
        {
            var inputs = new MatchInputs(LocalFile(leftPath), LocalFile(rightPath));
            var partitions = StatePartitions.Of(_warehouse, PartitionCache.Schema, _match, inputs, kept);
            Assert.Equal(StatePartitions.InputHashes(_warehouse, PartitionCache.Schema).Right, ElectionMatch.Snapshots.InputHash.Of(_warehouse, inputs.RightRelation));
            return partitions;
        }

        _warehouse.Execute("create schema if not exists electionmatch_cache");
        var first = new List<string>();
        var before = Hashes(Run(first));
        Assert.Empty(first);

        // Kept: a row hash altered in the cache survives a run over the same bytes, and so do the input hashes.
        var inputHashes = StatePartitions.InputHashes(_warehouse, PartitionCache.Schema);
        _warehouse.Execute("update electionmatch_cache.right_row_hashes set h = 'altered' where rn = 3");
        var second = new List<string>();
        var kept = Hashes(Run(second));
        Assert.Equal(["left", "right"], second);
        Assert.Contains("altered", RowHashes().Select(r => r.Hash));
        Assert.Equal(inputHashes, StatePartitions.InputHashes(_warehouse, PartitionCache.Schema));
        Assert.Equal(["", "TX"], Changed(before, kept));

        // Made again: one byte of the right file changed; the left file's hashes are still kept.
        File.WriteAllLines(rightPath, ["candidate_id,state", "a,NC", "b,", "d,TX"]);
        var third = new List<string>();
        var after = Hashes(Run(third));
        Assert.Equal(["left"], third);
        Assert.DoesNotContain("altered", RowHashes().Select(r => r.Hash));
        Assert.Equal(["", "TX"], Changed(before, after));

        // A relation that is not one local file is hashed every time.
        var relation = new List<string>();
        StatePartitions.Of(_warehouse, PartitionCache.Schema, _match, new MatchInputs(Relation(leftPath), Relation(rightPath)), relation);
        Assert.Empty(relation);
    }

    [Fact]
    public void An_input_column_named_like_the_copys_state_keeps_its_name_and_values()
    {
        var partitions = Partitions(["1,NC,x", "2,TX,y", "3,,z"], ["a,NC,p", "b,,q"], extra: "em_state");

        var nc = partitions.Single(p => p.State == "NC");
        Assert.Equal(["gp_candidacy_id", "state", "em_state"], _warehouse.Describe("select * from " + nc.LeftRelation).Select(c => c.Name));
        Assert.Equal(["x"], Ids(nc.LeftRelation, "em_state"));
        Assert.Equal(["p", "q"], Ids(nc.RightRelation, "em_state"));
    }

    private List<(long Number, string Hash, string State)> RowHashes() =>
        _warehouse.Query("select rn, h, state from electionmatch_cache.right_row_hashes order by rn", r => (r.GetInt64(0), r.GetString(1), r.GetString(2)));

    private IReadOnlyList<StatePartition> Partitions(string[] left, string[] right, bool parquet = false, string? extra = null)
    {
        var leftPath = Write("left.csv", "gp_candidacy_id,state" + (extra is null ? "" : "," + extra), left);
        var rightPath = Write("right.csv", "candidate_id,state" + (extra is null ? "" : "," + extra), right);
        var inputs = parquet
            ? new MatchInputs(Parquet(leftPath), Parquet(rightPath))
            : new MatchInputs(Relation(leftPath), Relation(rightPath));
        _lastRight = inputs.RightRelation;
        _warehouse.Execute("create schema if not exists electionmatch_cache");
        var partitions = StatePartitions.Of(_warehouse, PartitionCache.Schema, _match, inputs);
        StatePartitions.CopyRows(_warehouse, PartitionCache.Schema, _match, inputs, partitions);
        return partitions;
    }

    private string Write(string name, string header, string[] rows)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N")[..8] + name);
        File.WriteAllLines(path, rows.Prepend(header));
        return path;
    }

    // The CSV file's rows as a parquet file named by its path, as the resolver writes a parquet source.
    private InputRelation Parquet(string csvPath)
    {
        var path = Path.ChangeExtension(csvPath, ".parquet");
        _warehouse.Execute($"copy (select * from {Csv(csvPath)}) to {Sql.Literal(path)} (format parquet)");
        return new InputRelation(Sql.Literal(path), Path.GetFileName(path), SourceSpan.PathOnly(path));
    }

    // A CSV file as the resolver names a source's external_location: the relation and the file's path.
    private static InputRelation LocalFile(string path) => Relation(path) with { FilePath = path };

    private static InputRelation Relation(string path) => new(Csv(path), Path.GetFileName(path), SourceSpan.PathOnly(path));

    private static string Csv(string path) => $"read_csv({Sql.Literal(path)}, all_varchar = true, header = true)";

    private List<string> Ids(string relation, string column) =>
        _warehouse.Query($"select {column} from {relation}", r => r.GetString(0));

    private static Dictionary<string, string> Hashes(IReadOnlyList<StatePartition> partitions) =>
        partitions.ToDictionary(p => p.State, p => p.InputSha256, StringComparer.Ordinal);

    private static List<string> Changed(Dictionary<string, string> before, Dictionary<string, string> after) =>
        before.Keys.Where(k => before[k] != after[k]).Order(StringComparer.Ordinal).ToList();
}
