using System.Numerics.Tensors;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Operations;
using ElectionMatch.Settings;
using ElectionMatch.Synthesis;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The sounds-alike rule (<see cref="SoundsAlike"/>, in C#) pairs exactly what a plain SQL statement of the rule pairs,
/// and the pairs it alone found carry the cosine of the two texts' vectors, the embedder's bits (with the offline
/// embedder the right rows' vectors come from the ones retrieval kept). Every row is put in one state, so partitions
/// hold a whole date and many sounds-alike pairs fall outside the top k.
/// </summary>
public sealed class SoundsAlikeTests : IClassFixture<SoundsAlikeTests.OneStateRun>
{
    private readonly OneStateRun _run;

    public SoundsAlikeTests(OneStateRun run) => _run = run;

    [Theory]
    [InlineData("")]
    [InlineData("runoff_")]
    public void The_pairs_are_those_of_the_rule_in_sql(string pass)
    {
        var found = _run.Warehouse.Query(
            $"select left_key, right_key from {_run.Schema.Table(pass + "candidate_pairs")} where found_by & {PairRules.SurnameSound} <> 0",
            r => (r.GetInt64(0), r.GetInt64(1))).ToHashSet();
        var expected = _run.Warehouse.Query(ReferenceSql(pass), r => (r.GetInt64(0), r.GetInt64(1))).ToHashSet();

        // The deterministic tier leaves the rule about two fifths of the election rows: some hundreds of pairs here.
        Assert.True(pass.Length > 0 || expected.Count > 200, $"{expected.Count} sounds-alike pairs");
        Assert.Empty(expected.Except(found));
        Assert.Empty(found.Except(expected));
        Assert.Equal(expected.Count, _run.Warehouse.Scalar<long>($"select count(*) from {_run.Schema.Table(pass + "sounds_alike")}"));
    }

    [Fact]
    public void Cosines_of_pairs_retrieval_did_not_return_are_the_embedders_bits()
    {
        var embedder = new HashedNgramEmbedder(EmbeddingSettings.Offline.Dimensions, EmbeddingSettings.Offline.Model);
        var (left, right) = (new float[embedder.Dimensions], new float[embedder.Dimensions]);
        foreach (var pass in new[] { "", "runoff_" })
        {
            var pairs = _run.Warehouse.Query(
                $"""
                select l.embedding_text, r.embedding_text, c.cosine
                from {_run.Schema.Table(pass + "candidate_pairs")} as c
                join {_run.Schema.Table(pass + "left_keyed")} as l using (left_key)
                join {_run.Schema.Table("right_keyed")} as r using (right_key)
                where c.rank is null
                """,
                r => (Left: r.IsDBNull(0) ? "" : r.GetString(0), Right: r.IsDBNull(1) ? "" : r.GetString(1), Cosine: r.GetFloat(2)));
            Assert.True(pass.Length > 0 || pairs.Count > 20, $"{pairs.Count} pairs found by blocking alone");
            foreach (var (leftText, rightText, cosine) in pairs)
            {
                embedder.Embed(leftText, left);
                embedder.Embed(rightText, right);
                Assert.Equal(BitConverter.SingleToInt32Bits(TensorPrimitives.Dot(left, right)), BitConverter.SingleToInt32Bits(cosine));
            }
        }
    }

    // The rule as written in the design: the same partition, a surname word of the same Soundex, and a shared given name
    // (first name, nickname, first middle name, or a name of the first name's or first middle name's nickname groups),
    // a close first name of the same initial, or no given name on one side; for the left rows the deterministic tier left.
    private string ReferenceSql(string pass)
    {
        string T(string table) => _run.Schema.Table(table);
        const string Names = "list_filter(list_concat(first_groups, coalesce(middle_groups, []), [first_name, nickname, middle1]), n -> n <> '')";
        const string Nameless = "coalesce(nullif(first_name, ''), nullif(nickname, ''), nullif(middle1, '')) is null";
        return $"""
            with
                l as (
                    select group_id, left_key, first_name, surname_words, {Names} as names, {Nameless} as nameless
                    from {T(pass + "left_keyed")} anti join {T(pass + "exact_pairs")} using (left_key)
                ),
                r as (
                    select m.group_id, k.right_key, k.first_name, k.surname_words, {Names} as names, {Nameless} as nameless
                    from {T(pass + "right_members")} as m join {T("right_keyed")} as k using (right_key)
                ),
                l_sounds as (select distinct left_key, group_id, em_soundex(w) as sound from (select left_key, group_id, unnest(surname_words) as w from l) where w <> ''),
                r_sounds as (select distinct right_key, group_id, em_soundex(w) as sound from (select right_key, group_id, unnest(surname_words) as w from r) where w <> ''),
                same_sound as (select distinct ls.left_key, rs.right_key, ls.group_id from l_sounds as ls join r_sounds as rs using (group_id, sound))
            select s.left_key, s.right_key
            from same_sound as s
            join l on l.left_key = s.left_key
            join r on r.right_key = s.right_key and r.group_id = s.group_id
            where list_has_any(l.names, r.names)
                or (l.first_name <> '' and r.first_name <> '' and l.first_name <> r.first_name and left(l.first_name, 1) = left(r.first_name, 1)
                    and (jaro_winkler_similarity(l.first_name, r.first_name) >= 0.88 or starts_with(l.first_name, r.first_name) or starts_with(r.first_name, l.first_name)))
                or l.nameless or r.nameless
            """;
    }

    /// <summary>One matcher run on a synthetic project with every row in one state, shared by the tests.</summary>
    public sealed class OneStateRun : IDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "em-sounds-" + Guid.NewGuid().ToString("N"));

        public OneStateRun()
        {
            SynthProjectWriter.Write(_directory, new SynthSettings(1500, 5), force: false);
            using (var files = DuckDbWarehouse.InMemory())
            {
                foreach (var file in Directory.GetFiles(Path.Combine(_directory, "data"), "*.parquet", SearchOption.AllDirectories))
                {
                    files.Execute($"copy (select * replace ('TX' as state) from read_parquet({Sql.Literal(file)})) to {Sql.Literal(file + ".tx")} (format parquet)");
                    File.Move(file + ".tx", file, overwrite: true);
                }
            }

            var context = ProjectContext.Load(new ProjectOptions(_directory));
            var settings = context.Settings.Match("candidacy_ddhq_matches");
            Warehouse = DuckDbWarehouse.Open(Path.Combine(_directory, "target", "sounds-test.duckdb"));
            var inputs = new RunOperation(context).ResolveInputs(Warehouse, settings);
            Schema = RunSchema.For(settings.Name);
            new CandidacyDdhqMatcher(Warehouse, settings, Schema).Run(inputs);
        }

        public DuckDbWarehouse Warehouse { get; }

        public RunSchema Schema { get; }

        public void Dispose()
        {
            Warehouse.Dispose();
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
    }
}
