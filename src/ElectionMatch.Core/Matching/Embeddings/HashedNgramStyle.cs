namespace ElectionMatch.Matching.Embeddings;

/// <summary>How the offline embedder reads a labelled text.</summary>
/// <param name="FieldSeparators">The characters between labelled fields.</param>
/// <param name="SharedFieldSpace">Every field hashes into one space, so a word matches the same word in a field
/// with another label (a position's name against a district's name and type); otherwise each label has its own.</param>
/// <param name="CanonicalNumbers">Leading zeros and ordinal endings do not count: 015, 15 and 15th are one token.</param>
public sealed record HashedNgramStyle(string FieldSeparators, bool SharedFieldSpace, bool CanonicalNumbers)
{
    /// <summary>The candidacy texts: <c>name: John Smith | race: CA Governor</c>.</summary>
    public static HashedNgramStyle Labelled { get; } = new("|", SharedFieldSpace: false, CanonicalNumbers: false);

    /// <summary>Spec 000's district texts: <c>state: CA, district type: State_House, district name: STATE HOUSE 015</c>
    /// against <c>race name: California State Assembly - District 15</c>.</summary>
    public static HashedNgramStyle Districts { get; } = new("|,", SharedFieldSpace: true, CanonicalNumbers: true);
}
