using System.Text.Json;
using ElectionMatch.Matches.L2BallotReady;
using ElectionMatch.Matching.Judging;

namespace ElectionMatch.Tests.Districts;

/// <summary>Spec 000's decision rules for choosing among a position's candidate districts, applied offline.</summary>
public sealed class DistrictRuleJudgeTests
{
    private static JudgeCandidate Candidate(int number, string name, string type, string kind, string? districtNumber = null) =>
        new(number, number.ToString(System.Globalization.CultureInfo.InvariantCulture), name, new Dictionary<string, string?>
        {
            ["district_type"] = type,
            ["district_kind"] = kind,
            ["district_number"] = districtNumber,
        });

    private static Dictionary<string, string> Levels(string office, string place = "all", string level = "same", string atLarge = "null") => new()
    {
        ["office"] = office,
        ["place"] = place,
        ["at_large"] = atLarge,
        ["level"] = level,
    };

    private static DistrictSelection Decide(string officeKind, string? number, params (JudgeCandidate Candidate, Dictionary<string, string> Levels)[] candidates)
    {
        var row = new JudgeRow(
            "1",
            "a position",
            new Dictionary<string, string?> { [DistrictRuleJudge.OfficeKindAttribute] = officeKind, ["district_number"] = number },
            candidates.ToDictionary(c => c.Candidate.Number, c => (IReadOnlyDictionary<string, string>)c.Levels));
        return DistrictRuleJudge.Decide(row, candidates.Select(c => c.Candidate).ToList());
    }

    [Fact]
    public void Takes_the_district_whose_number_agrees_and_never_one_with_another_number()
    {
        var selection = Decide("state_lower", "15",
            (Candidate(1, "STATE HOUSE 005", "State_House", "state_lower", "5"), Levels("other_district", place: "null")),
            (Candidate(2, "STATE HOUSE 015", "State_House", "state_lower", "15"), Levels("same_district", place: "null")));

        Assert.Equal(2, selection.SelectedCandidateNumber);
        Assert.Equal(100, selection.SelectionConfidence);
        Assert.Contains("district 15 agrees", selection.Reasoning, StringComparison.Ordinal);
        Assert.Equal(["STATE HOUSE 005"], selection.CloseAlternatives);
    }

    [Fact]
    public void Is_unsure_of_a_district_that_names_a_place_when_the_position_names_none()
    {
        var oakland = new JudgeCandidate(1, "1", "OAKLAND CITY CNCL 02", new Dictionary<string, string?>
        {
            ["district_type"] = "City_Council_Commissioner_District",
            ["district_kind"] = "city_council",
            ["district_number"] = "2",
            [DistrictRuleJudge.PlaceAttribute] = DistrictRuleJudge.UnknownPlace,
        });
        var stateHouse = Candidate(2, "STATE HOUSE 002", "State_House", "state_lower", "2");

        var selection = Decide("city_council", "2", (oakland, Levels("place_unknown", place: "null")), (stateHouse, Levels("different", place: "null")));

        Assert.Equal(0, selection.SelectedCandidateNumber);
        Assert.Equal(50, selection.SelectionConfidence);
        Assert.Equal(
            "unsure: the position's name names no place, so whether a district of its office that names one is its own cannot be told "
            + "(candidate 1 (OAKLAND CITY CNCL 02, City_Council_Commissioner_District): the office is elected by City_Council_Commissioner_District districts and district 2 agrees, "
            + "but the position's name names no place, and this district's name does (-50) = 50); confidence that none fits 100 - 50 (candidate 1 (OAKLAND CITY CNCL 02) earns 50) = 50",
            selection.Reasoning);
        Assert.Equal(["OAKLAND CITY CNCL 02"], selection.CloseAlternatives);
    }

    [Fact]
    public void Never_takes_a_district_whose_place_shares_a_word_but_may_be_another_place()
    {
        // San Jose City Council - District 3: SAN DIEGO CITY CNCL 03 agrees in all but the place, which shares "san".
        var selection = Decide("city_council", "3",
            (Candidate(1, "SAN DIEGO CITY CNCL 03", "City_Council_Commissioner_District", "city_council", "3"), Levels("place_unknown", place: "clash")));

        Assert.Equal(0, selection.SelectedCandidateNumber);
        Assert.Equal(50, selection.SelectionConfidence);
        Assert.Contains("but the names share a place word and may name other places", selection.Reasoning, StringComparison.Ordinal);

        // Beside it, a district whose place agrees is taken as before.
        var sacramento = Decide("city_council", "3",
            (Candidate(1, "WEST SACRAMENTO CITY CNCL 03", "City_Council_Commissioner_District", "city_council", "3"), Levels("place_unknown", place: "clash")),
            (Candidate(2, "SACRAMENTO CITY CNCL 03", "City_Council_Commissioner_District", "city_council", "3"), Levels("same_district")));
        Assert.Equal(2, sacramento.SelectedCandidateNumber);
        Assert.Equal(100, sacramento.SelectionConfidence);
    }

    [Fact]
    public void Takes_a_district_whose_place_the_position_writes_as_initials_a_little_less_surely()
    {
        // LA City Council - District 4: before, the place level "initials" fell through to "the district is named for the state".
        var selection = Decide("city_council", "4",
            (Candidate(1, "LOS ANGELES CITY CNCL 04", "City_Council_Commissioner_District", "city_council", "4"), Levels("same_district", place: "initials")));

        Assert.Equal(1, selection.SelectedCandidateNumber);
        Assert.Equal(90, selection.SelectionConfidence);
        Assert.Contains("the position writes the place as its initials (-10)", selection.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_district_whose_name_has_no_word_in_latin_letters_never_fits()
    {
        // Round Rock City Council - Place 4, at large: #N/A, -- and Остин name no place, which read as named for the state.
        var selection = Decide("school", null,
            (Candidate(1, "#N/A", "School_District", "school"), Levels("same_kind", place: "null")),
            (Candidate(2, "--", "School_District", "school"), Levels("same_kind", place: "null")),
            (Candidate(3, "Остин", "School_District", "school"), Levels("same_kind", place: "null")));

        // None earns a point, so none fits at 100 (before: a fixed 90).
        Assert.Equal(0, selection.SelectedCandidateNumber);
        Assert.Equal(100, selection.SelectionConfidence);
        Assert.All(["#N/A", "--", "Остин"], name => Assert.Contains(
            $"({name}, School_District): the district's name has no word in Latin letters", selection.Reasoning, StringComparison.Ordinal));
    }

    [Fact]
    public void A_city_district_whose_name_names_no_place_is_not_named_for_the_state_and_does_not_fit()
    {
        var selection = Decide("city_council", null,
            (Candidate(1, "SAVANNAH", "City", "city"), Levels("whole")),
            (Candidate(2, "#N/A", "City", "city"), Levels("whole", place: "null")),
            (Candidate(3, "CITY 5", "City", "city"), Levels("whole", place: "null")));

        Assert.Equal(1, selection.SelectedCandidateNumber);
        Assert.DoesNotContain("named for the state", selection.Reasoning, StringComparison.Ordinal);
        Assert.Equal(90, selection.SelectionConfidence);
        Assert.StartsWith("candidate 1 (SAVANNAH, City): an at-large seat", selection.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_state_wide_district_is_said_to_be_named_for_the_state()
    {
        var school = Decide("school", null, (Candidate(1, "ISD 625", "School_District", "school"), Levels("place_unknown", place: "null")));
        var house = Decide("state_lower", "5", (Candidate(1, "STATE HOUSE 005", "State_House", "state_lower", "5"), Levels("same_district", place: "null")));

        // ISD 625's name names no place, and a school district's would: its place is unknown, so it is not taken, and
        // that none fits is unsure: 100 - (100 - 50 for the unknown place).
        Assert.Equal(0, school.SelectedCandidateNumber);
        Assert.Equal(50, school.SelectionConfidence);
        Assert.Contains("the district's name names no place", school.Reasoning, StringComparison.Ordinal);
        Assert.DoesNotContain("named for the state", school.Reasoning, StringComparison.Ordinal);
        Assert.Equal(1, house.SelectedCandidateNumber);
        Assert.Contains("the district is named for the state", house.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void Answers_zero_when_only_another_number_is_offered()
    {
        var selection = Decide("state_lower", "14",
            (Candidate(1, "STATE HOUSE 144", "State_House", "state_lower", "144"), Levels("other_district", place: "null")));

        Assert.Equal(0, selection.SelectedCandidateNumber);
        Assert.Contains("district 144 is not district 14", selection.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void Answers_zero_naming_both_numbers_when_only_another_school_district_is_offered()
    {
        var usd260 = new JudgeCandidate(1, "1", "USD 260", new Dictionary<string, string?>
        {
            ["district_type"] = "School_District",
            ["district_kind"] = "school",
            [DistrictRuleJudge.SchoolNumberAttribute] = "260",
        });
        var row = new JudgeRow(
            "1",
            "Wichita USD 259 Board of Education",
            new Dictionary<string, string?> { [DistrictRuleJudge.OfficeKindAttribute] = "school", [DistrictRuleJudge.SchoolNumberAttribute] = "259" },
            new Dictionary<int, IReadOnlyDictionary<string, string>> { [1] = Levels("same_kind", place: "different") });

        var selection = DistrictRuleJudge.Decide(row, [usd260]);

        Assert.Equal(0, selection.SelectedCandidateNumber);
        Assert.Contains("school district 260 is not school district 259", selection.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void The_office_must_suit_the_district_type()
    {
        var selection = Decide("school", "2",
            (Candidate(1, "FULTON CNTY COMM DIST 02", "County_Commissioner_District", "county_legislative", "2"), Levels("different")),
            (Candidate(2, "FULTON CNTY SCHOOL BRD DIST 02", "School_Board_District", "school", "2"), Levels("same_district")));

        Assert.Equal(2, selection.SelectedCandidateNumber);
    }

    [Fact]
    public void A_numbered_seat_does_not_take_the_whole_district_it_is_part_of()
    {
        var selection = Decide("school", "3",
            (Candidate(1, "AUSTIN ISD", "School_District", "school"), Levels("part_of_whole")));

        Assert.Equal(0, selection.SelectedCandidateNumber);
        Assert.Contains("the whole of which it is a part", selection.Reasoning, StringComparison.Ordinal);
        Assert.Equal(["AUSTIN ISD"], selection.CloseAlternatives);
    }

    [Fact]
    public void Answers_zero_when_unsure_between_two_districts_that_fit_equally()
    {
        var selection = Decide("city", null,
            (Candidate(1, "SPRINGFIELD", "City", "city"), Levels("same_kind")),
            (Candidate(2, "SPRINGFIELD TWP", "City", "city"), Levels("same_kind")));

        Assert.Equal(0, selection.SelectedCandidateNumber);
        Assert.StartsWith("unsure", selection.Reasoning, StringComparison.Ordinal);
        Assert.Equal(["SPRINGFIELD", "SPRINGFIELD TWP"], selection.CloseAlternatives);
    }

    // Before, every answer 0 had a fixed confidence (90 none fits, 50 unsure, 95 federal), whatever the candidates earned.
    [Fact]
    public void An_answer_zero_between_two_close_fits_is_as_sure_of_none_as_the_best_leaves_it()
    {
        var selection = Decide("city", null,
            (Candidate(1, "SPRINGFIELD", "City", "city"), Levels("same_kind")),
            (Candidate(2, "SPRINGFIELD TWP", "City", "city"), Levels("same_kind", level: "different")));

        Assert.Equal((0, 0), (selection.SelectedCandidateNumber, selection.SelectionConfidence));
        Assert.Contains("the place agrees, an unusual level for this kind of district (-5) = 95", selection.Reasoning, StringComparison.Ordinal);
        Assert.EndsWith("; confidence that none fits 100 - 100 (candidate 1 (SPRINGFIELD) earns 100) = 0", selection.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_zero_with_every_candidate_vetoed_is_sure_of_none()
    {
        var otherNumber = Decide("state_lower", "14",
            (Candidate(1, "STATE HOUSE 144", "State_House", "state_lower", "144"), Levels("other_district", place: "null")));
        var federal = Decide(OfficeKind.Federal, "12",
            (Candidate(1, "CONGRESSIONAL DISTRICT 12", "US_Congressional_District", "federal", "12"), Levels("same_district", place: "null")));

        Assert.Equal((0, 100), (otherNumber.SelectedCandidateNumber, otherNumber.SelectionConfidence));
        Assert.EndsWith("; confidence that none fits 100 - 0 (no candidate earns a point) = 100", otherNumber.Reasoning, StringComparison.Ordinal);
        Assert.Equal((0, 100), (federal.SelectedCandidateNumber, federal.SelectionConfidence));
        Assert.EndsWith("; confidence that none fits 100 - 0 (no candidate earns a point) = 100", federal.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_place_costs_its_district_points_and_what_else_disagrees_costs_more()
    {
        var oakland = new JudgeCandidate(1, "1", "OAKLAND CITY CNCL 02", new Dictionary<string, string?>
        {
            ["district_type"] = "City_Council_Commissioner_District",
            ["district_kind"] = "city_council",
            ["district_number"] = "2",
            [DistrictRuleJudge.PlaceAttribute] = DistrictRuleJudge.UnknownPlace,
        });
        var unknownKind = Decide("school", null, (Candidate(1, "ISD 625", "School_District", "unknown"), Levels("null", place: "null")));

        var selection = Decide("city_council", "2", (oakland, Levels("place_unknown", place: "null", atLarge: "differ")));

        // 100 - 50 (place unknown) - 15 (at large on one side only) = 35 points, so 65 that none fits.
        Assert.Equal((0, 65), (selection.SelectedCandidateNumber, selection.SelectionConfidence));
        Assert.Contains("(-50), at large on one side only (-15) = 35", selection.Reasoning, StringComparison.Ordinal);
        Assert.EndsWith("; confidence that none fits 100 - 35 (candidate 1 (OAKLAND CITY CNCL 02) earns 35) = 65", selection.Reasoning, StringComparison.Ordinal);
        // A district of no known kind whose name names no place: 100 - 20 - 50 = 30, not the fixed 90 of "no candidate fits".
        Assert.Equal((0, 70), (unknownKind.SelectedCandidateNumber, unknownKind.SelectionConfidence));
        Assert.EndsWith("; confidence that none fits 100 - 30 (candidate 1 (ISD 625) earns 30) = 70", unknownKind.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_office_above_state_level_whatever_is_offered()
    {
        var selection = Decide(OfficeKind.Federal, "12",
            (Candidate(1, "CONGRESSIONAL DISTRICT 12", "US_Congressional_District", "federal", "12"), Levels("same_district", place: "null")));

        Assert.Equal(0, selection.SelectedCandidateNumber);
        Assert.Contains("above state level", selection.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_different_place_is_never_chosen_and_an_at_large_mismatch_costs_confidence()
    {
        var elsewhere = Decide("school", null,
            (Candidate(1, "LOS ANGELES UNIFIED SCHOOL DIST", "School_District", "school"), Levels("same_kind", place: "different")));
        var atLarge = Decide("county_legislative", "1",
            (Candidate(1, "JACKSON CNTY LEG DIST 01", "County_Legislative_District", "county_legislative", "1"), Levels("same_district", atLarge: "differ")),
            (Candidate(2, "JACKSON CNTY LEG AT LARGE DIST 01", "County_Legislative_District", "county_legislative", "1"), Levels("same_district", atLarge: "both")));

        Assert.Equal(0, elsewhere.SelectedCandidateNumber);
        Assert.Contains("a different place", elsewhere.Reasoning, StringComparison.Ordinal);
        Assert.Equal(2, atLarge.SelectedCandidateNumber);
    }

    [Fact]
    public void The_answer_is_spec_000s_json_contract()
    {
        var selection = Decide("city", null, (Candidate(1, "ATLANTA", "City", "city"), Levels("same_kind")));

        using var json = JsonDocument.Parse(selection.ToJson());

        Assert.Equal(["selected_candidate_number", "selection_confidence", "reasoning", "close_alternatives"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, json.RootElement.GetProperty("selected_candidate_number").GetInt32());
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("close_alternatives").ValueKind);
        Assert.Equal(selection, DistrictSelection.Parse(selection.ToJson(), 13) with { CloseAlternatives = selection.CloseAlternatives });
    }

    [Theory]
    [InlineData("""{"selected_candidate_number": 14, "selection_confidence": 80, "reasoning": "", "close_alternatives": []}""")]
    [InlineData("""{"selected_candidate_number": 3, "selection_confidence": 101, "reasoning": "", "close_alternatives": []}""")]
    [InlineData("""{"selected_candidate_number": -1, "selection_confidence": 50, "reasoning": "", "close_alternatives": []}""")]
    [InlineData("""{"selected_candidate_number": 1, "selection_confidence": 50, "reasoning": "", "close_alternatives": [], "extra": 1}""")]
    public void An_answer_outside_the_contract_is_refused(string json)
    {
        Assert.ThrowsAny<Exception>(() => DistrictSelection.Parse(json, 13));
    }

    [Fact]
    public async Task The_judge_answers_every_row_of_a_request_once()
    {
        var candidates = new[] { Candidate(1, "ATLANTA", "City", "city") };
        var rows = new[] { "7", "8" }.Select(k => new JudgeRow(k, "Mayor of Atlanta", new Dictionary<string, string?> { [DistrictRuleJudge.OfficeKindAttribute] = "city" },
            new Dictionary<int, IReadOnlyDictionary<string, string>> { [1] = Levels("same_kind") })).ToList();

        var answers = await new DistrictRuleJudge().JudgeAsync(new JudgeRequest("GA", "Mayor of Atlanta", rows, candidates), CancellationToken.None);

        Assert.Equal(["7", "8"], answers.Select(a => a.RowKey));
        Assert.All(answers, a => Assert.Equal(1, a.CandidateNumber));
    }
}
