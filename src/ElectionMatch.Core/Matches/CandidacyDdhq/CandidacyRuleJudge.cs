using System.Globalization;
using ElectionMatch.Matching.Judging;

namespace ElectionMatch.Matches.CandidacyDdhq;

/// <summary>
/// The offline judge for HubSpot → DDHQ: spec 000's LLM calibration applied as rules to the comparison
/// evidence. Start from 100; −8 when the names only partly agree (a nickname, close spelling, initial, middle name or
/// short form, or one word of a compound surname), once as the spec says ("only a partial name match"), −15 when no
/// name part agrees exactly (a surname word shared exactly does), −25 for a gender mismatch; a different surname, a
/// different first name or another office cannot be accepted. Charged for each part, −8 made every true pair with a
/// nickname and a typo in its surname 69, one below the default judge_accept (docs/quality.md). A second candidate
/// nearly as plausible costs the answer its certainty, so look-alikes are left undecided rather than guessed, unless all
/// that sets them apart is that one first name is the name itself or a listed nickname and the other's only a close
/// spelling or an unlisted short form (Dan with DANIEL and DANA on the ballot): the named form is preferred. An answer
/// of no candidate carries its confidence that none fits, as an LLM's does: 100 less the most points a candidate earns.
/// </summary>
internal sealed class CandidacyRuleJudge : IMatchJudge
{
    public const string LinkedElsewhere = "linked_to_other_row";

    private const int PartialPenalty = 8;
    private const int NoExactPenalty = 15;
    private const int GenderPenalty = 25;
    private const int DistrictPenalty = 20;
    private const int SuffixPenalty = 15;
    private const int MiddlePenalty = 10;
    private const int AmbiguityMargin = 10;
    private const int AmbiguityPenalty = 35;

    private static readonly HashSet<string> PartialFirst = ["nickname", "fuzzy", "prefix", "middle", "initial", "short_form"];
    private static readonly HashSet<string> PartialLast = [ExactWordOfSurname, "fuzzy", "fuzzy_low"];

    // First-name levels a list or the name itself vouches for, and those only the letters do (a close spelling, a prefix,
    // a contracted short form): the weaker evidence the first name's LevelOrder bounds keep below a listed nickname.
    private static readonly HashSet<string> NamedFirst = ["exact", "nickname"];
    private static readonly HashSet<string> SpelledFirst = ["fuzzy", "prefix", "short_form"];

    // The surname level of one word shared exactly (CandidacyDdhqComparisons: partial).
    private const string ExactWordOfSurname = "partial";

    public string Name => "offline/rules-v1";

    public Task<IReadOnlyList<JudgeAnswer>> JudgeAsync(JudgeRequest request, CancellationToken cancellationToken)
    {
        var scored = request.Rows
            .Select((row, place) => (Row: row, Place: place, Options: request.Candidates
                .Where(c => !IsLinkedElsewhere(c) && row.Evidence.ContainsKey(c.Number))
                .Select(c => Score(row.Evidence[c.Number], c))
                .OrderByDescending(o => o.Confidence)
                .ThenByDescending(o => NamedFirst.Contains(o.First))
                .ThenBy(o => o.Candidate.Number)
                .ToList()))
            .ToList();

        // Most certain rows choose first, so two rows never take the same candidate; of rows as certain, the first in the
        // contest's order (its rows' input order). Not by key: a key's number depends on the rows numbered before it (a
        // plain run's, a partition's own run's, a batch of partitions'), and as text "10" sorts before "9".
        var taken = new Dictionary<int, JudgeRow>();
        var answers = new Dictionary<string, JudgeAnswer>(StringComparer.Ordinal);
        foreach (var (row, _, options) in scored.OrderByDescending(s => s.Options.Count > 0 ? s.Options[0].Confidence : -1).ThenBy(s => s.Place))
        {
            var free = options.Where(o => !taken.ContainsKey(o.Candidate.Number)).ToList();
            if (free.Count == 0 || free[0].Confidence <= 0)
            {
                var (none, because) = NoneConfidence(row, request.Candidates);
                answers[row.Key] = new JudgeAnswer(row.Key, 0, none, NoneFits(options, free, taken) + "; " + because);
                continue;
            }

            var best = free[0];
            var confidence = best.Confidence;
            var reason = best.Reason;
            var close = free.Skip(1).Where(o => o.Confidence >= best.Confidence - AmbiguityMargin && o.Confidence > 0).ToList();
            var spelled = close.TakeWhile(o => OnlySpelledApart(best, o)).ToList();
            if (spelled.Count < close.Count)
            {
                var other = close[spelled.Count];
                confidence = Math.Max(0, confidence - AmbiguityPenalty);
                reason += string.Create(CultureInfo.InvariantCulture, $"; but candidate {other.Candidate.Number} ({other.Candidate.Name}) is nearly as plausible ({other.Confidence}), so this is not certain (-{AmbiguityPenalty})");
            }
            else if (spelled.Count > 0)
            {
                reason += "; preferred to " + string.Join(", ", spelled.Select(o => string.Create(CultureInfo.InvariantCulture, $"candidate {o.Candidate.Number} ({o.Candidate.Name}, {o.Confidence})")))
                    + $": the first name {best.First} against only a close spelling or short form, all else alike";
            }

            // Another row of this contest with an equally good claim on the same candidate: the evidence cannot tell them apart.
            var rival = scored.FirstOrDefault(o => o.Row.Key != row.Key && o.Options.Count > 0 && o.Options[0].Candidate.Number == best.Candidate.Number
                && o.Options[0].Confidence >= best.Confidence - AmbiguityMargin);
            if (rival.Row is not null)
            {
                confidence = Math.Max(0, confidence - AmbiguityPenalty);
                reason += string.Create(CultureInfo.InvariantCulture, $"; but {Named(rival.Row)} fits this candidate as well ({rival.Options[0].Confidence}), so this is not certain (-{AmbiguityPenalty})");
            }

            taken.Add(best.Candidate.Number, row);
            answers[row.Key] = new JudgeAnswer(row.Key, best.Candidate.Number, confidence, $"candidate {best.Candidate.Number} ({best.Candidate.Name}): {reason}");
        }

        return Task.FromResult<IReadOnlyList<JudgeAnswer>>(request.Rows.Select(r => answers[r.Key]).ToList());
    }

    /// <summary>
    /// Why a row gets no candidate: a candidate that fits it but was chosen for another row of the request first is
    /// named with that row (else "no candidate fits" would be false of it), then why the closest free ones fail, a
    /// shared surname first.
    /// </summary>
    private static string NoneFits(List<Option> options, List<Option> free, Dictionary<int, JudgeRow> taken)
    {
        var chosenElsewhere = options.Where(o => o.Confidence > 0 && taken.ContainsKey(o.Candidate.Number))
            .Select(o => string.Create(CultureInfo.InvariantCulture, $"candidate {o.Candidate.Number} ({o.Candidate.Name}) fits ({o.Confidence}) but was chosen for {Named(taken[o.Candidate.Number])}"))
            .ToList();
        var closest = free.OrderBy(o => o.Reason.StartsWith("different surname", StringComparison.Ordinal)).ThenBy(o => o.Candidate.Number).Take(3)
            .Select(o => $"{o.Candidate.Name}: {o.Reason}").ToList();
        if (chosenElsewhere.Count > 0)
        {
            return "no free candidate fits: " + string.Join("; ", chosenElsewhere.Concat(closest));
        }

        return free.Count == 0 ? "no candidate of this contest is free to match" : "no candidate fits: " + string.Join("; ", closest);
    }

    /// <summary>
    /// The confidence that none of the candidates is the row's, what an LLM's answer 0 reports: 100 less the most points
    /// any candidate earns for the row, counting those chosen for another row of the request or linked to another row
    /// by score, which this judge never takes but which may yet be the row's. Every candidate at a veto level: 100.
    /// Not measured against judge_accept, which is applied to the answers afterwards, as to an LLM's.
    /// </summary>
    private static (int Confidence, string Reason) NoneConfidence(JudgeRow row, IReadOnlyList<JudgeCandidate> candidates)
    {
        var none = NoneFitsConfidence.Of(candidates.Where(c => row.Evidence.ContainsKey(c.Number))
            .Select(c => (c, Score(row.Evidence[c.Number], c).Confidence, IsLinkedElsewhere(c) ? ", linked to another row," : "")));
        return (none.Confidence, none.Reason);
    }

    private static bool IsLinkedElsewhere(JudgeCandidate candidate) => candidate.Attributes.GetValueOrDefault(LinkedElsewhere) == "yes";

    /// <summary>Another row of the contest as its user knows it: its name and input id (the run's key only when the caller gave no id).</summary>
    private static string Named(JudgeRow row) => $"{row.Name} ({(row.Id is null ? "row " + row.Key : row.Id)})";

    private static Option Score(IReadOnlyDictionary<string, string> evidence, JudgeCandidate candidate)
    {
        var first = evidence.GetValueOrDefault("first_name", "null");
        var last = evidence.GetValueOrDefault("last_name", "null");
        if (last == "different")
        {
            return new Option(candidate, 0, "different surname");
        }

        if (first == "different")
        {
            return new Option(candidate, 0, "different first name (no rule connects them: listed nickname, close spelling, prefix, middle name, initial or short form)");
        }

        if (evidence.GetValueOrDefault("suffix") == "other_generation")
        {
            return new Option(candidate, 0, "another generation (its generational suffix and the candidacy's differ, Jr. against Sr.: father and son are two people)");
        }

        // The CRM names the office run for: a namesake on another race's ballot that day is another person.
        if (evidence.GetValueOrDefault("office") == "different")
        {
            return new Option(candidate, 0, "different office (the race name does not contain the candidacy's office)");
        }

        var confidence = 100;
        var notes = new List<string>();
        var exact = 0;
        var partial = false;
        foreach (var (part, level, partialLevels) in new[] { ("first name", first, PartialFirst), ("surname", last, PartialLast) })
        {
            if (level == "exact" || (part == "surname" && level == ExactWordOfSurname))
            {
                // A word of a compound surname the other side has exactly (Scurry-Smith and SMITH) is an exact name component.
                exact++;
            }

            partial |= partialLevels.Contains(level);
            if (level == "exact" || partialLevels.Contains(level))
            {
                notes.Add($"{part} {level}");
            }
        }

        if (partial)
        {
            confidence -= PartialPenalty;
            notes.Add($"only a partial name match (-{PartialPenalty})");
        }

        if (exact == 0)
        {
            confidence -= NoExactPenalty;
            notes.Add($"no exact name part (-{NoExactPenalty})");
        }

        var charged = notes.Count;
        Penalise(evidence, "sex", "conflict", GenderPenalty, "gender mismatch", ref confidence, notes);
        Penalise(evidence, "district", "different", DistrictPenalty, "different district", ref confidence, notes);
        Penalise(evidence, "suffix", "different", SuffixPenalty, "different generational suffix", ref confidence, notes);
        Penalise(evidence, "middle_name", "different", MiddlePenalty, "different middle name", ref confidence, notes);
        // What must be alike for a named first name to be preferred to a spelled one (OnlySpelledApart): the charges, and
        // the levels that are evidence without a charge, so a middle name, suffix or district that agrees with one of
        // the two (and is unknown for the other) sets them apart as a charge would.
        var charges = "surname " + last + "; " + string.Join(", ", notes.Skip(charged))
            + string.Concat(new[] { "middle_name", "suffix", "district" }.Select(c => $"; {c} {evidence.GetValueOrDefault(c)}"));
        return new Option(candidate, Math.Max(0, confidence), string.Join(", ", notes) + string.Create(CultureInfo.InvariantCulture, $" = {Math.Max(0, confidence)}"), first, charges);
    }

    /// <summary>
    /// Whether all that sets <paramref name="other"/> apart from <paramref name="best"/> is that best's first name is the
    /// name itself or a listed nickname and other's only a spelling or short form of it, with the same surname level and
    /// the same charges (Dan: DANIEL a listed nickname, DANA a close spelling). A second nickname, an initial or a middle
    /// name, or any other charge, leaves the two as near as their confidences say.
    /// </summary>
    private static bool OnlySpelledApart(Option best, Option other) =>
        NamedFirst.Contains(best.First) && SpelledFirst.Contains(other.First) && best.Charges == other.Charges;

    private static void Penalise(IReadOnlyDictionary<string, string> evidence, string comparison, string level, int penalty, string what, ref int confidence, List<string> notes)
    {
        if (evidence.GetValueOrDefault(comparison) == level)
        {
            confidence -= penalty;
            notes.Add($"{what} (-{penalty})");
        }
    }

    /// <param name="First">The first name's level.</param>
    /// <param name="Charges">The surname's level, the charges besides the names' (gender, district, suffix, middle name), and the middle name's, suffix's and district's levels.</param>
    private sealed record Option(JudgeCandidate Candidate, int Confidence, string Reason, string First = "", string Charges = "");
}
