using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Matching.Embeddings;

/// <summary>
/// The offline embedder: signed feature hashing of the spec's labelled text
/// (<c>name: John Smith | race: CA Governor</c>). The name field contributes character trigrams of
/// each token (with word-boundary padding) and the tokens themselves; every other field contributes
/// its words at a lower weight. The vector is L2-normalised, so inner product is cosine similarity.
/// Deterministic, allocation-light and about a microsecond a text, so it is recomputed, never stored.
/// </summary>
public sealed class HashedNgramEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    private const float NameWeight = 1f;
    private const float ContextWeight = 0.35f;

    /// <summary>Dimensions − 1 when they are a power of two (256, the default), else 0: a mask then picks the slot.</summary>
    private readonly ulong _mask;

    public HashedNgramEmbedder(int dimensions, string modelId = "hashed-ngram-v1", HashedNgramStyle? style = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 8);
        Dimensions = dimensions;
        _mask = System.Numerics.BitOperations.IsPow2(dimensions) ? (ulong)dimensions - 1 : 0;
        Style = style ?? HashedNgramStyle.Labelled;
        Metadata = new EmbeddingGeneratorMetadata("offline", null, modelId, dimensions);
    }

    public int Dimensions { get; }

    public HashedNgramStyle Style { get; }

    public EmbeddingGeneratorMetadata Metadata { get; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vector = new float[Dimensions];
            Embed(value, vector);
            result.Add(new Embedding<float>(vector) { ModelId = Metadata.DefaultModelId });
        }

        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    /// <summary>Writes the normalised vector of <paramref name="text"/> into <paramref name="into"/> (length <see cref="Dimensions"/>).</summary>
    public void Embed(string? text, Span<float> into)
    {
        into.Clear();
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        // Spans over the text, no strings per field: this runs for every row of both inputs.
        var buffer = ArrayPool<char>.Shared.Rent((text.Length * 2) + 2);
        try
        {
            var source = text.AsSpan();
            foreach (var range in source.SplitAny(Style.FieldSeparators))
            {
                var field = source[range];
                var colon = field.IndexOf(':');
                var label = colon < 0 ? [] : field[..colon].Trim();
                var value = colon < 0 ? field : field[(colon + 1)..];
                var length = Normalise(value, buffer);
                // "name", and in the district texts "race name" and "district name", carry the words that identify.
                var isName = label.IsEmpty || label.Equals("name", StringComparison.OrdinalIgnoreCase)
                    || label.EndsWith(" name", StringComparison.OrdinalIgnoreCase);
                AddField(buffer.AsSpan(0, length), Seed(Style.SharedFieldSpace ? [] : label), isName, into);
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }

        var norm = TensorPrimitives.Norm(into);
        if (norm > 0)
        {
            TensorPrimitives.Divide(into, norm, into);
        }
    }

    private void AddField(ReadOnlySpan<char> value, ulong seed, bool isName, Span<float> into)
    {
        foreach (var range in value.Split(' '))
        {
            var token = Style.CanonicalNumbers ? CanonicalNumber(value[range]) : value[range];
            if (token.IsEmpty)
            {
                continue;
            }

            if (isName)
            {
                AddToken(token, seed, NameWeight, into);
                AddTrigrams(token, seed + 1, into);
            }
            else
            {
                AddToken(token, seed, ContextWeight, into);
            }
        }
    }

    /// <summary>015 → 15 and 15th → 15, so district numbers agree however they are written; other tokens as they are.</summary>
    private static ReadOnlySpan<char> CanonicalNumber(ReadOnlySpan<char> token)
    {
        var digits = 0;
        while (digits < token.Length && char.IsAsciiDigit(token[digits]))
        {
            digits++;
        }

        var ordinal = token.Length - digits == 2 && digits > 0 && token[digits..] is "st" or "nd" or "rd" or "th";
        if (digits == 0 || (digits < token.Length && !ordinal))
        {
            return token;
        }

        var number = token[..digits];
        var zeros = 0;
        while (zeros < number.Length - 1 && number[zeros] == '0')
        {
            zeros++;
        }

        return number[zeros..];
    }

    private void AddTrigrams(ReadOnlySpan<char> token, ulong seed, Span<float> into)
    {
        // Pad with a boundary mark so "jon" and the inside of "jonathan" are told apart.
        Span<char> padded = stackalloc char[token.Length + 2];
        padded[0] = '^';
        token.CopyTo(padded[1..]);
        padded[^1] = '$';
        for (var i = 0; i + 3 <= padded.Length; i++)
        {
            AddToken(padded.Slice(i, 3), seed, NameWeight * 0.5f, into);
        }
    }

    private void AddToken(ReadOnlySpan<char> feature, ulong seed, float weight, Span<float> into)
    {
        var hash = Fnv1a(feature, seed);
        // The same slot as hash % Dimensions; a 64-bit division costs tens of cycles, and this runs ~100 times a text.
        var index = (int)(_mask != 0 ? hash & _mask : hash % (ulong)Dimensions);
        into[index] += (hash >> 63) == 0 ? weight : -weight;
    }

    private static ulong Seed(ReadOnlySpan<char> label)
    {
        Span<char> lower = label.Length <= 64 ? stackalloc char[label.Length] : new char[label.Length];
        label.ToLowerInvariant(lower);
        return Fnv1a(lower, 14695981039346656037UL);
    }

    private static ulong Fnv1a(ReadOnlySpan<char> text, ulong seed)
    {
        var hash = seed;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        // Final avalanche so the low bits used for the index depend on every character.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }

    /// <summary>Lower case, accents dropped, anything but letters and digits made one space.</summary>
    private static int Normalise(ReadOnlySpan<char> value, char[] into)
    {
        // Only text with a non-ASCII character pays for a decomposed copy.
        var decomposed = Ascii.IsValid(value) ? value : new string(value).Normalize(NormalizationForm.FormD).AsSpan();
        var length = 0;
        var space = true;
        foreach (var c in decomposed)
        {
            if (char.IsLetterOrDigit(c))
            {
                into[length++] = char.ToLowerInvariant(c);
                space = false;
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark || c is '\'' or '’' or '.')
            {
                // Accents, apostrophes (O'Neill) and initials' dots vanish without splitting the word.
            }
            else if (!space)
            {
                into[length++] = ' ';
                space = true;
            }
        }

        return length > 0 && into[length - 1] == ' ' ? length - 1 : length;
    }
}
