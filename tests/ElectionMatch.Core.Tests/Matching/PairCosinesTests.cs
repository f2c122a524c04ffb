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
/// pair_cosines gives the pairs blocking found alone the cosine of the two texts' vectors; with the offline embedder the
/// right rows' vectors come from the ones retrieval kept (<c>RightSlab</c>), and must be the embedder's bits.
/// </summary>
public sealed class PairCosinesTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "em-cosines-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Cosines_of_pairs_retrieval_did_not_return_are_the_embedders_bits()
    {
        // Every row in one state: partitions of a whole date, where sounds-alike pairs fall outside the top k.
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
        using var warehouse = DuckDbWarehouse.Open(Path.Combine(_directory, "target", "cosines-test.duckdb"));
        var inputs = new RunOperation(context).ResolveInputs(warehouse, settings);
        var run = RunSchema.For(settings.Name);
        new CandidacyDdhqMatcher(warehouse, settings, run).Run(inputs);

        var embedder = new HashedNgramEmbedder(EmbeddingSettings.Offline.Dimensions, EmbeddingSettings.Offline.Model);
        var (left, right) = (new float[embedder.Dimensions], new float[embedder.Dimensions]);
        foreach (var pass in new[] { "", "runoff_" })
        {
            var pairs = warehouse.Query(
                $"""
                select l.embedding_text, r.embedding_text, c.cosine
                from {run.Table(pass + "candidate_pairs")} as c
                join {run.Table(pass + "left_keyed")} as l using (left_key)
                join {run.Table("right_keyed")} as r using (right_key)
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

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
