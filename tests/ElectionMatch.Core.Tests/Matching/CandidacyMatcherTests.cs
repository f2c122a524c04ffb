using System.Globalization;
using ElectionMatch.Matching.Embeddings;
using ElectionMatch.Matching.Retrieval;
using Microsoft.Extensions.AI;

namespace ElectionMatch.Tests.Matching;

/// <summary>The tiered HubSpot→DDHQ matcher on the goodparty fixture (its hard cases: dbt_fixtures/goodparty/truth/README.md).</summary>
public sealed class CandidacyMatcherTests
{
    /// <summary>The fixture's true (candidacy, election type, results row) pairs.</summary>
    internal static HashSet<(string, string, string)> Truth(FixtureCopy fixture) =>
        File.ReadAllLines(fixture.PathOf("truth/candidacy_ddhq_matches.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Select(p => (p[0], p[1], p[2]))
            .ToHashSet();

    [Fact]
    public void Every_hard_case_is_decided_as_the_truth_file_says()
    {
        using var run = MatcherRun.Of(FixtureCopy.Of("goodparty"));

        var links = run.Links();
        var truth = Truth(run.Fixture);

        Assert.True(truth.SetEquals(links), $"missed: {string.Join("; ", truth.Except(links))}; wrong: {string.Join("; ", links.Except(truth))}");
    }

    [Fact]
    public void A_results_row_links_to_at_most_one_left_row_and_a_left_row_to_at_most_one_results_row()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // A second candidacy, identical to Bob Johnson's, competes for the same results rows.
        var path = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        var bob = File.ReadAllLines(path).Single(l => l.StartsWith("gpc-001623,", StringComparison.Ordinal));
        File.AppendAllText(path, "gpc-999999" + bob["gpc-001623".Length..] + "\n");
        using var run = MatcherRun.Of(fixture);

        var linked = run.Warehouse.Query(
            $"select gp_candidacy_id, hubspot_election_type, cast(ddhq_candidate_id as varchar) from {run.Table("output")} where has_match",
            r => (Left: r.GetString(0) + "/" + r.GetString(1), Right: r.GetString(2)));

        Assert.Equal(linked.Count, linked.Select(l => l.Right).Distinct().Count());
        Assert.Equal(linked.Count, linked.Select(l => l.Left).Distinct().Count());
        // The evidence cannot tell two identical rows apart, so neither takes Robert Johnson's rows: no guess.
        Assert.DoesNotContain(linked, l => l.Right is "1402035" or "1403248");
        Assert.Equal("judge", run.Warehouse.Scalar<string>($"select decided_by from {run.Table("output")} where gp_candidacy_id = 'gpc-999999' and hubspot_election_type = 'general'"));
    }

    [Fact]
    public void A_stage_given_in_both_date_forms_is_one_election_row_and_links_as_it_would_alone()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // The candidacies also carry their current stage as election_type and election_date (the general, where there is
        // one), and the match maps both forms, which the settings allow. Each general was then two identical election
        // rows, which tied for their results row, so neither was linked.
        var path = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        var stageDates = new System.Text.RegularExpressions.Regex(",(?<primary>[0-9-]{10})?,(?<general>[0-9-]{10})?,(?<runoff>[0-9-]{10})?$");
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, [lines[0] + ",election_type,election_date", .. lines.Skip(1).Select(line =>
        {
            var general = stageDates.Match(line).Groups["general"];
            return line + (general.Success ? ",general," + general.Value : ",,");
        })]);
        var settings = fixture.Read("electionmatch.yml");
        const string runoff = "        runoff_election_date: runoff_election_date\n";
        Assert.Contains(runoff, settings, StringComparison.Ordinal);
        fixture.Write("electionmatch.yml", settings.Replace(runoff, runoff + "        election_date: election_date\n        election_type: election_type\n", StringComparison.Ordinal));
        using var run = MatcherRun.Of(fixture);

        Assert.Equal(0L, run.Warehouse.Scalar<long>(
            $"select count(*) from (select 1 from {run.Table("output")} group by gp_candidacy_id, hubspot_election_type, hubspot_election_date having count(*) > 1)"));
        var links = run.Links();
        var truth = Truth(run.Fixture);
        Assert.True(truth.SetEquals(links), $"missed: {string.Join("; ", truth.Except(links))}; wrong: {string.Join("; ", links.Except(truth))}");
    }

    [Fact]
    public void Rows_that_cannot_be_used_are_quarantined_with_their_original_row_and_reason()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var path = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        File.AppendAllText(path, string.Join("\n",
            "gpc-q00001,1,,,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,",
            "gpc-q00002,2,Ann,Lee,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-13-45,",
            "gpc-q00003,3,Ann,Lee,Texsas,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,",
            "gpc-q00004,4,Ann,Lee,Texas,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,",
            ",5,Ann,Lee,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,",
            "gpc-001623,6,Dup,Row,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,") + "\n");
        using var run = MatcherRun.Of(fixture);

        var quarantined = run.Warehouse.Query(
            $"select error_code, json_extract_string(original, '$.gp_candidacy_id'), json_extract_string(original, '$.hubspot_contact_id') from {run.Table("quarantine")} where input = 'left' order by row_number",
            r => (Code: r.GetString(0), Id: r.IsDBNull(1) ? null : r.GetString(1), Contact: r.GetString(2)));

        Assert.Equal(
            [("EMQ003", "gpc-q00001", "1"), ("EMQ004", "gpc-q00002", "2"), ("EMQ005", "gpc-q00003", "3"), ("EMQ001", null, "5"), ("EMQ002", "gpc-001623", "6")],
            quarantined.Select(q => (q.Code, q.Id, q.Contact)));
        // A state written out in full is read as its postal code, not quarantined.
        Assert.Equal("TX", run.Warehouse.Scalar<string>($"select state from {run.Table("left_clean")} where left_id = 'gpc-q00004'"));
        Assert.Equal(0L, run.Warehouse.Scalar<long>($"select count(*) from {run.Table("output")} where gp_candidacy_id in ('gpc-q00001', 'gpc-q00002', 'gpc-q00003')"));
    }

    [Fact]
    public void A_name_with_no_latin_letter_is_quarantined_saying_so_and_a_punctuation_only_one_too()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        File.AppendAllText(fixture.PathOf("data/airbyte/hubspot_candidacy.csv"), string.Join("\n",
            "gpc-n00001,1,Ann,Бьюкенен,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,",
            "gpc-n00002,2,Ann,小明,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,",
            "gpc-n00003,3,Ann,محمد,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,",
            "gpc-n00004,4,Ann,\U0001F600,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,",
            "gpc-n00005,5,Ann,--,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,",
            "gpc-n00006,6,Мария,Lee,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,",
            "gpc-n00007,7,\"\"\"Bobby\"\"\",Lee,TX,Mayor,Austin Mayor,local,,Nonpartisan,,2024-11-05,") + "\n");
        File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"),
            "281028,AL Huntsville Board of Education - District 4 - Primary,1409999,Бьюкенен Анна,Nonpartisan,false,9,2024-03-05,AL,primary,School Board,4,false\n");
        using var run = MatcherRun.Of(fixture);

        var messages = run.Warehouse.Query(
            $"select input, error_code, message from {run.Table("quarantine")} order by input, row_number",
            r => (Input: r.GetString(0), Code: r.GetString(1), Message: r.GetString(2)));

        const string Why = "has no Latin letter (a-z once accents are removed), which names are compared by";
        Assert.All(messages, m => Assert.Equal("EMQ003", m.Code));
        Assert.Equal(
            [
                ("left", $"the name has no Latin letter, or cannot be parsed into first and last name: column last_name = 'Бьюкенен' {Why}"),
                ("left", $"the name has no Latin letter, or cannot be parsed into first and last name: column last_name = '小明' {Why}"),
                ("left", $"the name has no Latin letter, or cannot be parsed into first and last name: column last_name = 'محمد' {Why}"),
                ("left", $"the name has no Latin letter, or cannot be parsed into first and last name: column last_name = '\U0001F600' {Why}"),
                ("left", $"the name has no Latin letter, or cannot be parsed into first and last name: column last_name = '--' {Why}"),
                ("left", $"the name has no Latin letter, or cannot be parsed into first and last name: column first_name = 'Мария' {Why}"),
                // A quoted nickname alone leaves no first name: blank, not an unreadable script, so no why.
                ("left", "the name has no Latin letter, or cannot be parsed into first and last name: column first_name = '\"Bobby\"'"),
                ("right", $"the name has no Latin letter, or cannot be parsed into first and last name: column candidate = 'Бьюкенен Анна' {Why}"),
            ],
            messages.Select(m => (m.Input, m.Message)));
    }

    [Fact]
    public void Latin_letters_with_no_accent_to_remove_are_read_as_the_letters_an_export_writes_for_them()
    {
        // strip_accents keeps ø, ł, ı, æ and kin, and the name fold dropped them: Søren Møller was "s ren m ller", so his
        // ballot's SOREN MOLLER was rejected by score, and ŁUKASZ and YILDIZ were vetoed as different names.
        using var fixture = FixtureCopy.Of("goodparty");
        AppendRows(
            fixture,
            [
                "gpc-990003,90000000003,Søren,Møller,MN,City Council,Thorsby City Council,local,,Nonpartisan,,2024-11-05,",
                "gpc-990004,90000000004,Lukasz,Nowak,IL,City Council,Schiller Grove Village Board,local,,Nonpartisan,,2024-11-05,",
                "gpc-990005,90000000005,Ayşe,Yıldız,NJ,City Council,Teaneck Park Borough Council,local,,Nonpartisan,,2024-11-05,",
                "gpc-990006,90000000006,Ola,Sæther,MN,City Council,Thorsby City Council,local,,Nonpartisan,,2024-11-05,",
            ],
            [
                "990003,MN Thorsby City Council - General,9900030,SOREN MOLLER,Nonpartisan,true,100,2024-11-05,MN,general,City Council,,false",
                "990003,MN Thorsby City Council - General,9900031,ANNE PRICE,Nonpartisan,false,90,2024-11-05,MN,general,City Council,,false",
                "990003,MN Thorsby City Council - General,9900032,OLA SAETHER,Nonpartisan,true,95,2024-11-05,MN,general,City Council,,false",
                "990004,IL Schiller Grove Village Board - General,9900040,ŁUKASZ NOWAK,Nonpartisan,true,100,2024-11-05,IL,general,City Council,,false",
                "990004,IL Schiller Grove Village Board - General,9900041,TOM HILL,Nonpartisan,false,90,2024-11-05,IL,general,City Council,,false",
                "990005,NJ Teaneck Park Borough Council - General,9900050,AYSE YILDIZ,Nonpartisan,true,100,2024-11-05,NJ,general,City Council,,false",
                "990005,NJ Teaneck Park Borough Council - General,9900051,RON GAINES,Nonpartisan,false,90,2024-11-05,NJ,general,City Council,,false",
            ]);
        using var run = MatcherRun.Of(fixture);

        var links = run.Links();

        Assert.Contains(("gpc-990003", "general", "9900030"), links);
        Assert.Contains(("gpc-990004", "general", "9900040"), links);
        Assert.Contains(("gpc-990005", "general", "9900050"), links);
        Assert.Contains(("gpc-990006", "general", "9900032"), links);
        Assert.Equal(
            ["soren moller", "lukasz nowak"],
            run.Warehouse.Query("select em_norm('Søren Møller'), em_norm('ŁUKASZ NOWAK')", r => new[] { r.GetString(0), r.GetString(1) }).Single());
    }

    [Fact]
    public void A_junior_is_not_linked_to_a_senior_of_his_name_but_jr_and_ii_may_be_one_man()
    {
        // Robert Langley Jr. and the ballot's ROBERT LANGLEY SR. are father and son: the exact-name tier paired them and the
        // score linked them at probability 1.0, the different suffix costing 3 bits. Walter Brisbane Sr. likewise.
        using var fixture = FixtureCopy.Of("goodparty");
        AppendRows(
            fixture,
            [
                "gpc-990000,90000000000,Robert,Langley Jr.,PA,City Council,Hatboro Borough Council,local,,Nonpartisan,,2024-11-05,",
                "gpc-990001,90000000001,Walter,Brisbane Sr.,PA,City Council,Horsham Borough Council,local,,Nonpartisan,,2024-11-05,",
                "gpc-990002,90000000002,Carl,Ostrow Jr.,PA,City Council,Ambler Borough Council,local,,Nonpartisan,,2024-11-05,",
            ],
            [
                "990000,PA Hatboro Borough Council - General,9900000,ROBERT LANGLEY SR.,Nonpartisan,true,100,2024-11-05,PA,general,City Council,,false",
                "990000,PA Hatboro Borough Council - General,9900001,ANNE PRICE,Nonpartisan,false,90,2024-11-05,PA,general,City Council,,false",
                "990001,PA Horsham Borough Council - General,9900010,WALTER BRISBANE JR.,Nonpartisan,true,100,2024-11-05,PA,general,City Council,,false",
                "990001,PA Horsham Borough Council - General,9900011,TOM HILL,Nonpartisan,false,90,2024-11-05,PA,general,City Council,,false",
                "990002,PA Ambler Borough Council - General,9900020,CARL OSTROW II,Nonpartisan,true,100,2024-11-05,PA,general,City Council,,false",
                "990002,PA Ambler Borough Council - General,9900021,RON GAINES,Nonpartisan,false,90,2024-11-05,PA,general,City Council,,false",
            ]);
        using var run = MatcherRun.Of(fixture);

        var links = run.Links();

        Assert.DoesNotContain(links, l => l.Left is "gpc-990000" or "gpc-990001");
        Assert.Contains(("gpc-990002", "general", "9900020"), links);
        var reason = run.Warehouse.Scalar<string>($"select llm_reasoning from {run.Table("output")} where gp_candidacy_id = 'gpc-990000'");
        Assert.Contains("another generation", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_office_whose_number_is_written_another_way_is_the_ballot_s_office()
    {
        // The CRM's "Dist. 03", "District III" and "District No. 3" against the ballot's "District 3": the office
        // comparison read them as another office, a veto, and the offline judge then rejected the same person.
        // District III is still not District 13. Nor is District 1: the deterministic tier tested the office as text
        // inside the race name, where "district 1" is in "district 13", so it paired Harlan Quist with District 13's
        // namesake alone, and retrieval never searched for him (his own ballot writes him Hal).
        using var fixture = FixtureCopy.Of("goodparty");
        AppendRows(
            fixture,
            [
                "gpc-990010,90000000010,Marisol,Quintero,TX,City Council,Dallas City Council Dist. 03,local,,Nonpartisan,,2024-11-05,",
                "gpc-990011,90000000011,Desmond,Achterberg,TX,City Council,Garland City Council District III,local,,Nonpartisan,,2024-11-05,",
                "gpc-990012,90000000012,Priya,Venkataraman,TX,City Council,Irving City Council District No. 3,local,,Nonpartisan,,2024-11-05,",
                "gpc-990013,90000000013,Odell,Fairweather,TX,City Council,Mesquite City Council District III,local,,Nonpartisan,,2024-11-05,",
                "gpc-990014,90000000014,Harlan,Quist,TX,City Council,Plano City Council District 1,local,,Nonpartisan,,2024-11-05,",
            ],
            [
                "990010,TX Dallas City Council - District 3 - General,9900100,MARISOL QUINTERO,Nonpartisan,true,100,2024-11-05,TX,general,City Council,3,false",
                "990010,TX Dallas City Council - District 3 - General,9900101,ANNE PRICE,Nonpartisan,false,90,2024-11-05,TX,general,City Council,3,false",
                "990011,TX Garland City Council - District 3 - General,9900110,DESMOND ACHTERBERG,Nonpartisan,true,100,2024-11-05,TX,general,City Council,3,false",
                "990011,TX Garland City Council - District 3 - General,9900111,TOM HILL,Nonpartisan,false,90,2024-11-05,TX,general,City Council,3,false",
                "990012,TX Irving City Council - District 3 - General,9900120,PRIYA VENKATARAMAN,Nonpartisan,true,100,2024-11-05,TX,general,City Council,3,false",
                "990012,TX Irving City Council - District 3 - General,9900121,RON GAINES,Nonpartisan,false,90,2024-11-05,TX,general,City Council,3,false",
                "990013,TX Mesquite City Council - District 13 - General,9900130,ODELL FAIRWEATHER,Nonpartisan,true,100,2024-11-05,TX,general,City Council,13,false",
                "990013,TX Mesquite City Council - District 13 - General,9900131,JUNE PARK,Nonpartisan,false,90,2024-11-05,TX,general,City Council,13,false",
                "990014,TX Plano City Council - District 13 - General,9900140,HARLAN QUIST,Nonpartisan,true,100,2024-11-05,TX,general,City Council,13,false",
                "990014,TX Plano City Council - District 13 - General,9900141,MAY LONG,Nonpartisan,false,90,2024-11-05,TX,general,City Council,13,false",
                "990015,TX Plano City Council - District 1 - General,9900150,HAL QUIST,Nonpartisan,true,100,2024-11-05,TX,general,City Council,1,false",
                "990015,TX Plano City Council - District 1 - General,9900151,NED STARK,Nonpartisan,false,90,2024-11-05,TX,general,City Council,1,false",
            ]);
        using var run = MatcherRun.Of(fixture);

        var links = run.Links();

        Assert.Contains(("gpc-990010", "general", "9900100"), links);
        Assert.Contains(("gpc-990011", "general", "9900110"), links);
        Assert.Contains(("gpc-990012", "general", "9900120"), links);
        Assert.Contains(("gpc-990014", "general", "9900150"), links);
        Assert.DoesNotContain(links, l => l.Left == "gpc-990013");
    }

    [Fact]
    public void Middle_names_of_different_initials_keep_a_pair_out_of_the_exact_name_tier_and_a_missing_one_does_not()
    {
        // John A. Smith and the ballot's JOHN B. SMITH may be two people: the tier paired them alone, unsearched, as if the
        // names were the same. A middle name on one side only (Mary Jones, MARY K. JONES) is unknown, and Paul R. is PAUL ROBERT.
        using var fixture = FixtureCopy.Of("goodparty");
        AppendRows(
            fixture,
            [
                "gpc-990010,90000000010,John A.,Smith,PA,City Council,Lansdale Borough Council,local,,Nonpartisan,,2024-11-05,",
                "gpc-990011,90000000011,Mary,Jones,PA,City Council,Souderton Borough Council,local,,Nonpartisan,,2024-11-05,",
                "gpc-990012,90000000012,Paul R.,Baker,PA,City Council,Telford Borough Council,local,,Nonpartisan,,2024-11-05,",
            ],
            [
                "990010,PA Lansdale Borough Council - General,9900100,JOHN B. SMITH,Nonpartisan,true,100,2024-11-05,PA,general,City Council,,false",
                "990010,PA Lansdale Borough Council - General,9900101,ANNE PRICE,Nonpartisan,false,90,2024-11-05,PA,general,City Council,,false",
                "990011,PA Souderton Borough Council - General,9900110,MARY K. JONES,Nonpartisan,true,100,2024-11-05,PA,general,City Council,,false",
                "990011,PA Souderton Borough Council - General,9900111,TOM HILL,Nonpartisan,false,90,2024-11-05,PA,general,City Council,,false",
                "990012,PA Telford Borough Council - General,9900120,PAUL ROBERT BAKER,Nonpartisan,true,100,2024-11-05,PA,general,City Council,,false",
                "990012,PA Telford Borough Council - General,9900121,RON GAINES,Nonpartisan,false,90,2024-11-05,PA,general,City Council,,false",
            ]);
        using var run = MatcherRun.Of(fixture);

        var tier = run.Warehouse.Query(
            $"select l.left_id from {run.Table("exact_pairs")} as x join {run.Table("left_keyed")} as l using (left_key) where l.left_id like 'gpc-99001%' order by 1",
            r => r.GetString(0));
        var smith = run.Warehouse.Scalar<string>($"select match_explanation from {run.Table("output")} where gp_candidacy_id = 'gpc-990010'");

        Assert.Equal(["gpc-990011", "gpc-990012"], tier);
        Assert.Contains("\"middle_name\":{\"level\":\"different\"", smith, StringComparison.Ordinal);
        Assert.DoesNotContain("deterministic tier", run.Warehouse.Scalar<string>($"select llm_reasoning from {run.Table("output")} where gp_candidacy_id = 'gpc-990010'"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_suffix_typed_into_the_crms_first_or_last_name_is_read_as_the_suffix()
    {
        // William Jr. (first name) Langford was read as first name William, middle name "jr", no suffix: the exact-name
        // tier paired him with his father's WILLIAM LANGFORD SR. and the score linked them. John V keeps V as his middle initial.
        using var fixture = FixtureCopy.Of("goodparty");
        AppendRows(
            fixture,
            [
                "gpc-990020,90000000020,William Jr.,Langford,PA,City Council,Lansdale Borough Council,local,,Nonpartisan,,2024-11-05,",
                "gpc-990021,90000000021,Henry,\"Dalton, III\",PA,City Council,Souderton Borough Council,local,,Nonpartisan,,2024-11-05,",
                "gpc-990022,90000000022,Frank,Morrow Jr,PA,City Council,Telford Borough Council,local,,Nonpartisan,,2024-11-05,",
                "gpc-990023,90000000023,John V,Ostrander,PA,City Council,Telford Borough Council,local,,Nonpartisan,,2024-11-05,",
            ],
            [
                "990020,PA Lansdale Borough Council - General,9900200,WILLIAM LANGFORD SR.,Nonpartisan,true,100,2024-11-05,PA,general,City Council,,false",
                "990020,PA Lansdale Borough Council - General,9900201,ANNE PRICE,Nonpartisan,false,90,2024-11-05,PA,general,City Council,,false",
            ]);
        using var run = MatcherRun.Of(fixture);

        var parsed = run.Warehouse.Query(
            $"select first_name, middle_name, last_name, suffix from {run.Table("left_clean")} where left_id like 'gpc-99002%' order by left_id",
            r => string.Join("|", Enumerable.Range(0, 4).Select(i => r.IsDBNull(i) ? "" : r.GetString(i))));

        Assert.Equal(["william||langford|jr", "henry||dalton|iii", "frank||morrow|jr", "john|v|ostrander|"], parsed);
        Assert.DoesNotContain(run.Links(), l => l.Left == "gpc-990020");
    }

    [Fact]
    public void A_suffix_typed_into_the_crms_middle_name_with_no_suffix_column_value_is_read_as_the_suffix()
    {
        // Middle name "Jr." was read as the middle name jr with no suffix, so Richard Hudson Jr. was linked to his
        // (here invented) father's RICHARD HUDSON SR. by score; V stays a middle initial, as in the first name.
        using var fixture = FixtureCopy.Of("legislators");
        var left = fixture.PathOf("data/left.csv");
        File.WriteAllText(left, File.ReadAllText(left)
            .Replace("H001067-2012,H001067,Richard,,Hudson,,", "H001067-2012,H001067,Richard,Jr.,Hudson,,", StringComparison.Ordinal)
            .Replace("H001067-2014,H001067,Richard,,Hudson,,", "H001067-2014,H001067,Richard,Jr.,Hudson,,", StringComparison.Ordinal)
            .Replace("A000055-2012,A000055,Robert,B.,Aderholt,,", "A000055-2012,A000055,Robert,B. Jr,Aderholt,,", StringComparison.Ordinal)
            .Replace("A000055-2014,A000055,Robert,B.,Aderholt,,", "A000055-2014,A000055,Robert,V,Aderholt,,", StringComparison.Ordinal));
        var right = fixture.PathOf("data/right.csv");
        File.WriteAllText(right, File.ReadAllText(right)
            .Replace("2012-11-06,general,RICHARD HUDSON,", "2012-11-06,general,RICHARD HUDSON SR.,", StringComparison.Ordinal)
            .Replace("2014-11-04,general,RICHARD HUDSON,", "2014-11-04,general,RICHARD HUDSON JR.,", StringComparison.Ordinal));
        using var run = MatcherRun.Of(fixture);

        var parsed = run.Warehouse.Query(
            $"select left_id, first_name, middle_name, suffix from {run.Table("left_clean")} where left_id in ('H001067-2012', 'A000055-2012', 'A000055-2014') order by left_id",
            r => string.Join("|", Enumerable.Range(0, 4).Select(i => r.IsDBNull(i) ? "" : r.GetString(i))));
        var links = run.Links();

        Assert.Equal(["A000055-2012|robert|b|jr", "A000055-2014|robert|v|", "H001067-2012|richard||jr"], parsed);
        Assert.DoesNotContain(links, l => l.Left == "H001067-2012");
        Assert.Contains(links, l => l.Left == "H001067-2014");
    }

    [Fact]
    public void A_valid_row_after_a_quarantined_row_of_its_id_is_used_not_taken_for_a_repeat()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        // Candidacy gpc-000132 and results row 1402004 each follow a row of the same id with no name (EMQ003). Before,
        // the first row took the id, so the valid row was EMQ002, neither was used, and their truth pairs were missed.
        fixture.InsertBefore("data/airbyte/hubspot_candidacy.csv", "gpc-000132,", "gpc-000132,1,,,AZ,County Commission,Maricopa County Commission - District 6,county,6,Democratic,2024-07-30,2024-11-06,");
        fixture.InsertBefore("data/airbyte/ddhq_election_results.csv", "281028,AL Huntsville Board of Education - District 4 - Primary,1402004,", "281028,AL Huntsville Board of Education - District 4 - Primary,1402004,,Nonpartisan,true,6909,2024-03-05,AL,primary,School Board,4,false");
        using var run = MatcherRun.Of(fixture);

        var quarantined = run.Warehouse.Query(
            $"select input, error_code from {run.Table("quarantine")} order by input",
            r => (r.GetString(0), r.GetString(1)));
        var links = run.Links();
        var truth = Truth(run.Fixture);

        Assert.Equal([("left", "EMQ003"), ("right", "EMQ003")], quarantined);
        Assert.Contains(("gpc-000132", "primary", "1402844"), links);
        Assert.Contains(("gpc-002648", "primary", "1402004"), links);
        Assert.True(truth.SetEquals(links), $"missed: {string.Join("; ", truth.Except(links))}; wrong: {string.Join("; ", links.Except(truth))}");
    }

    [Fact]
    public void Ballot_names_are_parsed_into_first_middle_last_suffix_and_nickname()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var path = fixture.PathOf("data/airbyte/ddhq_election_results.csv");
        File.AppendAllText(path, string.Join("\n",
            "900001,TX Test Race,9000001,\"ROBERT C. \"\"BOBBY\"\" SCOTT\",Nonpartisan,true,1,2024-11-05,TX,general,Mayor,,false",
            "900001,TX Test Race,9000002,\"Scott, Robert C.\",Nonpartisan,true,1,2024-11-05,TX,general,Mayor,,false",
            "900001,TX Test Race,9000003,J. Smith Jr.,Nonpartisan,true,1,2024-11-05,TX,general,Mayor,,false",
            "900001,TX Test Race,9000004,Kevin Van Der Berg,Nonpartisan,true,1,2024-11-05,TX,general,Mayor,,false",
            "900001,TX Test Race,9000005,María López-García,Nonpartisan,true,1,2024-11-05,Texas,general,Mayor,,false") + "\n");
        using var run = MatcherRun.Of(fixture);

        var parsed = run.Warehouse.Query(
            $"select right_id, first_name, middle_name, last_name, suffix, nickname, state from {run.Table("right_keyed")} where right_id like '900000%' order by right_id",
            r => string.Join("|", Enumerable.Range(1, 6).Select(i => r.IsDBNull(i) ? "" : r.GetString(i))));

        Assert.Equal(
            [
                "robert|c|scott||bobby|TX",
                "robert|c|scott|||TX",
                "j||smith|jr||TX",
                "kevin||van der berg|||TX",
                "maria||lopez-garcia|||TX",
            ],
            parsed);
    }

    [Fact]
    public void The_top_k_kernel_returns_the_same_pairs_as_the_sql_reference()
    {
        // Every election row searched: the deterministic tier would leave retrieval a third of the fixture's rows.
        var fixture = FixtureCopy.Of("goodparty");
        fixture.Write("electionmatch.yml", fixture.Read("electionmatch.yml").Replace("      top_k: 5\n", "      top_k: 5\n      exact_names: false\n", StringComparison.Ordinal));
        using var run = MatcherRun.Of(fixture, storeVectors: true);
        Assert.Equal(0, run.Warehouse.Scalar<long>($"select count(*) from {run.Table("exact_pairs")}"));

        var kernel = run.Warehouse.Query($"select left_key, right_key, rank, score from {run.Table("retrieved")} order by left_key, rank", Read);
        var reference = run.Warehouse.Query(RetrievalSql.TopK(run.Table("retrieved_vectors"), 5) + " order by left_key, rank", Read);

        Assert.Equal(reference.Count, kernel.Count);
        Assert.True(kernel.Count > 1000, $"only {kernel.Count} retrieved pairs");
        foreach (var (k, r) in kernel.Zip(reference))
        {
            Assert.Equal((r.Left, r.Rank), (k.Left, k.Rank));
            Assert.True(Math.Abs(k.Score - r.Score) < 1e-4, $"scores {k.Score} and {r.Score} for left {k.Left} rank {k.Rank}");
            // The same right row, unless two right rows tie on the score.
            Assert.True(k.Right == r.Right || Math.Abs(k.Score - r.Score) < 1e-5, $"left {k.Left} rank {k.Rank}: {k.Right} vs {r.Right}");
        }

        static (long Left, long Right, long Rank, double Score) Read(System.Data.Common.DbDataReader r) =>
            (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), Convert.ToDouble(r.GetValue(3), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_second_run_embeds_nothing_new_with_a_cached_provider()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        using var provider = new CountingEmbedder(new HashedNgramEmbedder(256));
        using var run = MatcherRun.Of(fixture, provider);
        var first = provider.Texts;
        var firstLinks = run.Links();

        MatcherRun.RunAgain(fixture, run.Warehouse, provider);

        Assert.True(first > 500, $"the first run embedded only {first} texts");
        Assert.Equal(first, provider.Texts);
        Assert.Equal(firstLinks, run.Links());
        Assert.Equal(first, run.Warehouse.Scalar<long>("select count(*) from electionmatch_cache.embeddings"));
    }

    [Fact]
    public void A_runoff_the_crm_does_not_list_is_discovered_for_a_matched_candidate()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var path = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        File.WriteAllText(path, File.ReadAllText(path).Replace(",Nonpartisan,,2025-05-03,2025-06-07", ",Nonpartisan,,2025-05-03,", StringComparison.Ordinal));
        using var run = MatcherRun.Of(fixture);

        Assert.Contains(("gpc-000434", "runoff", "1405459"), run.Links());
        Assert.True(run.Warehouse.Scalar<bool>(
            $"select cast(json_extract(match_explanation, '$.discovered_runoff') as boolean) from {run.Table("output")} where gp_candidacy_id = 'gpc-000434' and hubspot_election_type = 'runoff'"));
    }

    [Fact]
    public void A_primary_runoff_is_discovered_for_a_candidacy_that_lists_only_its_general_runoff()
    {
        // Terrence Mabry (gpc-002164) ran in Chatham County's primary runoff (2024-06-18). Here the CRM lists a general
        // runoff (2024-12-03) instead, as it would for a candidacy that went on to one. Before, a candidacy that listed any
        // runoff had none discovered, so the primary runoff was missed; the listed one is still its own row, not found twice.
        using var fixture = FixtureCopy.Of("goodparty");
        var path = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        File.WriteAllText(path, File.ReadAllText(path).Replace("2024-05-21,2024-11-05,2024-06-18", "2024-05-21,2024-11-05,2024-12-03", StringComparison.Ordinal));
        File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"), """
            299101,GA Chatham County Commission - District 4 - General Runoff,1499101,Terrence L. Mabry,Democratic,true,9000,2024-12-03,GA,runoff,County Commission,4,false
            299101,GA Chatham County Commission - District 4 - General Runoff,1499102,Maxine Doggart,Libertarian,false,8000,2024-12-03,GA,runoff,County Commission,4,false

            """);
        using var run = MatcherRun.Of(fixture);

        var runoffs = run.Links().Where(l => l is { Left: "gpc-002164", Type: "runoff" }).Select(l => l.Right).Order().ToList();
        Assert.Equal(["1402703", "1499101"], runoffs);
        Assert.Equal([false, true], run.Warehouse.Query(
            $"select cast(json_extract(match_explanation, '$.discovered_runoff') as boolean) from {run.Table("output")} where gp_candidacy_id = 'gpc-002164' and hubspot_election_type = 'runoff' order by ddhq_candidate_id desc",
            r => r.GetBoolean(0)));
        Assert.Equal(1L, run.Warehouse.Scalar<long>($"select count(*) from {run.Table("runoff_left")} where left_id = 'gpc-002164'"));
    }

    [Theory]
    [InlineData("District 3", 1L)]
    [InlineData("District 13", 0L)]
    public void A_runoff_is_discovered_only_in_a_race_whose_numbers_are_the_linked_race_s(string district, long discovered)
    {
        // Kimberly Ray (gpc-003673) is linked in Flagstaff's District 3 general; the fixture has no runoff for it.
        // A runoff of the same race follows it; a runoff of District 13, a name Jaro-Winkler calls 0.98 alike, does not.
        using var fixture = FixtureCopy.Of("goodparty");
        File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"),
            $"299001,AZ Flagstaff City Council - {district} - Runoff,1499001,Pat Quillen,Nonpartisan,true,900,2024-12-03,AZ,runoff,City Council,{district[9..]},false\n");
        using var run = MatcherRun.Of(fixture);

        Assert.Contains(("gpc-003673", "general", "1403193"), run.Links());
        Assert.Equal(discovered, run.Warehouse.Scalar<long>(
            $"select count(*) from {run.Table("runoff_left")} where left_id = 'gpc-003673' and election_date = date '2024-12-03'"));
    }

    [Fact]
    public void A_runoff_whose_crm_date_is_wrong_is_found_on_a_results_date_after_its_election()
    {
        using var fixture = FixtureCopy.Of("goodparty");
        var path = fixture.PathOf("data/airbyte/hubspot_candidacy.csv");
        File.WriteAllText(path, File.ReadAllText(path).Replace("2024-05-21,2024-11-05,2024-06-18", "2024-05-21,2024-11-05,2024-06-25", StringComparison.Ordinal));
        using var run = MatcherRun.Of(fixture);

        Assert.Contains(("gpc-002164", "runoff", "1402703"), run.Links());
        Assert.Equal(1L, run.Result.Counts["left_stages_runoff_date_fallback"]);
    }

    /// <summary>A provider stand-in that counts what it is asked to embed; it reports itself as a paid provider so the cache is used.</summary>
    // Candidacy rows and results rows appended to the fixture's two CSV files, each a line as written.
    private static void AppendRows(FixtureCopy fixture, string[] candidacies, string[] results)
    {
        File.AppendAllText(fixture.PathOf("data/airbyte/hubspot_candidacy.csv"), string.Join("\n", candidacies) + "\n");
        File.AppendAllText(fixture.PathOf("data/airbyte/ddhq_election_results.csv"), string.Join("\n", results) + "\n");
    }

    private sealed class CountingEmbedder(HashedNgramEmbedder inner) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public int Texts { get; private set; }

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            Texts += list.Count;
            return await inner.GenerateAsync(list, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("counting-test", null, "ngram-256", 256) : null;

        public void Dispose() => inner.Dispose();
    }
}
