namespace ElectionMatch.Synthesis;

/// <summary>The snake_case name of each perturbation, as in <see cref="PerturbationRates.Names"/> and the truth files (<c>unlisted_runoff</c> has no rate: it is a fact of a truth pair).</summary>
internal static class PerturbationNames
{
    private static readonly (Perturbation Flag, string Name)[] All =
    [
        (Perturbation.Nickname, "nickname"),
        (Perturbation.QuotedNickname, "quoted_nickname"),
        (Perturbation.MiddleInitial, "middle_initial"),
        (Perturbation.MiddleName, "middle_name"),
        (Perturbation.GoesByMiddle, "goes_by_middle"),
        (Perturbation.Suffix, "suffix"),
        (Perturbation.AccentDropped, "accent_dropped"),
        (Perturbation.CompoundSurname, "compound_surname"),
        (Perturbation.CaseChange, "case_change"),
        (Perturbation.Typo, "typo"),
        (Perturbation.MissingState, "missing_state"),
        (Perturbation.WrongDate, "wrong_date"),
        (Perturbation.NoTrueMatch, "no_true_match"),
        (Perturbation.Namesake, "namesake"),
        (Perturbation.RepeatCandidate, "repeat_candidate"),
        (Perturbation.SharedContest, "shared_contest"),
        (Perturbation.UpperCaseBallot, "upper_case_ballot"),
        (Perturbation.LastFirstBallot, "last_first_ballot"),
        (Perturbation.UnlistedRunoff, "unlisted_runoff"),
    ];

    public static IEnumerable<Perturbation> Flags => All.Select(a => a.Flag);

    public static string NameOf(Perturbation flag) =>
        All.First(a => a.Flag == flag).Name;

    /// <summary>The flags whose names <see cref="Join"/> joined.</summary>
    public static Perturbation Parse(string joined) =>
        joined.Length == 0 ? Perturbation.None : joined.Split(';').Aggregate(Perturbation.None, (set, name) => set | All.First(a => a.Name == name).Flag);

    /// <summary>The names of the set flags joined by ';' in a fixed order ("" for none): cheap enough per row.</summary>
    public static string Join(Perturbation set)
    {
        if (set == Perturbation.None)
        {
            return "";
        }

        var builder = new System.Text.StringBuilder();
        foreach (var (flag, name) in All)
        {
            if ((set & flag) != 0)
            {
                if (builder.Length > 0)
                {
                    builder.Append(';');
                }

                builder.Append(name);
            }
        }

        return builder.ToString();
    }
}
