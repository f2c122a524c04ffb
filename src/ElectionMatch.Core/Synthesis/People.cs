namespace ElectionMatch.Synthesis;

/// <summary>
/// Makes people: sex, given and middle names weighted by births, a surname weighted by frequency,
/// sometimes a generational suffix. A candidacy that will be perturbed asks for a person the
/// perturbations can apply to (a nickname needs a name that has one; a dropped accent needs an accent).
/// </summary>
internal sealed class People
{
    private const Perturbation NeedsNickname = Perturbation.Nickname | Perturbation.QuotedNickname;

    // About 2% of U.S. men carry a generational suffix on the ballot.
    private const double SuffixShare = 0.02;

    private static readonly (string Suffix, double Weight)[] Suffixes = [("Jr.", 60), ("Sr.", 15), ("II", 10), ("III", 13), ("IV", 2)];
    private static readonly WeightedTable<string> SuffixTable = new(Suffixes);

    private readonly GivenNames _given;
    private readonly Surnames _surnames;
    private readonly double _maleShare;
    private long _count;

    public People(GivenNames given, Surnames surnames, double maleShare)
    {
        _given = given;
        _surnames = surnames;
        _maleShare = maleShare;
    }

    public GivenNames Given => _given;

    /// <summary>Someone on the ballot who is no GoodParty candidate: nicknames are looked up only if a ballot prints one.</summary>
    public Person Opponent(Random random) => New(random, Perturbation.None, nicknames: false);

    /// <summary>A person the given perturbations can apply to.</summary>
    public Person New(Random random, Perturbation needs = Perturbation.None, bool nicknames = true)
    {
        var male = (needs & Perturbation.Suffix) != 0 || random.NextDouble() < _maleShare;
        var nickname = (needs & NeedsNickname) != 0;
        var accent = (needs & Perturbation.AccentDropped) != 0;
        var accentOnSurname = accent && (nickname || random.Next(2) == 0);
        var usedName = accent && !accentOnSurname ? _given.SampleAccented(random, male)
            : nickname ? _given.SampleWithNickname(random, male)
            : _given.Sample(random, male);

        var other = _given.Sample(random, male);
        for (var attempt = 0; attempt < 4 && other == usedName; attempt++)
        {
            other = _given.Sample(random, male);
        }

        var (first, middle) = (needs & Perturbation.GoesByMiddle) != 0 ? (other, usedName) : (usedName, other);

        string last;
        if ((needs & Perturbation.CompoundSurname) != 0)
        {
            // An accented compound is a hispanic double surname: Núñez Garcia.
            last = accentOnSurname ? _surnames.SampleAccented(random) + " " + _surnames.Sample(random) : _surnames.SampleCompound(random);
        }
        else
        {
            last = accentOnSurname ? _surnames.SampleAccented(random) : _surnames.Sample(random);
        }

        var suffix = (needs & Perturbation.Suffix) != 0 || (male && random.NextDouble() < SuffixShare) ? SuffixTable.Sample(random) : null;
        return new Person(
            ContactId(++_count),
            male,
            first,
            middle,
            last,
            suffix,
            nicknames ? _given.Nickname(random, first, male) : null,
            nicknames ? _given.Nickname(random, middle, male) : null);
    }

    /// <summary>Whether an existing person can carry these perturbations in a new candidacy.</summary>
    public static bool Fits(Person person, Perturbation needs)
    {
        var byMiddle = (needs & Perturbation.GoesByMiddle) != 0;
        var used = byMiddle ? person.Middle : person.First;
        if ((needs & NeedsNickname) != 0 && (byMiddle ? person.MiddleNickname : person.FirstNickname) is null)
        {
            return false;
        }

        if ((needs & Perturbation.AccentDropped) != 0 && !AccentedNames.HasAccent(person.Last) && !AccentedNames.HasAccent(used))
        {
            return false;
        }

        if ((needs & Perturbation.CompoundSurname) != 0 && !Surnames.IsCompound(person.Last))
        {
            return false;
        }

        return (needs & Perturbation.Suffix) == 0 || person.Suffix is not null;
    }

    /// <summary>HubSpot-like contact ids: 9 to 11 digits, distinct for every person (an odd multiplier is a bijection mod 2^36).</summary>
    private static long ContactId(long n) => 100_000_000 + ((n * 2_654_435_761L) & ((1L << 36) - 1));
}
