using System.Numerics.Tensors;
using ElectionMatch.Matching.Embeddings;

namespace ElectionMatch.Tests.Matching;

public sealed class HashedNgramEmbedderTests
{
    private static readonly HashedNgramEmbedder Embedder = new(256);

    private static float[] Embed(string text)
    {
        var vector = new float[256];
        Embedder.Embed(text, vector);
        return vector;
    }

    [Fact]
    public void Vectors_are_unit_length_and_the_same_for_the_same_text()
    {
        var a = Embed("name: José Núñez | race: CA Assembly District 15");

        Assert.Equal(1.0, TensorPrimitives.Norm(a), 4);
        Assert.Equal(a, Embed("name: José Núñez | race: CA Assembly District 15"));
    }

    [Fact]
    public void Case_accents_and_punctuation_do_not_change_the_vector()
    {
        Assert.Equal(Embed("name: José Núñez | race: x"), Embed("name: JOSE NUNEZ | race: X"));
        Assert.Equal(Embed("name: James O'Neill | race: x"), Embed("name: james oneill | race: x"));
    }

    [Fact]
    public void A_misspelt_name_is_closer_than_another_name_and_the_race_counts_less_than_the_name()
    {
        var query = Embed("name: Jonathan Miller | race: Denver City Council");
        var typo = Embed("name: Jonathon Miller | race: Denver City Council");
        var other = Embed("name: Susan Kopras | race: Denver City Council");
        var otherRace = Embed("name: Jonathan Miller | race: Boulder School Board");

        Assert.True(TensorPrimitives.Dot(query, typo) > 0.7f);
        Assert.True(TensorPrimitives.Dot(query, other) < 0.5f);
        Assert.True(TensorPrimitives.Dot(query, otherRace) > TensorPrimitives.Dot(query, other));
    }

    [Fact]
    public async Task The_embedding_generator_interface_returns_the_same_vectors()
    {
        var generated = await Embedder.GenerateAsync(["name: Bob Scott | race: x", ""]);

        Assert.Equal(Embed("name: Bob Scott | race: x"), generated[0].Vector.ToArray());
        Assert.All(generated[1].Vector.ToArray(), v => Assert.Equal(0f, v));
    }
}
