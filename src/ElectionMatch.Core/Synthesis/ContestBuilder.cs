namespace ElectionMatch.Synthesis;

/// <summary>
/// Builds one contest: a seat in a state and a year, its races (primaries, the general, runoffs)
/// with 2–8 candidates each, the HubSpot candidacies of the GoodParty candidates among them, and
/// the true pairs. Holds the running ids and the pool of past candidates, so one builder makes one data set.
/// </summary>
internal sealed class ContestBuilder
{
    private const int PoolSize = 20_000;
    private const double NonpartisanPrimaryShare = 0.45;
    private const double PartyPrimaryShare = 0.6;
    private const double CrmKeepsDateShare = 0.9;
    private const double CrmGuessesPrimaryShare = 0.3;

    private static readonly WeightedTable<int> PrimarySizes = new([(2, 30.0), (3, 25), (4, 18), (5, 11), (6, 8), (7, 5), (8, 3)]);
    private static readonly WeightedTable<int> GeneralSizes = new([(2, 45.0), (3, 25), (4, 15), (5, 8), (6, 5), (7, 1), (8, 1)]);
    private static readonly WeightedTable<string> IndependentParties = new([("Independent", 70.0), ("Libertarian", 12), ("Green", 8), ("Forward", 10)]);
    private static readonly WeightedTable<string> GpRoles = new([("Independent", 55.0), ("Democratic", 25), ("Republican", 20)]);

    private readonly SynthSettings _settings;
    private readonly ElectionCalendar _calendar;
    private readonly People _people;
    private readonly Perturbations _perturbations;
    private readonly WeightedTable<OfficeKind> _offices = new(OfficeKind.All.Select(o => (o, o.Weight)).ToList());
    private readonly WeightedTable<OfficeKind> _localOffices = new(OfficeKind.All.Where(o => o.IsLocal).Select(o => (o, o.Weight)).ToList());
    private readonly string _idFormat;
    private readonly PastCandidate[] _pool = new PastCandidate[PoolSize];
    private int _pooled;
    private long _raceId = 300_000;
    private long _candidateId = 1_400_000;
    private int _candidacies;

    public ContestBuilder(SynthSettings settings, ElectionCalendar calendar, People people)
    {
        _settings = settings;
        _calendar = calendar;
        _people = people;
        _perturbations = new Perturbations(settings.Rates);
        _idFormat = "D" + Math.Max(6, settings.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
    }

    /// <summary>Someone on a ballot: a GoodParty candidate, a namesake of one, or anyone else.</summary>
    private sealed class Entrant(Person person, NameParts ballot, string party, int gp = -1, int namesakeOf = -1)
    {
        public Person Person { get; } = person;

        public NameParts Ballot { get; } = ballot;

        public string Party { get; } = party;

        /// <summary>Index of the GoodParty candidacy this entrant is, or -1 for everyone else.</summary>
        public int Gp { get; } = gp;

        /// <summary>Index of the GoodParty candidacy this entrant is a namesake of, or -1.</summary>
        public int NamesakeOf { get; } = namesakeOf;
    }

    /// <summary>A person who ran before, with the state and every year they ran in (one candidacy a year).</summary>
    private sealed class PastCandidate(Person person, StateCalendar state, string firstCandidacyId)
    {
        public Person Person { get; } = person;

        public StateCalendar State { get; } = state;

        public List<int> Years { get; } = new(2);

        /// <summary>The person's first candidacy, written before anyone knew the person would run again.</summary>
        public string FirstCandidacyId { get; } = firstCandidacyId;

        /// <summary>Whether the person has run again, so <see cref="FirstCandidacyId"/> is already listed as a repeat.</summary>
        public bool RanAgain { get; set; }
    }

    /// <summary>A GoodParty candidacy while its contest is built.</summary>
    private sealed class Candidacy(int index, Person person, Perturbation set)
    {
        public int Index { get; } = index;

        public Person Person { get; } = person;

        public Perturbation Set { get; set; } = set;

        public bool OffBallot { get; set; }

        public bool NotCovered { get; set; }

        public string Party { get; set; } = "Nonpartisan";

        public NameParts Crm { get; set; } = null!;

        public NameParts Ballot { get; set; } = null!;

        public List<(string Type, DateOnly Date, long CandidateId, Perturbation Style)> Appearances { get; } = new(4);

        public List<Entrant> SameRaceNamesakes { get; } = new(1);

        /// <summary>Dates on which a namesake is on a ballot in the state: a pair on such a date carries the namesake tag.</summary>
        public List<DateOnly> NamesakeDates { get; } = new(1);
    }

    /// <summary>A contest with that many GoodParty candidacies (0 for one no HubSpot row refers to).</summary>
    public SynthContest Build(Random random, int candidacies)
    {
        var contest = new SynthContest();
        var office = _offices.Sample(random);

        // Perturbations first: they decide which people can run (a repeat candidate must fit them).
        var gps = new List<Candidacy>(candidacies);
        var past = new PastCandidate?[candidacies];
        StateCalendar? state = null;
        var ranBefore = new List<int>(4);
        for (var i = 0; i < candidacies; i++)
        {
            var set = _perturbations.Draw(random) | (candidacies > 1 ? Perturbation.SharedContest : Perturbation.None);
            if ((set & Perturbation.RepeatCandidate) != 0)
            {
                past[i] = FindRepeat(random, set, state, past);
                if (past[i] is { } found)
                {
                    state ??= found.State;
                    ranBefore.AddRange(found.Years);
                    if (!found.RanAgain)
                    {
                        found.RanAgain = true;
                        contest.EarlierRepeats.Add(found.FirstCandidacyId);
                    }
                }
                else
                {
                    set &= ~Perturbation.RepeatCandidate;
                }
            }

            gps.Add(new Candidacy(i, past[i]?.Person ?? _people.New(random, set), set));
        }

        state ??= _calendar.SampleState(random);
        var year = _calendar.SampleYear(random, state, office.IsLocal, ranBefore);
        var dates = ElectionCalendar.Dates(state, year);
        var seat = Seat.Sample(office, state, random);
        var partisan = office.Partisan && year % 2 == 0;

        foreach (var gp in gps)
        {
            if ((gp.Set & Perturbation.NoTrueMatch) != 0)
            {
                // Either DDHQ does not cover the seat at all, or the person was not on the ballot.
                gp.NotCovered = gps.Count == 1 && random.Next(2) == 0;
                gp.OffBallot = !gp.NotCovered;
            }

            (gp.Crm, gp.Ballot) = Perturbations.Apply(random, gp.Person, gp.Set);
            gp.Party = partisan ? GpRoles.Sample(random) : "Nonpartisan";
            if (gp.Party == "Independent")
            {
                gp.Party = IndependentParties.Sample(random);
            }
        }

        var covered = !gps.Exists(g => g.NotCovered);
        for (var i = 0; i < gps.Count; i++)
        {
            if ((gps[i].Set & Perturbation.Namesake) != 0)
            {
                AddNamesake(random, contest, gps[i], covered, state, dates.General);
            }
        }

        if (covered)
        {
            if (partisan)
            {
                BuildPartisan(random, contest, seat, dates, gps);
            }
            else
            {
                BuildNonpartisan(random, contest, seat, dates, gps);
            }
        }

        for (var i = 0; i < gps.Count; i++)
        {
            AddCandidacy(random, contest, gps[i], office, seat, dates);
            if (past[i] is null)
            {
                past[i] = new PastCandidate(gps[i].Person, state, contest.Candidacies[^1].GpCandidacyId);
                _pool[_pooled++ % PoolSize] = past[i]!;
            }

            past[i]!.Years.Add(year);
        }

        return contest;
    }

    /// <summary>
    /// A past candidate who fits the new candidacy's perturbations, in the contest's state if it has one,
    /// with an even year left to run in. Random probes, since rare needs (an accent and a compound surname) fit few.
    /// </summary>
    private PastCandidate? FindRepeat(Random random, Perturbation set, StateCalendar? state, PastCandidate?[] taken)
    {
        var filled = Math.Min(_pooled, PoolSize);
        for (var attempt = 0; filled > 0 && attempt < 256; attempt++)
        {
            var entry = _pool[random.Next(filled)];
            if ((state is null || entry.State == state)
                && entry.Years.Count < _calendar.EvenYears.Count
                && People.Fits(entry.Person, set)
                && Array.IndexOf(taken, entry) < 0)
            {
                return entry;
            }
        }

        return null;
    }

    private void BuildNonpartisan(Random random, SynthContest contest, Seat seat, CycleDates dates, List<Candidacy> gps)
    {
        var entrants = new List<Entrant>(8);
        foreach (var gp in gps)
        {
            if (!gp.OffBallot)
            {
                entrants.Add(new Entrant(gp.Person, gp.Ballot, "Nonpartisan", gp.Index));
            }

            entrants.AddRange(gp.SameRaceNamesakes);
        }

        List<Entrant> general;
        if (dates.Primary is { } primaryDate && random.NextDouble() < NonpartisanPrimaryShare)
        {
            var primary = Race(random, contest, seat, "Primary", "primary", primaryDate, Fill(random, entrants, PrimarySizes.Sample(random), "Nonpartisan"), gps, out _);
            general = primary.GetRange(0, 2);
        }
        else
        {
            general = Fill(random, entrants, GeneralSizes.Sample(random), "Nonpartisan");
        }

        var ranked = Race(random, contest, seat, "General", "general", dates.General, general, gps, out var top);
        if (dates.GeneralRunoff is { } runoffDate && ranked.Count >= 3 && top < 0.5)
        {
            Race(random, contest, seat, "Runoff", "runoff", runoffDate, ranked.GetRange(0, 2), gps, out _);
        }
    }

    private void BuildPartisan(Random random, SynthContest contest, Seat seat, CycleDates dates, List<Candidacy> gps)
    {
        var general = new List<Entrant>(6);
        foreach (var party in (string[])["Democratic", "Republican"])
        {
            var entrants = new List<Entrant>(8);
            foreach (var gp in gps)
            {
                if (gp.Party == party && !gp.OffBallot)
                {
                    entrants.Add(new Entrant(gp.Person, gp.Ballot, party, gp.Index));
                    entrants.AddRange(gp.SameRaceNamesakes);
                }
            }

            if (entrants.Count == 0 && random.NextDouble() >= PartyPrimaryShare)
            {
                // An uncontested nomination: DDHQ lists no primary race for it.
                general.Add(Opponent(random, party));
                continue;
            }

            var ranked = Race(random, contest, seat, party + " Primary", "primary", dates.Primary!.Value, Fill(random, entrants, Math.Min(6, PrimarySizes.Sample(random)), party), gps, out var top);
            if (dates.PrimaryRunoff is { } runoffDate && ranked.Count >= 3 && top < 0.5)
            {
                ranked = Race(random, contest, seat, party + " Primary Runoff", "runoff", runoffDate, ranked.GetRange(0, 2), gps, out _);
            }

            general.Add(ranked[0]);
        }

        foreach (var gp in gps)
        {
            // Independents run in the general only; a namesake of someone not on the ballot runs there too.
            var major = gp.Party is "Democratic" or "Republican";
            if (!major && !gp.OffBallot)
            {
                general.Add(new Entrant(gp.Person, gp.Ballot, gp.Party, gp.Index));
            }

            if (!major || gp.OffBallot)
            {
                general.AddRange(gp.SameRaceNamesakes);
            }
        }

        for (var minor = random.Next(3); minor > 0; minor--)
        {
            general.Add(Opponent(random, IndependentParties.Sample(random)));
        }

        var final = Race(random, contest, seat, "General", "general", dates.General, general, gps, out var share);
        if (dates.GeneralRunoff is { } generalRunoff && final.Count >= 3 && share < 0.5)
        {
            Race(random, contest, seat, "Runoff", "runoff", generalRunoff, final.GetRange(0, 2), gps, out _);
        }
    }

    private List<Entrant> Fill(Random random, List<Entrant> entrants, int size, string party)
    {
        var field = new List<Entrant>(Math.Max(size, entrants.Count + 1));
        field.AddRange(entrants);
        while (field.Count < Math.Max(size, 2))
        {
            field.Add(Opponent(random, party));
        }

        return field;
    }

    private Entrant Opponent(Random random, string party)
    {
        var person = _people.Opponent(random);
        return new Entrant(person, Natural(random, person), party);
    }

    /// <summary>A ballot name as DDHQ prints most candidates: a middle initial on about a fifth, a quoted nickname now and then.</summary>
    private NameParts Natural(Random random, Person person)
    {
        var parts = new NameParts { Given = person.First, Last = person.Last, Suffix = person.Suffix, CommaBeforeSuffix = random.Next(10) < 3 };
        var roll = random.Next(100);
        if (roll < 20)
        {
            parts.Middle = person.Middle[..1] + ".";
        }
        else if (roll < 23)
        {
            parts.Middle = person.Middle;
        }

        if (random.Next(100) < 3)
        {
            parts.Quoted = person.FirstNickname ?? _people.Given.Nickname(random, person.First, person.IsMale);
        }

        return parts;
    }

    /// <summary>
    /// A namesake of a GoodParty candidate who is someone else: the same surname with another given
    /// name (of either sex, or the look-alike of the other sex: Gerald ↔ Geraldine) in the same race,
    /// or the very same name in another race on the same date in the same state.
    /// </summary>
    private void AddNamesake(Random random, SynthContest contest, Candidacy gp, bool covered, StateCalendar state, DateOnly general)
    {
        var person = gp.Person;
        var variant = covered ? random.Next(5) : 4;
        if (variant < 3)
        {
            var lookalike = variant == 2 ? _people.Given.OtherSex(person.First) : null;
            var other = _people.New(random);
            if (lookalike is not null)
            {
                other = other with { First = lookalike, IsMale = !person.IsMale, Suffix = null, FirstNickname = null };
            }
            else
            {
                for (var attempt = 0; attempt < 8 && (other.First == person.First || other.First == person.FirstNickname || other.First == person.Middle); attempt++)
                {
                    other = _people.New(random);
                }
            }

            other = other with { Last = person.Last };
            var party = gp.Party is "Democratic" or "Republican" && !gp.OffBallot ? gp.Party : gp.Party == "Nonpartisan" ? "Nonpartisan" : IndependentParties.Sample(random);
            gp.SameRaceNamesakes.Add(new Entrant(other, Natural(random, other), party, namesakeOf: gp.Index));
            return;
        }

        // The same full name in another local race on the same day in the same state.
        var twin = _people.New(random) with
        {
            IsMale = person.IsMale,
            First = person.First,
            Middle = person.Middle,
            Last = person.Last,
            Suffix = person.Suffix,
            FirstNickname = person.FirstNickname,
            MiddleNickname = person.MiddleNickname,
        };
        var office = _localOffices.Sample(random);
        var seat = Seat.Sample(office, state, random);
        var field = Fill(random, [new Entrant(twin, Natural(random, twin), "Nonpartisan")], 2 + random.Next(3), "Nonpartisan");
        Race(random, contest, seat, "General", "general", general, field, [], out _);
        gp.NamesakeDates.Add(general);
    }

    /// <summary>Writes one race's rows, ranked by votes (the first wins), and notes where each GoodParty candidate appears.</summary>
    private List<Entrant> Race(Random random, SynthContest contest, Seat seat, string stage, string type, DateOnly date, List<Entrant> field, List<Candidacy> gps, out double topShare)
    {
        var turnout = Turnout(random, seat.Office.Level, type);
        var weights = new double[field.Count];
        var total = 0.0;
        for (var i = 0; i < field.Count; i++)
        {
            // Gamma(2) shares: most races are won by a margin, few by a landslide.
            weights[i] = -Math.Log(1.0 - random.NextDouble()) - Math.Log(1.0 - random.NextDouble());
            total += weights[i];
        }

        // Rank by votes; fields are small, so an insertion sort (stable, no delegate) is the cheapest.
        var order = new int[field.Count];
        for (var i = 0; i < order.Length; i++)
        {
            var j = i;
            while (j > 0 && weights[order[j - 1]] < weights[i])
            {
                order[j] = order[j - 1];
                j--;
            }

            order[j] = i;
        }

        var style = (random.NextDouble() < _settings.Rates.UpperCaseBallot ? Perturbation.UpperCaseBallot : Perturbation.None)
            | (random.NextDouble() < _settings.Rates.LastFirstBallot ? Perturbation.LastFirstBallot : Perturbation.None);
        var upper = (style & Perturbation.UpperCaseBallot) != 0;
        var lastFirst = (style & Perturbation.LastFirstBallot) != 0;
        _raceId += 1 + random.Next(3);
        var raceName = seat.RaceName(stage);
        var ranked = new List<Entrant>(field.Count);
        for (var rank = 0; rank < order.Length; rank++)
        {
            var entrant = field[order[rank]];
            _candidateId += 1 + random.Next(7);
            var votes = (long)Math.Round(turnout * weights[order[rank]] / total);
            contest.Results.Add(new ResultRow(
                _raceId, raceName, _candidateId, entrant.Ballot.BallotName(upper, lastFirst), entrant.Party, rank == 0, votes,
                date, seat.State.Code, type, seat.Office.DdhqOffice, seat.District, false, style));
            if (entrant.Gp >= 0)
            {
                gps[entrant.Gp].Appearances.Add((type, date, _candidateId, style));
            }
            else if (entrant.NamesakeOf >= 0)
            {
                gps[entrant.NamesakeOf].NamesakeDates.Add(date);
            }

            ranked.Add(entrant);
        }

        contest.RaceCount++;
        topShare = weights[order[0]] / total;
        return ranked;
    }

    private static double Turnout(Random random, string level, string type)
    {
        var (low, high) = level switch
        {
            "federal" => (150_000, 350_000),
            "state" => (20_000, 80_000),
            "county" => (10_000, 100_000),
            _ => (2_000, 30_000),
        };
        var scale = type switch { "primary" => 0.4, "runoff" => 0.25, _ => 1.0 };
        return (low + random.NextDouble() * (high - low)) * scale;
    }

    private void AddCandidacy(Random random, SynthContest contest, Candidacy gp, OfficeKind office, Seat seat, CycleDates dates)
    {
        var primary = gp.Appearances.Find(a => a.Type == "primary");
        DateOnly? primaryDate = primary.Type is not null
            ? (random.NextDouble() < CrmKeepsDateShare ? primary.Date : null)
            : dates.Primary is { } statePrimary && random.NextDouble() < CrmGuessesPrimaryShare ? statePrimary : null;
        DateOnly? generalDate = dates.General;
        var runoff = gp.Appearances.FindLast(a => a.Type == "runoff");
        DateOnly? runoffDate = runoff.Type is not null && random.NextDouble() < CrmKeepsDateShare ? runoff.Date : null;

        if ((gp.Set & Perturbation.WrongDate) != 0)
        {
            // A week off or the wrong year, in the primary or the general date.
            var wrongPrimary = primaryDate is not null && random.Next(2) == 0;
            var typed = wrongPrimary ? primaryDate!.Value : generalDate.Value;
            typed = random.Next(10) < 7 ? typed.AddDays(random.Next(2) == 0 ? -7 : 7) : typed.AddYears(random.Next(2) == 0 ? -1 : 1);
            if (wrongPrimary)
            {
                primaryDate = typed;
            }
            else
            {
                generalDate = typed;
            }
        }

        var id = "gpc-" + (++_candidacies).ToString(_idFormat, System.Globalization.CultureInfo.InvariantCulture);
        var crmParty = gp.Party == "Nonpartisan" && random.Next(10) < 3 ? "Independent" : gp.Party;
        var row = new CandidacyRow(
            id,
            gp.Person.ContactId,
            gp.Crm.CrmFirstName(),
            gp.Crm.CrmLastName(),
            (gp.Set & Perturbation.MissingState) != 0 ? null : seat.State.Code,
            office.CrmOffice,
            seat.CrmName(random),
            office.Level,
            seat.District,
            crmParty,
            primaryDate,
            generalDate,
            runoffDate,
            gp.Set);
        contest.Candidacies.Add(row);

        DateOnly? firstTrue = null;
        foreach (var (type, date) in row.Stages())
        {
            foreach (var appearance in gp.Appearances)
            {
                if (appearance.Type == type && appearance.Date == date)
                {
                    contest.Truth.Add(new TruthPair(id, type, appearance.CandidateId, Tags(gp, appearance)));
                    firstTrue = firstTrue is { } first && first < date ? first : date;
                    break;
                }
            }
        }

        // A runoff the person ran in that HubSpot does not list (its date dropped, or a primary runoff before the listed
        // general runoff) is still this candidacy's stage: spec 000's step 6 discovers it from an election of the candidacy
        // the match links, so it is a true pair when the candidacy has one on an earlier date. Without one (every earlier
        // stage unlisted or mistyped) no correct link leads to it, and the output has no row for it to be scored on.
        foreach (var appearance in gp.Appearances)
        {
            if (appearance.Type == "runoff" && appearance.Date != row.RunoffElectionDate && firstTrue < appearance.Date)
            {
                contest.Truth.Add(new TruthPair(id, "runoff", appearance.CandidateId, Tags(gp, appearance) | Perturbation.UnlistedRunoff));
            }
        }
    }

    /// <summary>The candidacy's perturbations and the race's printing style; the namesake tag only on a date the namesake runs on (not a primary they lost).</summary>
    private static Perturbation Tags(Candidacy gp, (string Type, DateOnly Date, long CandidateId, Perturbation Style) appearance) =>
        (gp.NamesakeDates.Contains(appearance.Date) ? gp.Set : gp.Set & ~Perturbation.Namesake) | appearance.Style;
}
