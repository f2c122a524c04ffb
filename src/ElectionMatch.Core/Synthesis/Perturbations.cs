namespace ElectionMatch.Synthesis;

/// <summary>
/// Draws the perturbations of a candidacy at the configured rates and applies them to a person's
/// name, giving the parts HubSpot keeps and the parts DDHQ prints. Each applied perturbation makes
/// the two sides differ in exactly that way, so a truth pair's tags say what a matcher had to overcome.
/// </summary>
internal sealed class Perturbations
{
    private readonly PerturbationRates _rates;

    public Perturbations(PerturbationRates rates) => _rates = rates;

    /// <summary>The candidacy-level perturbations (all but the contest and race ones), each at its rate.</summary>
    public Perturbation Draw(Random random)
    {
        var set = Perturbation.None;
        var given = random.NextDouble();
        if (given < _rates.Nickname)
        {
            set |= Perturbation.Nickname;
        }
        else if (given < _rates.Nickname + _rates.QuotedNickname)
        {
            set |= Perturbation.QuotedNickname;
        }

        var middle = random.NextDouble();
        if (middle < _rates.MiddleInitial)
        {
            set |= Perturbation.MiddleInitial;
        }
        else if (middle < _rates.MiddleInitial + _rates.MiddleName)
        {
            set |= Perturbation.MiddleName;
        }
        else if (middle < _rates.MiddleInitial + _rates.MiddleName + _rates.GoesByMiddle)
        {
            set |= Perturbation.GoesByMiddle;
        }

        set |= Maybe(random, _rates.Suffix, Perturbation.Suffix);
        set |= Maybe(random, _rates.AccentDropped, Perturbation.AccentDropped);
        set |= Maybe(random, _rates.CompoundSurname, Perturbation.CompoundSurname);
        set |= Maybe(random, _rates.CaseChange, Perturbation.CaseChange);
        set |= Maybe(random, _rates.Typo, Perturbation.Typo);
        set |= Maybe(random, _rates.MissingState, Perturbation.MissingState);
        set |= Maybe(random, _rates.WrongDate, Perturbation.WrongDate);
        set |= Maybe(random, _rates.NoTrueMatch, Perturbation.NoTrueMatch);
        set |= Maybe(random, _rates.Namesake, Perturbation.Namesake);
        set |= Maybe(random, _rates.RepeatCandidate, Perturbation.RepeatCandidate);
        return set;
    }

    private static Perturbation Maybe(Random random, double rate, Perturbation flag) =>
        random.NextDouble() < rate ? flag : Perturbation.None;

    /// <summary>The person's name as HubSpot keeps it and as DDHQ prints it (before the race's case and order).</summary>
    public static (NameParts Crm, NameParts Ballot) Apply(Random random, Person person, Perturbation set)
    {
        var byMiddle = (set & Perturbation.GoesByMiddle) != 0;
        var used = byMiddle ? person.Middle : person.First;
        var nickname = byMiddle ? person.MiddleNickname : person.FirstNickname;
        var crm = new NameParts { Given = used, Last = person.Last, Suffix = person.Suffix };
        var ballot = new NameParts { Given = used, Last = person.Last, Suffix = person.Suffix, CommaBeforeSuffix = random.Next(10) < 3 };

        // Middle names. Goes-by-middle: HubSpot "Michael Turner", DDHQ "J. Michael Turner".
        if (byMiddle)
        {
            ballot.Given = Initial(person.First, random);
            ballot.Middle = person.Middle;
        }
        else if ((set & Perturbation.MiddleInitial) != 0)
        {
            (random.Next(4) == 0 ? crm : ballot).Middle = Initial(person.Middle, random);
        }
        else if ((set & Perturbation.MiddleName) != 0)
        {
            var (full, other) = random.Next(2) == 0 ? (crm, ballot) : (ballot, crm);
            full.Middle = person.Middle;
            other.Middle = random.Next(2) == 0 ? Initial(person.Middle, random) : null;
        }

        // Given names. The ballot's used name sits in the middle slot when the person goes by the middle name.
        if ((set & Perturbation.Nickname) != 0 && nickname is not null)
        {
            if (random.Next(10) < 6)
            {
                crm.Given = nickname;
            }
            else if (byMiddle)
            {
                ballot.Middle = nickname;
            }
            else
            {
                ballot.Given = nickname;
            }
        }
        else if ((set & Perturbation.QuotedNickname) != 0 && nickname is not null)
        {
            ballot.Quoted = nickname;
            var roll = random.Next(4);
            if (roll < 2)
            {
                crm.Given = nickname;
            }
            else if (roll == 2)
            {
                crm.Quoted = nickname;
            }
        }

        if ((set & Perturbation.Suffix) != 0)
        {
            (random.Next(2) == 0 ? crm : ballot).Suffix = null;
        }

        if ((set & Perturbation.CompoundSurname) != 0)
        {
            var side = random.Next(2) == 0 ? crm : ballot;
            side.Last = CompoundVariant(side.Last, random);
        }

        if ((set & Perturbation.AccentDropped) != 0)
        {
            var side = random.Next(5) < 2 ? crm : ballot;
            side.Given = AccentedNames.Strip(side.Given);
            side.Middle = side.Middle is null ? null : AccentedNames.Strip(side.Middle);
            side.Last = AccentedNames.Strip(side.Last);
            side.Quoted = side.Quoted is null ? null : AccentedNames.Strip(side.Quoted);
        }

        if ((set & Perturbation.Typo) != 0)
        {
            var side = random.Next(10) < 7 ? crm : ballot;
            if (random.Next(5) < 3)
            {
                side.Last = Typos.Apply(side.Last, random);
            }
            else if (byMiddle && side == ballot)
            {
                // The ballot's given name is an initial here; the name people read is the middle one.
                side.Middle = Typos.Apply(side.Middle!, random);
            }
            else
            {
                side.Given = Typos.Apply(side.Given, random);
            }
        }

        if ((set & Perturbation.CaseChange) != 0)
        {
            ChangeCase(crm, random);
        }

        return (crm, ballot);
    }

    /// <summary>"C." or "C": a middle or first initial as people write it.</summary>
    private static string Initial(string name, Random random) =>
        random.Next(5) == 0 ? name[..1] : name[..1] + ".";

    /// <summary>One way a two-part surname is written differently: hyphen ↔ space, joined, or one part only.</summary>
    public static string CompoundVariant(string last, Random random)
    {
        var hyphen = last.Contains('-', StringComparison.Ordinal);
        var parts = last.Split(hyphen ? '-' : ' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            throw new InvalidOperationException($"'{last}' is not a two-part surname; People makes one whenever compound_surname is drawn");
        }

        var particle = !hyphen && parts[0] is "Van" or "De" or "Del" or "La" or "Le" or "Da";
        var options = particle
            ? new[] { string.Concat(parts), parts[0] + string.Concat(parts.Skip(1)).ToLowerInvariant(), parts[^1] }
            : hyphen
                ? new[] { string.Join(' ', parts), parts[0], parts[^1] }
                : new[] { string.Join('-', parts), parts[0], string.Concat(parts) };
        return options[random.Next(options.Length)];
    }

    private static void ChangeCase(NameParts crm, Random random)
    {
        var roll = random.Next(20);
        var innerCapital = crm.Last.Skip(1).Any(char.IsUpper);
        if (roll < 3 && innerCapital)
        {
            // McDonald → Mcdonald, O'Brien → O'brien, DeLauro → Delauro.
            crm.Last = string.Concat(crm.Last[..1], crm.Last[1..].ToLowerInvariant());
            return;
        }

        var upper = roll >= 15;
        crm.Given = upper ? crm.Given.ToUpperInvariant() : crm.Given.ToLowerInvariant();
        crm.Last = upper ? crm.Last.ToUpperInvariant() : crm.Last.ToLowerInvariant();
        crm.Middle = crm.Middle is null ? null : upper ? crm.Middle.ToUpperInvariant() : crm.Middle.ToLowerInvariant();
        crm.Quoted = crm.Quoted is null ? null : upper ? crm.Quoted.ToUpperInvariant() : crm.Quoted.ToLowerInvariant();
        crm.Suffix = crm.Suffix is null ? null : upper ? crm.Suffix.ToUpperInvariant() : crm.Suffix.ToLowerInvariant();
    }
}
