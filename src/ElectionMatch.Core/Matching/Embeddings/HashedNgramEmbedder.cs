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
        var norm = EmbedUnscaled(text, into);
        if (norm > 0)
        {
            TensorPrimitives.Divide(into, norm, into);
        }
    }

    /// <summary>
    /// Writes the vector of <paramref name="text"/> before it is normalised and returns its norm (0 for no features):
    /// each value divided by the norm gives <see cref="Embed"/>'s bits. Retrieval keeps these few distinct sums as
    /// one-byte codes beside each row's norm, a third of the memory of the normalised floats.
    /// </summary>
    internal float EmbedUnscaled(string? text, Span<float> into)
    {
        into.Clear();
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        // Spans over the text, no strings per field: this runs for every row of both inputs. Most texts fit a stack
        // buffer; renting one per text cost more than the buffer's use.
        var rented = text.Length <= MaxStackText ? null : ArrayPool<char>.Shared.Rent((text.Length * 2) + 2);
        var buffer = rented ?? stackalloc char[(MaxStackText * 2) + 2];
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
                AddField(buffer[..length], Style.SharedFieldSpace ? EmptySeed : Seed(label), isName, into);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        return TensorPrimitives.Norm(into);
    }

    /// <summary>Texts up to this many characters are normalised on the stack.</summary>
    private const int MaxStackText = 256;

    /// <summary>The seeds of the labels the candidacy texts use, and of none: hashed once instead of once a field.</summary>
    private static readonly ulong EmptySeed = HashLabel([]);
    private static readonly ulong NameSeed = HashLabel("name");
    private static readonly ulong RaceSeed = HashLabel("race");

    /// <summary>The value's words, split on the single spaces <see cref="Normalise"/> leaves between them.</summary>
    private void AddField(ReadOnlySpan<char> value, ulong seed, bool isName, Span<float> into)
    {
        while (!value.IsEmpty)
        {
            // Words are a few characters: a plain scan beats a vectorised IndexOf's set-up.
            var space = 0;
            while (space < value.Length && value[space] != ' ')
            {
                space++;
            }

            var word = value[..space];
            value = space < value.Length ? value[(space + 1)..] : [];
            var token = Style.CanonicalNumbers ? CanonicalNumber(word) : word;
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

    /// <summary>
    /// The token's character trigrams, padded with a boundary mark so "jon" and the inside of "jonathan" are told
    /// apart: <c>^jo</c>, <c>jon</c>, <c>on$</c>. Each is hashed as <see cref="Fnv1a"/> hashes its three characters.
    /// </summary>
    private void AddTrigrams(ReadOnlySpan<char> token, ulong seed, Span<float> into)
    {
        const float weight = NameWeight * 0.5f;
        var previous = '^';
        var current = token[0];
        for (var i = 1; i <= token.Length; i++)
        {
            var next = i < token.Length ? token[i] : '$';
            Add(Avalanche((((((seed ^ previous) * FnvPrime) ^ current) * FnvPrime ^ next) * FnvPrime)), weight, into);
            (previous, current) = (current, next);
        }
    }

    private void AddToken(ReadOnlySpan<char> feature, ulong seed, float weight, Span<float> into) =>
        Add(Fnv1a(feature, seed), weight, into);

    private void Add(ulong hash, float weight, Span<float> into)
    {
        // The same slot as hash % Dimensions; a 64-bit division costs tens of cycles, and this runs ~100 times a text.
        var index = (int)(_mask != 0 ? hash & _mask : hash % (ulong)Dimensions);
        into[index] += (hash >> 63) == 0 ? weight : -weight;
    }

    private static ulong Seed(ReadOnlySpan<char> label)
    {
        if (label is "name")
        {
            return NameSeed;
        }

        if (label is "race")
        {
            return RaceSeed;
        }

        return HashLabel(label);
    }

    private static ulong HashLabel(ReadOnlySpan<char> label)
    {
        Span<char> lower = label.Length <= 64 ? stackalloc char[label.Length] : new char[label.Length];
        label.ToLowerInvariant(lower);
        return Fnv1a(lower, 14695981039346656037UL);
    }

    private const ulong FnvPrime = 1099511628211UL;

    private static ulong Fnv1a(ReadOnlySpan<char> text, ulong seed)
    {
        var hash = seed;
        foreach (var c in text)
        {
            hash = (hash ^ c) * FnvPrime;
        }

        return Avalanche(hash);
    }

    /// <summary>Final avalanche so the low bits used for the index depend on every character.</summary>
    private static ulong Avalanche(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }

    /// <summary>Lower case, accents dropped, anything but letters and digits made one space.</summary>
    private static int Normalise(ReadOnlySpan<char> value, Span<char> into)
    {
        if (Ascii.IsValid(value))
        {
            return NormaliseAscii(value, into);
        }

        // Only text with a non-ASCII character pays for a decomposed copy.
        var decomposed = new string(value).Normalize(NormalizationForm.FormD).AsSpan();
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

    /// <summary>
    /// <see cref="Normalise"/> for ASCII, where the letters and digits are A-Z, a-z and 0-9, lower case is one bit and
    /// no character is a combining mark: the same characters out, without the Unicode tables.
    /// </summary>
    private static int NormaliseAscii(ReadOnlySpan<char> value, Span<char> into)
    {
        var length = 0;
        var space = true;
        foreach (var c in value)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                into[length++] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                space = false;
            }
            else if (c is '\'' or '.')
            {
                // Apostrophes (O'Neill) and initials' dots vanish without splitting the word.
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
