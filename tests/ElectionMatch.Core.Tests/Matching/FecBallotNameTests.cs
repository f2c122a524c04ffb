namespace ElectionMatch.Tests.Matching;

/// <summary>
/// FEC filers whose own CRM row carries the name on their ballot (dbt_fixtures/legislators, alternates/real_fec): a
/// middle name that is the ballot's first name or the formal name of its nickname (Douglas for DOUG), a nickname in
/// single quotes ('gene'), one word of a compound surname (Scurry-smith for SMITH), another spelling of a listed name
/// (Terrence for TERRY), an abbreviated given name (WM for William) and a female form's nickname (NIKI for Nicola). Each
/// was a different first name, or a name with no exact part, to the offline judge, which left the row unlinked saying no
/// nickname connects them.
/// </summary>
public sealed class FecBallotNameTests
{
    [Fact]
    public void Filers_whose_crm_row_carries_the_name_on_their_ballot_are_linked_to_it()
    {
        var fixture = FixtureCopy.Of("legislators");
        foreach (var file in new[] { "left.csv", "right.csv", "truth.csv" })
        {
            File.Copy(fixture.PathOf("alternates/real_fec/" + file), fixture.PathOf("data/" + file), overwrite: true);
        }

        using var run = MatcherRun.Of(fixture);

        var rows = run.Warehouse.Query(
            $"""
            select gp_candidacy_id, coalesce(ddhq_candidate, ''), has_match, llm_reasoning
            from {run.Table("output")}
            where gp_candidacy_id in ('H4UT04011-2014', 'H0GA09030-2016', 'H0IN02125-2016', 'H4WV02072-2014', 'H0SC05031-2016',
                'H2TX29030-2016', 'H4FL05065-2014', 'H4MI12061-2014', 'H0MO01066-2016', 'H8MA05143-2016')
            order by gp_candidacy_id
            """,
            r => (Id: r.GetString(0), Candidate: r.GetString(1), Linked: r.GetBoolean(2), Reasoning: r.GetString(3)));

        Assert.Equal(
            [
                ("H0GA09030-2016", "TOM GRAVES", true),
                // Wm is how the ballot abbreviates William (name_variants.csv).
                ("H0IN02125-2016", "LUKE MESSER", true), ("H0MO01066-2016", "WM LACY CLAY", true), ("H0SC05031-2016", "MICK MULVANEY", true),
                ("H2TX29030-2016", "GENE GREEN", true), ("H4FL05065-2014", "GLO SMITH", true),
                // nicknames.csv has Terry for Terence only; name_variants.csv makes Terrence a spelling of Terence.
                ("H4MI12061-2014", "TERRY BOWMAN", true),
                ("H4UT04011-2014", "DOUG OWENS", true), ("H4WV02072-2014", "NICK CASEY", true),
                // Nicola, the female form, whose nickname Niki nicknames.csv lacks.
                ("H8MA05143-2016", "NIKI TSONGAS", true),
            ],
            rows.Select(r => (r.Id, r.Candidate, r.Linked)));
        Assert.All(rows, r => Assert.DoesNotContain("not a nickname", r.Reasoning, StringComparison.Ordinal));
    }
}
