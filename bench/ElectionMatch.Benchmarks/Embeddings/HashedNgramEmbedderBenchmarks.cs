using BenchmarkDotNet.Attributes;
using ElectionMatch.Benchmarks.Cleaning;
using ElectionMatch.Matching.Embeddings;

namespace ElectionMatch.Benchmarks.Embeddings;

/// <summary>
/// The offline embedder on the texts retrieval embeds (<c>embedding_text</c> of cleaned fixture rows, both
/// sides), 256 dimensions, labelled style as the candidacy match uses it: 10,000 texts per operation.
/// </summary>
[MemoryDiagnoser]
public class HashedNgramEmbedderBenchmarks
{
    private const int Texts = 10_000;

    private readonly HashedNgramEmbedder _embedder = new(256, style: HashedNgramStyle.Labelled);
    private readonly float[] _vector = new float[256];
    private string[] _texts = [];

    [GlobalSetup]
    public void Setup()
    {
        using var fixture = new FixtureWarehouse(Texts / 2, Texts / 2);
        fixture.Warehouse.Execute(fixture.Cleaning.LeftCleanSql());
        fixture.Warehouse.Execute(fixture.Cleaning.RightCleanSql());
        _texts = [.. fixture.Warehouse.Query(
            $"select embedding_text from {fixture.Run.Table("left_clean")} union all select embedding_text from {fixture.Run.Table("right_clean")}",
            r => r.IsDBNull(0) ? "" : r.GetString(0))];
    }

    [Benchmark(Description = "Embed 10,000 texts into one reused span")]
    public float EmbedAll()
    {
        var sum = 0f;
        foreach (var text in _texts)
        {
            _embedder.Embed(text, _vector);
            sum += _vector[0];
        }

        return sum;
    }
}
