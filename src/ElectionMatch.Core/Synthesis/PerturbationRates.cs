using System.Globalization;

namespace ElectionMatch.Synthesis;

/// <summary>
/// How often <c>electionmatch synth</c> applies each perturbation. The defaults resemble what the
/// HubSpot and DDHQ data and the real development sets show; every rate is a probability in [0, 1].
/// </summary>
public sealed record PerturbationRates
{
    /// <summary>Per candidacy: one side has the nickname (Bob), the other the formal name (Robert).</summary>
    public double Nickname { get; init; } = 0.07;

    /// <summary>Per candidacy: DDHQ prints the nickname in quotes (<c>Robert "Bobby" Scott</c>).</summary>
    public double QuotedNickname { get; init; } = 0.03;

    /// <summary>Per candidacy: a middle initial on one side only (DDHQ ballot names often carry one).</summary>
    public double MiddleInitial { get; init; } = 0.15;

    /// <summary>Per candidacy: the full middle name on one side, an initial or nothing on the other.</summary>
    public double MiddleName { get; init; } = 0.04;

    /// <summary>Per candidacy: the person goes by the middle name (<c>J. Michael Turner</c> ↔ <c>Michael Turner</c>).</summary>
    public double GoesByMiddle { get; init; } = 0.01;

    /// <summary>Per candidacy: Jr./Sr./II/III on one side only.</summary>
    public double Suffix { get; init; } = 0.03;

    /// <summary>Per candidacy: accents on one side, dropped on the other (<c>Núñez</c> ↔ <c>NUNEZ</c>).</summary>
    public double AccentDropped { get; init; } = 0.02;

    /// <summary>Per candidacy: a two-part surname split, joined, hyphenated or shortened on one side.</summary>
    public double CompoundSurname { get; init; } = 0.03;

    /// <summary>Per candidacy: HubSpot's name in lower or upper case, or an inner capital lost (<c>Mcdonald</c>).</summary>
    public double CaseChange { get; init; } = 0.03;

    /// <summary>Per candidacy: one typing mistake in the first or last name on one side.</summary>
    public double Typo { get; init; } = 0.03;

    /// <summary>Per candidacy: HubSpot's state is blank.</summary>
    public double MissingState { get; init; } = 0.02;

    /// <summary>Per candidacy: one HubSpot election date is mistyped, so that stage has no true match.</summary>
    public double WrongDate { get; init; } = 0.02;

    /// <summary>Per candidacy: no results row is this person's (the seat is not covered, or the person was not on the ballot).</summary>
    public double NoTrueMatch { get; init; } = 0.10;

    /// <summary>Per candidacy: another person with the same surname (or same full name) runs in the race or on the same date in the state.</summary>
    public double Namesake { get; init; } = 0.05;

    /// <summary>Per candidacy: the person ran before, in another cycle (same contact id, new candidacy id).</summary>
    public double RepeatCandidate { get; init; } = 0.12;

    /// <summary>Per contest with a candidacy: a second GoodParty candidacy runs for the same seat.</summary>
    public double SharedContest { get; init; } = 0.02;

    /// <summary>Per contest: no candidacy refers to it, so all its results rows are unreferenced.</summary>
    public double UnreferencedContest { get; init; } = 0.25;

    /// <summary>Per race: every name printed in upper case.</summary>
    public double UpperCaseBallot { get; init; } = 0.30;

    /// <summary>Per race: every name printed "Last, First".</summary>
    public double LastFirstBallot { get; init; } = 0.05;

    /// <summary>The rate names as written on the command line and in the truth files, in a stable order.</summary>
    public static IReadOnlyList<string> Names => [.. Accessors.Keys];

    private static SortedList<string, Rate> Accessors { get; } = new(StringComparer.Ordinal)
    {
        ["nickname"] = new(r => r.Nickname, (r, v) => r with { Nickname = v }, "candidacy", "nickname on one side, formal name on the other (Bob ↔ Robert)"),
        ["quoted_nickname"] = new(r => r.QuotedNickname, (r, v) => r with { QuotedNickname = v }, "candidacy", "DDHQ prints the nickname in quotes (Robert \"Bobby\" Scott)"),
        ["middle_initial"] = new(r => r.MiddleInitial, (r, v) => r with { MiddleInitial = v }, "candidacy", "a middle initial on one side only"),
        ["middle_name"] = new(r => r.MiddleName, (r, v) => r with { MiddleName = v }, "candidacy", "the full middle name on one side, an initial or nothing on the other"),
        ["goes_by_middle"] = new(r => r.GoesByMiddle, (r, v) => r with { GoesByMiddle = v }, "candidacy", "goes by the middle name (J. Michael Turner ↔ Michael Turner)"),
        ["suffix"] = new(r => r.Suffix, (r, v) => r with { Suffix = v }, "candidacy", "Jr./Sr./II/III on one side only"),
        ["accent_dropped"] = new(r => r.AccentDropped, (r, v) => r with { AccentDropped = v }, "candidacy", "accents on one side only (Núñez ↔ NUNEZ)"),
        ["compound_surname"] = new(r => r.CompoundSurname, (r, v) => r with { CompoundSurname = v }, "candidacy", "two-part surname hyphenated, split, joined or shortened on one side"),
        ["case_change"] = new(r => r.CaseChange, (r, v) => r with { CaseChange = v }, "candidacy", "HubSpot name in lower or upper case, or an inner capital lost (Mcdonald)"),
        ["typo"] = new(r => r.Typo, (r, v) => r with { Typo = v }, "candidacy", "one typing mistake in the first or last name on one side"),
        ["missing_state"] = new(r => r.MissingState, (r, v) => r with { MissingState = v }, "candidacy", "HubSpot state blank"),
        ["wrong_date"] = new(r => r.WrongDate, (r, v) => r with { WrongDate = v }, "candidacy", "one HubSpot date a week or a year off: that stage has no true match"),
        ["no_true_match"] = new(r => r.NoTrueMatch, (r, v) => r with { NoTrueMatch = v }, "candidacy", "no results row is the person's (seat not covered, or not on the ballot)"),
        ["namesake"] = new(r => r.Namesake, (r, v) => r with { Namesake = v }, "candidacy", "someone else with the same surname in the race, or the same full name in another race that day in the state"),
        ["repeat_candidate"] = new(r => r.RepeatCandidate, (r, v) => r with { RepeatCandidate = v }, "candidacy", "the person ran in another cycle too (same contact id); the rate draws the later candidacies, and every candidacy of such a person is tagged, the first too"),
        ["shared_contest"] = new(r => r.SharedContest, (r, v) => r with { SharedContest = v }, "contest with a candidacy", "a second GoodParty candidacy for the same seat"),
        ["unreferenced_contest"] = new(r => r.UnreferencedContest, (r, v) => r with { UnreferencedContest = v }, "contest", "no candidacy refers to the contest's results rows"),
        ["upper_case_ballot"] = new(r => r.UpperCaseBallot, (r, v) => r with { UpperCaseBallot = v }, "race", "the race prints every name in upper case"),
        ["last_first_ballot"] = new(r => r.LastFirstBallot, (r, v) => r with { LastFirstBallot = v }, "race", "the race prints every name \"Last, First\""),
    };

    private sealed record Rate(Func<PerturbationRates, double> Get, Func<PerturbationRates, double, PerturbationRates> Set, string Per, string What);

    /// <summary>What a rate is counted per (candidacy, contest, race) and what the perturbation does, in words.</summary>
    public static (string Per, string What) Describe(string name) =>
        Accessors.TryGetValue(name, out var rate) ? (rate.Per, rate.What) : throw UnknownName(name);

    /// <summary>Every rate set to zero: the generator's plainest data.</summary>
    public static PerturbationRates Zero { get; } = Names.Aggregate(new PerturbationRates(), (r, name) => r.With(name, 0));

    public double Get(string name) =>
        Accessors.TryGetValue(name, out var accessor) ? accessor.Get(this) : throw UnknownName(name);

    public PerturbationRates With(string name, double rate) =>
        Accessors.TryGetValue(name, out var accessor) ? accessor.Set(this, rate) : throw UnknownName(name);

    /// <summary>Problems that make the rates unusable, in words; empty when they are fine.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        foreach (var name in Names)
        {
            var rate = Get(name);
            if (!(rate >= 0 && rate <= 1))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"rate '{name}' is {rate}; a rate is between 0 and 1"));
            }
        }

        ExclusiveGroup(problems, "nickname", "quoted_nickname");
        ExclusiveGroup(problems, "middle_initial", "middle_name", "goes_by_middle");

        if (UnreferencedContest >= 1)
        {
            problems.Add("unreferenced_contest must be below 1, or no candidacy would ever be generated");
        }

        return problems;
    }

    /// <summary>
    /// Rates of which a candidacy gets at most one must not exceed 1 together. Each is named with its value, since a default
    /// the user never gave may be what tips the sum over (--rate nickname=1 with quoted_nickname's 0.03).
    /// </summary>
    private void ExclusiveGroup(List<string> problems, params string[] names)
    {
        var rates = names.Select(Get).ToList();
        if (!rates.All(r => r >= 0 && r <= 1) || rates.Sum() <= 1)
        {
            return;
        }

        var c = CultureInfo.InvariantCulture;
        var terms = string.Join(" + ", names.Select(n => string.Create(c, $"{n} ({Get(n)})")));
        // The smallest rate whose removal alone brings the sum to 1, if one does.
        var enough = names.Where(n => Get(n) > 0 && rates.Sum() - Get(n) <= 1).MinBy(Get);
        var example = enough is null ? "" : $", for example --rate {enough}=0";
        problems.Add($"{terms} exceed 1; a candidacy gets at most one of them: lower one{example}");
    }

    private static ArgumentException UnknownName(string name) =>
        new($"unknown perturbation '{name}'; known: {string.Join(", ", Names)}", nameof(name));
}
