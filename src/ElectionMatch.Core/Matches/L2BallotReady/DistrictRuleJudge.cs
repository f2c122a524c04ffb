using System.Globalization;
using System.Text.RegularExpressions;
using ElectionMatch.Matching;
using ElectionMatch.Matching.Judging;

namespace ElectionMatch.Matches.L2BallotReady;

/// <summary>
/// The offline judge for L2 districts → BallotReady positions: spec 000's decision rules applied to the
/// comparison evidence of each candidate. An office above state level takes no district. A candidate fits
/// only when its district type suits the office (the functional role: a School Board sits for a school
/// district), its number agrees (District 15 is never District 5, and a numbered seat never takes the
/// whole district it is part of) and its place agrees (geographic alignment); seats and places are not
/// districts and are ignored. The best fit wins unless another is nearly as good — then, unsure, the answer is 0;
/// unsure too when the position's name names no place and a district of its office names one. A district whose name
/// names no place fits only when its kind is numbered state-wide (STATE HOUSE 015): any other's place is unknown
/// (CITY CNCL 05, ISD 11, #N/A), never taken over a district whose place agrees, and alone it leaves the answer unsure.
/// An answer 0 carries its confidence that none fits, as an LLM's does: 100 less the most points a candidate earns, a
/// district whose place is unknown earning its points less <see cref="UnknownPlacePenalty"/> (<see cref="NoneFitsConfidence"/>).
/// </summary>
internal sealed partial class DistrictRuleJudge : IMatchJudge
{
    /// <summary>Row attribute: the office kind read from the position (<see cref="OfficeKind"/>).</summary>
    public const string OfficeKindAttribute = "office_kind";

    /// <summary>Row and candidate attribute: the number a school district's name carries ("USD 259" → 259).</summary>
    public const string SchoolNumberAttribute = "school_number";

    /// <summary>
    /// Candidate attribute, <see cref="UnknownPlace"/> where the district's name names a place and the position's names
    /// none ("City Council - District 2"): the place comparison is null there too, as for a district named for its state,
    /// but the place is unknown, not agreed. Absent otherwise, so other requests (and an LLM's cache keys) are as before.
    /// </summary>
    public const string PlaceAttribute = "place";

    public const string UnknownPlace = "unknown: the position's name names no place";

    private const int SomePlacePenalty = 15;
    private const int InitialsPenalty = 10;
    private const int WholePenalty = 10;
    private const int LevelPenalty = 5;
    private const int AtLargePenalty = 15;
    private const int UnknownKindPenalty = 20;
    // A district whose place is unknown may be the position's or another place's: half the points are in doubt.
    private const int UnknownPlacePenalty = 50;
    private const int AmbiguityMargin = 10;
    private const int AlternativesShown = 3;

    public string Name => "offline/district-rules-v1";

    public Task<IReadOnlyList<JudgeAnswer>> JudgeAsync(JudgeRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<JudgeAnswer>>(request.Rows.Select(row => Decide(row, request.Candidates).ToAnswer(row.Key)).ToList());

    /// <summary>One position's choice among its candidates, in spec 000's contract.</summary>
    public static DistrictSelection Decide(JudgeRow row, IReadOnlyList<JudgeCandidate> candidates)
    {
        if (row.Attributes.GetValueOrDefault(OfficeKindAttribute) == OfficeKind.Federal)
        {
            return NoneFits("the office is above state level (federal), and such offices are not matched to L2 districts", [], [], []);
        }

        var options = candidates.Where(c => row.Evidence.ContainsKey(c.Number)).Select(c => Assess(row.Evidence[c.Number], c, row.Attributes)).ToList();
        var fitting = options.Where(o => o.Fits).OrderByDescending(o => o.Confidence).ThenBy(o => o.Candidate.Number).ToList();
        var seat = row.Attributes.GetValueOrDefault("seat") is { } s ? $"; '{s}' is a seat, not a district, and is ignored" : "";
        // A district of the office in a place the position does not name may be its district or another place's: unsure,
        // whatever else fits. Not a different place, which would be a reason to reject it.
        var unknownPlace = options.Where(o => o.PlaceUnknown).ToList();
        if (unknownPlace.Count > 0)
        {
            var shown = unknownPlace.OrderByDescending(o => o.Confidence).ThenBy(o => o.Candidate.Number).Take(AlternativesShown).ToList();
            var named = string.Join("; ", shown.Select(o => $"{Describe(o.Candidate)}: {o.Reason}"));
            return NoneFits($"unsure: the position's name names no place, so whether a district of its office that names one is its own cannot be told ({named}){seat}",
                options, shown, shown.Select(o => o.Candidate.Name).ToList());
        }

        if (fitting.Count == 0)
        {
            // Say why the closest candidates fail: those that earn the most points, then those of the office's own kind.
            var closest = options.OrderByDescending(o => o.Confidence).ThenByDescending(o => o.SameRole).ThenBy(o => o.Candidate.Number).Take(AlternativesShown).ToList();
            return NoneFits("no candidate fits: " + string.Join("; ", closest.Select(o => $"{Describe(o.Candidate)}: {o.Reason}")) + seat, options, closest, Alternatives(options, null));
        }

        var best = fitting[0];
        if (fitting.Count > 1 && fitting[1].Confidence >= best.Confidence - AmbiguityMargin)
        {
            var rival = fitting[1];
            return NoneFits($"unsure: {Describe(best.Candidate)} ({best.Reason}) and {Describe(rival.Candidate)} ({rival.Reason}) fit nearly as well, so neither is chosen{seat}",
                options, [best, rival], [best.Candidate.Name, rival.Candidate.Name]);
        }

        return new DistrictSelection(best.Candidate.Number, best.Confidence, $"{Describe(best.Candidate)}: {best.Reason}{seat}", Alternatives(options, best));
    }

    /// <summary>
    /// An answer 0 at its confidence that none fits, the sum ending the reasoning. The points of the candidate that earns
    /// the most are reckoned in the reasoning already when it is among <paramref name="shown"/>, else before the sum.
    /// </summary>
    private static DistrictSelection NoneFits(string reasoning, List<Option> options, List<Option> shown, List<string> alternatives)
    {
        var none = NoneFitsConfidence.Of(options.Select(o => (o.Candidate, o.Confidence, "")));
        var top = options.FirstOrDefault(o => o.Candidate == none.Best);
        var reckoned = top is null || shown.Contains(top) ? "" : $"; {Describe(top.Candidate)}: {top.Reason}";
        return new DistrictSelection(0, none.Confidence, $"{reasoning}{reckoned}; {none.Reason}", alternatives);
    }

    private static string Describe(JudgeCandidate c) => string.Create(CultureInfo.InvariantCulture, $"candidate {c.Number} ({c.Name}, {c.Attributes.GetValueOrDefault("district_type")})");

    // Close alternatives: other districts of the office's own kind and place, the ones a reader would weigh next.
    private static List<string> Alternatives(List<Option> options, Option? chosen) =>
        options.Where(o => o != chosen && o.SameRole && o.Place != "different").Take(AlternativesShown).Select(o => o.Candidate.Name).ToList();

    private static Option Assess(IReadOnlyDictionary<string, string> levels, JudgeCandidate candidate, IReadOnlyDictionary<string, string?> position)
    {
        var office = levels.GetValueOrDefault("office", "null");
        var place = levels.GetValueOrDefault("place", "null");
        var kind = candidate.Attributes.GetValueOrDefault("district_kind") ?? "unknown";
        var type = candidate.Attributes.GetValueOrDefault("district_type") ?? kind;
        var number = candidate.Attributes.GetValueOrDefault("district_number");
        var positionNumber = position.GetValueOrDefault("district_number");
        var school = candidate.Attributes.GetValueOrDefault(SchoolNumberAttribute);
        var positionSchool = position.GetValueOrDefault(SchoolNumberAttribute);
        var sameRole = office is not ("different" or "null");
        // The place is null either way: the district's name names none, or the position's names none and the district's does.
        var districtNamesNoPlace = place == "null" && candidate.Attributes.GetValueOrDefault(PlaceAttribute) != UnknownPlace;

        string? failure = (office, place) switch
        {
            // #N/A, -- or a name in another script: which district it is cannot be read, whatever else agrees.
            // The name as written; a full-width one (ＨＯＵＳＴＯＮ) is read folded, as the cleaning reads it.
            _ when !LatinWord().IsMatch(CompatibilityFold.Fold(candidate.Name)) => "the district's name has no word in Latin letters, so which district it is cannot be read",
            ("different", _) => $"a {type} district does not elect this office",
            ("part_of_whole", _) => $"the position is for district {positionNumber}, and this district is the whole of which it is a part",
            ("other_district", _) when positionNumber is null => $"this is district {number}, and the position names no district",
            ("other_district", _) => $"district {number ?? "(none)"} is not district {positionNumber}",
            (_, "different") when school is not null && positionSchool is not null && school != positionSchool => $"school district {school} is not school district {positionSchool}",
            (_, "different") => "a different place",
            _ => null,
        };
        if (failure is not null)
        {
            return new Option(candidate, false, 0, failure, sameRole, place);
        }

        // Only a district numbered across the state is named for it alone: any other's name names its place, and one
        // that names none is in a place unknown, neither the position's nor another. Either unknown place never fits, but
        // earns its points less UnknownPlacePenalty: the district may yet be the position's.
        var districtPlaceUnknown = districtNamesNoPlace && !OfficeKind.IsStateWide(kind);
        var placeUnknown = place == "null" && candidate.Attributes.GetValueOrDefault(PlaceAttribute) == UnknownPlace;
        // Names that share a place word but may name other places (San Jose, SAN DIEGO; West Sacramento, SACRAMENTO): like an
        // unknown place, never a fit, the district earning its points less UnknownPlacePenalty.
        var placeInDoubt = place == "clash";

        var confidence = 100;
        var notes = new List<string>();
        switch (office)
        {
            case "same_district":
                notes.Add($"the office is elected by {type} districts and district {number} agrees");
                break;
            case "same_kind":
                notes.Add($"the office is elected by {type} districts, no district number on either side");
                break;
            case "place_unknown":
                // The role agrees, as same_district, same_kind or whole would, where the place is unknown: that is charged below.
                notes.Add($"the office is elected by {type} districts{(number is not null && number == positionNumber ? $" and district {number} agrees" : "")}");
                break;
            case "whole":
                confidence -= WholePenalty;
                notes.Add($"an at-large seat, elected by the whole {kind} (-{WholePenalty})");
                break;
            default:
                confidence -= UnknownKindPenalty;
                notes.Add($"the office or the district type is of no known kind (-{UnknownKindPenalty})");
                break;
        }

        switch (place)
        {
            case "null" when districtPlaceUnknown:
                confidence -= UnknownPlacePenalty;
                notes.Add($"but the district's name names no place, and a {type} district is named for its place, so whose it is cannot be told (-{UnknownPlacePenalty})");
                break;
            case "null" when placeUnknown:
                confidence -= UnknownPlacePenalty;
                notes.Add($"but the position's name names no place, and this district's name does (-{UnknownPlacePenalty})");
                break;
            case "all":
                notes.Add("the place agrees");
                break;
            case "initials":
                confidence -= InitialsPenalty;
                notes.Add($"the position writes the place as its initials (-{InitialsPenalty})");
                break;
            case "some":
                confidence -= SomePlacePenalty;
                notes.Add($"the place agrees in part (-{SomePlacePenalty})");
                break;
            case "clash":
                confidence -= UnknownPlacePenalty;
                notes.Add($"but the names share a place word and may name other places (San Jose is not San Diego, West Sacramento not Sacramento) (-{UnknownPlacePenalty})");
                break;
            default:
                notes.Add("the district is named for the state");
                break;
        }

        if (levels.GetValueOrDefault("at_large") == "differ")
        {
            confidence -= AtLargePenalty;
            notes.Add($"at large on one side only (-{AtLargePenalty})");
        }

        if (levels.GetValueOrDefault("level") == "different")
        {
            confidence -= LevelPenalty;
            notes.Add($"an unusual level for this kind of district (-{LevelPenalty})");
        }

        return new Option(candidate, !districtPlaceUnknown && !placeUnknown && !placeInDoubt, Math.Max(0, confidence), string.Join(", ", notes) + string.Create(CultureInfo.InvariantCulture, $" = {Math.Max(0, confidence)}"),
            sameRole, place, placeUnknown);
    }

    [GeneratedRegex("[A-Za-z]{2}")]
    private static partial Regex LatinWord();

    /// <param name="Confidence">The points the candidate earns: those of a fit, those of a district whose place is unknown, 0 for one ruled out.</param>
    private sealed record Option(JudgeCandidate Candidate, bool Fits, int Confidence, string Reason, bool SameRole, string Place, bool PlaceUnknown = false);
}
