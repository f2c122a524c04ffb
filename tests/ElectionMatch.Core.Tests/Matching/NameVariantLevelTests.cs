using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The first-name comparison over the nickname groups the matcher loads (nicknames.csv with name_variants.csv): spellings
/// of one name that the third-party list knows under one spelling only (Terrence for Terence's TERRY, Catherine and
/// Katherine), the abbreviations FEC and older records write (Wm, Chas, Jno), a female form's nickname (Nicola's NIKI),
/// and a middle name that is itself a nickname of the other side's first name (Doug against DOUGLAS).
/// </summary>
public sealed class NameVariantLevelTests : IDisposable
{
    private static readonly RunSchema Run = RunSchema.For("name_variants");

    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    public NameVariantLevelTests()
    {
        _warehouse.Execute($"create schema {Sql.Identifier(Run.Name)}");
        ReferenceData.LoadNicknames(_warehouse, Run, "nicknames");
        ReferenceData.DeriveFirstNameGroups(_warehouse, Run, "nicknames", "first_name_groups");
    }

    public void Dispose() => _warehouse.Dispose();

    /// <summary>The first-name level of each (left first name, left middle name, results first name, results middle name).</summary>
    private Dictionary<(string, string?, string, string?), string> Levels(params (string First, string? Middle, string RFirst, string? RMiddle)[] pairs)
    {
        var comparison = CandidacyDdhqComparisons.All.Single(c => c.Name == "first_name");
        static string Text(string? s) => s is null ? "null" : Sql.Literal(s);
        var values = string.Join(", ", pairs.Select((p, i) => $"({i}, {Text(p.First)}, {Text(p.Middle)}, {Text(p.RFirst)}, {Text(p.RMiddle)})"));
        // The groups as cleaning reads them (a name the lists do not hold is its own group; a middle name the lists do not
        // hold has none), and the middle name against the other side's first name as the pairs' projection reads it (its
        // aliases l and r here structs of the two columns it reads).
        var levels = _warehouse.Query(
            $"""
            with
                names (i, l_first, l_middle1, r_first, r_middle1) as (values {values}),
                sides as (
                    select
                        n.*, null::varchar as l_nick, null::varchar as r_nick, null::double as l_male, null::double as r_male,
                        coalesce(lg.groups, [n.l_first]) as l_groups, coalesce(rg.groups, [n.r_first]) as r_groups,
                        struct_pack(first_name := n.l_first, middle_groups := lm.groups) as l,
                        struct_pack(first_name := n.r_first, middle_groups := rm.groups) as r
                    from names as n
                    left join {Run.Table("first_name_groups")} as lg on lg.name = n.l_first
                    left join {Run.Table("first_name_groups")} as rg on rg.name = n.r_first
                    left join {Run.Table("first_name_groups")} as lm on lm.name = n.l_middle1
                    left join {Run.Table("first_name_groups")} as rm on rm.name = n.r_middle1
                ),
                pairs as (
                    select *, {CandidacyDdhqMatcher.MiddleFor("l", "r")} as l_middle_for_r_first, {CandidacyDdhqMatcher.MiddleFor("r", "l")} as r_middle_for_l_first
                    from sides
                )
            select i, {comparison.GammaSql()} from pairs order by i
            """,
            r => comparison.LevelNames[r.GetInt32(1)]);
        return pairs.Select((p, i) => (p, levels[i])).ToDictionary(x => x.p, x => x.Item2);
    }

    [Fact]
    public void Spellings_of_one_name_meet_each_other_and_each_others_nicknames()
    {
        var levels = Levels(
            ("terrence", null, "terry", null), ("terry", null, "terrance", null), ("catherine", null, "katherine", null),
            ("kathryn", null, "cathy", null), ("karl", null, "carl", null), ("geoffrey", null, "jeffrey", null),
            ("jeffery", null, "geoff", null), ("kristopher", null, "christopher", null), ("steven", null, "stephen", null),
            ("phillip", null, "phil", null), ("frederic", null, "fred", null), ("allan", null, "al", null),
            ("nicola", null, "niki", null), ("niki", null, "nicole", null), ("nicki", null, "nikki", null));

        Assert.All(levels, l => Assert.True(l.Value == "nickname", $"{l.Key}: {l.Value}"));
    }

    [Fact]
    public void An_abbreviated_given_name_is_the_name_it_abbreviates()
    {
        var levels = Levels(
            ("wm", null, "william", null), ("wm", null, "bill", null), ("chas", null, "chuck", null), ("thos", null, "tom", null),
            ("jas", null, "jim", null), ("geo", null, "george", null), ("robt", null, "bob", null), ("saml", null, "sam", null),
            ("benj", null, "ben", null), ("jos", null, "joe", null), ("danl", null, "dan", null), ("edw", null, "ted", null),
            ("jno", null, "john", null), ("jno", null, "jack", null));

        Assert.All(levels, l => Assert.True(l.Value == "nickname", $"{l.Key}: {l.Value}"));
    }

    [Fact]
    public void Hispanic_hypocorisms_and_arabic_and_slavic_romanisations_meet_at_the_nickname_level()
    {
        // Before these rows of name_variants.csv, Alejandro/ALEX and Muhammad/MOHAMMED were a different first name (a veto)
        // or only a close spelling, below a listed nickname.
        var levels = Levels(
            ("alejandro", null, "alex", null), ("jose", null, "pepe", null), ("jesus", null, "chuy", null), ("francisco", null, "pancho", null),
            ("guillermo", null, "memo", null), ("guadalupe", null, "lupe", null), ("mohammed", null, "muhammad", null),
            ("muhammad", null, "mohamed", null), ("mohammad", null, "muhammed", null), ("mohamud", null, "mohammed", null),
            ("mohd", null, "muhammad", null), ("hussain", null, "hussein", null), ("yousef", null, "yusuf", null),
            ("umar", null, "omar", null), ("dmitry", null, "dimitri", null), ("sergey", null, "sergei", null),
            ("aleksandr", null, "alexander", null), ("natalya", null, "natasha", null), ("yevgeny", null, "evgeny", null));

        Assert.All(levels, l => Assert.True(l.Value == "nickname", $"{l.Key}: {l.Value}"));
    }

    [Fact]
    public void Names_that_only_share_a_language_or_a_root_stay_different()
    {
        // A hypocorism is of one name only (Chuy is not José), and Ahmed and Muhammad share a root, not a name.
        var levels = Levels(("chuy", null, "jose", null), ("pepe", null, "jesus", null), ("muhammad", null, "ahmed", null), ("memo", null, "francisco", null));

        Assert.All(levels, l => Assert.True(l.Value == "different", $"{l.Key}: {l.Value}"));
    }

    [Fact]
    public void A_middle_name_short_for_the_other_sides_first_name_is_the_middle_level()
    {
        var levels = Levels(
            ("h", "doug", "douglas", null), ("douglas", null, "h", "doug"), ("j", "rick", "richard", null), ("h", "douglas", "doug", null),
            ("j", "terry", "terrence", null), ("j.", "luis", "lou", null),
            // A middle name whose group only shares a formal name with the other's (Christiana's Ann and Chris) is no evidence.
            ("nancy", "ann", "chris", null));

        Assert.Equal("middle", levels[("h", "doug", "douglas", null)]);
        Assert.Equal("middle", levels[("douglas", null, "h", "doug")]);
        Assert.Equal("middle", levels[("j", "rick", "richard", null)]);
        Assert.Equal("middle", levels[("h", "douglas", "doug", null)]);
        Assert.Equal("middle", levels[("j", "terry", "terrence", null)]);
        // J. Luis Correa goes by LOU CORREA: Lou is short for Luis as for Louis (name_variants.csv).
        Assert.Equal("middle", levels[("j.", "luis", "lou", null)]);
        Assert.Equal("different", levels[("nancy", "ann", "chris", null)]);
    }

    [Fact]
    public void Names_the_lists_do_not_join_stay_different()
    {
        var levels = Levels(("terrence", null, "tom", null), ("wm", null, "walter", null), ("catherine", null, "karen", null), ("nicola", null, "nancy", null));

        Assert.All(levels, l => Assert.True(l.Value == "different", $"{l.Key}: {l.Value}"));
    }

    [Fact]
    public void Every_pair_of_nicknames_csv_is_loaded_as_its_source_has_it()
    {
        var listed = ElectionMatch.Synthesis.ReferenceFile.Rows("nicknames.csv").Where(p => p[1] == "has_nickname").Select(p => (p[0], p[2])).ToHashSet();
        var loaded = _warehouse.Query($"select name, nickname from {Run.Table("nicknames")}", r => (r.GetString(0), r.GetString(1))).ToHashSet();

        Assert.Subset(loaded, listed);
        Assert.Equal(loaded.Count, _warehouse.Scalar<long>($"select count(*) from {Run.Table("nicknames")}"));
        Assert.Contains(("terence", "terrence"), loaded);
        Assert.Contains(("terrence", "terry"), loaded);
        Assert.Contains(("william", "wm"), loaded);
    }
}
