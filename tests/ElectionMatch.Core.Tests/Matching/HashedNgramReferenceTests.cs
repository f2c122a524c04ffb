using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using ElectionMatch.Matching.Embeddings;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The offline embedder's vectors are recomputed on every run and decide retrieval's ties, so a faster embedder must
/// give the same bits: this compares it with the plain form of the algorithm (one string operation per step) on texts
/// that take every branch: ASCII and accented names, apostrophes and dots, labels in other cases, fields without a
/// label, numbers written three ways, and texts longer than the embedder's stack buffer.
/// </summary>
public sealed class HashedNgramReferenceTests
{
    public static TheoryData<string> Texts()
    {
        var texts = new TheoryData<string>
        {
            "",
            "name: John Smith | race: CA Governor",
            "name: José Núñez | race: CA Assembly District 15",
            "name: James O'Neill Jr. | race: Denver City Council - At-Large",
            "name: Mary-Kate  O’Brien | race: ny  state senate --- district 015",
            "NAME: ROBERT \"Bob\" Smith | RACE: TX U.S. House - District 7 - Republican Primary",
            "Name: Zoë Brontë | Race: Île-de-France 3rd",
            "no label at all | : empty label | race:",
            "state: CA, district type: State_House, district name: STATE HOUSE 015 | race name: California State Assembly - District 15th",
            "name: a | race: b",
            "|||   ",
            "name: " + string.Join(' ', Enumerable.Range(0, 60).Select(i => "Name" + i.ToString(CultureInfo.InvariantCulture))) + " | race: " + new string('x', 300),
            "name: Ærøskøbing Øster Ålborg | race: ﬁve ligatures ½",
        };
        return texts;
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void The_vector_has_the_bits_of_the_plain_algorithm(string text)
    {
        foreach (var style in new[] { HashedNgramStyle.Labelled, HashedNgramStyle.Districts })
        {
            var embedder = new HashedNgramEmbedder(256, style: style);
            var vector = new float[256];
            embedder.Embed(text, vector);
            var expected = Reference.Embed(text, 256, style);

            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), vector.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Dimensions_that_are_not_a_power_of_two_take_the_same_slots_as_the_plain_algorithm()
    {
        var embedder = new HashedNgramEmbedder(100);
        var vector = new float[100];
        embedder.Embed("name: Jonathan Miller | race: Boulder School Board", vector);

        Assert.Equal(Reference.Embed("name: Jonathan Miller | race: Boulder School Board", 100, HashedNgramStyle.Labelled), vector);
    }

    /// <summary>The embedder as first written: strings for every step, a 64-bit modulo for the slot.</summary>
    private static class Reference
    {
        public static float[] Embed(string text, int dimensions, HashedNgramStyle style)
        {
            var into = new float[dimensions];
            if (text.Length == 0)
            {
                return into;
            }

            foreach (var field in text.Split(style.FieldSeparators.ToCharArray()))
            {
                var colon = field.IndexOf(':', StringComparison.Ordinal);
                var label = colon < 0 ? "" : field[..colon].Trim();
                var value = Normalise(colon < 0 ? field : field[(colon + 1)..]);
                var isName = label.Length == 0 || label.Equals("name", StringComparison.OrdinalIgnoreCase)
                    || label.EndsWith(" name", StringComparison.OrdinalIgnoreCase);
                var seed = Hash(style.SharedFieldSpace ? "" : label.ToLowerInvariant(), 14695981039346656037UL);
                foreach (var word in value.Split(' '))
                {
                    var token = style.CanonicalNumbers ? Canonical(word) : word;
                    if (token.Length == 0)
                    {
                        continue;
                    }

                    if (isName)
                    {
                        Add(into, Hash(token, seed), 1f);
                        var padded = "^" + token + "$";
                        for (var i = 0; i + 3 <= padded.Length; i++)
                        {
                            Add(into, Hash(padded.Substring(i, 3), seed + 1), 0.5f);
                        }
                    }
                    else
                    {
                        Add(into, Hash(token, seed), 0.35f);
                    }
                }
            }

            var norm = TensorPrimitives.Norm(into);
            if (norm > 0)
            {
                TensorPrimitives.Divide(into, norm, into);
            }

            return into;
        }

        private static void Add(float[] into, ulong hash, float weight) =>
            into[(int)(hash % (ulong)into.Length)] += (hash >> 63) == 0 ? weight : -weight;

        private static string Normalise(string value)
        {
            var text = new StringBuilder();
            var space = true;
            foreach (var c in value.Normalize(NormalizationForm.FormD))
            {
                if (char.IsLetterOrDigit(c))
                {
                    text.Append(char.ToLowerInvariant(c));
                    space = false;
                }
                else if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark || c is '\'' or '’' or '.')
                {
                    // Dropped without splitting the word.
                }
                else if (!space)
                {
                    text.Append(' ');
                    space = true;
                }
            }

            return text.ToString().TrimEnd(' ');
        }

        private static string Canonical(string token)
        {
            var digits = token.TakeWhile(char.IsAsciiDigit).Count();
            var ordinal = token.Length - digits == 2 && digits > 0 && token[digits..] is "st" or "nd" or "rd" or "th";
            if (digits == 0 || (digits < token.Length && !ordinal))
            {
                return token;
            }

            var number = token[..digits].TrimStart('0');
            return number.Length == 0 ? "0" : number;
        }

        private static ulong Hash(string text, ulong seed)
        {
            var hash = seed;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            hash ^= hash >> 33;
            hash *= 0xff51afd7ed558ccdUL;
            hash ^= hash >> 33;
            return hash;
        }
    }
}
