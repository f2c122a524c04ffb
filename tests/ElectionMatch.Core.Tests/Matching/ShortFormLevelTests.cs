using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The first name's <c>short_form</c> level: a contracted short form (Ami for Amerish, Kate for Katherine). Its SQL turns
/// the shorter name into a pattern; it must answer as the plain definition does (three letters or more, the longer
/// name's first two letters, every letter in the longer name's order, no sex conflict) for every pair of a set of
/// names, and the whole first-name comparison must give the level only to pairs no earlier level takes.
/// </summary>
public sealed class ShortFormLevelTests : IDisposable
{
    private static readonly string[] Names =
    [
        "amerish", "ami", "katherine", "kate", "kat", "katie", "leonard", "len", "leo", "jason", "jon", "jan", "jordan",
        "joseph", "joe", "jose", "carl", "carol", "ana", "andrea", "mary-jo", "maryjo", "mjo", "ma", "a", "ed", "edward",
        "michael", "mike", "anne marie", "amie", "vincent", "vic", "jo-ann", "joann", "ma-j", "jo-a", "an m",
    ];

    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    public void Dispose() => _warehouse.Dispose();

    /// <summary>Share of births that were boys, for the names whose sex the tests fix (the rest unknown, as Amerish is).</summary>
    private static double? Male(string name) => name switch
    {
        "carl" or "jason" or "jon" or "leonard" or "len" or "joseph" or "joe" or "jose" or "edward" or "ed" or "michael" or "mike" or "vincent" or "vic" => 0.99,
        "carol" or "katherine" or "kate" or "katie" or "ana" or "andrea" or "mary-jo" or "anne marie" or "amie" or "jo-ann" or "joann" => 0.01,
        _ => null,
    };

    private static bool Definition(string a, string b)
    {
        var (shorter, longer) = a.Length <= b.Length ? (a, b) : (b, a);
        if (shorter.Length < 3 || shorter.Length == longer.Length || shorter[..2] != longer[..2])
        {
            return false;
        }

        if (Male(a) is { } ma && Male(b) is { } mb && Math.Abs(ma - mb) > 0.8)
        {
            return false;
        }

        var at = 0;
        foreach (var letter in shorter)
        {
            at = longer.IndexOf(letter, at) + 1;
            if (at == 0)
            {
                return false;
            }
        }

        return true;
    }

    private void CreatePairs()
    {
        var names = string.Join(", ", Names.Select(n => $"({Sql.Literal(n)}, {Male(n)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"})"));
        _warehouse.Execute($"""
            create table names(first varchar, male double);
            insert into names values {names};
            create table pairs as
            select l.first as l_first, r.first as r_first, l.male as l_male, r.male as r_male,
                null::varchar as l_nick, null::varchar as r_nick, []::varchar[] as l_groups, []::varchar[] as r_groups,
                null::varchar as l_middle1, null::varchar as r_middle1, false as l_middle_for_r_first, false as r_middle_for_l_first
            from names l, names r;
            """);
    }

    [Fact]
    public void The_level_answers_as_its_definition_for_every_pair()
    {
        CreatePairs();
        var level = CandidacyDdhqComparisons.All.Single(c => c.Name == "first_name").Levels.Single(l => l.Name == "short_form").Condition!;
        var rows = _warehouse.Query($"select l_first, r_first, coalesce({level}, false) from pairs",
            r => (Left: r.GetString(0), Right: r.GetString(1), Level: r.GetBoolean(2)));

        Assert.Equal(Names.Length * Names.Length, rows.Count);
        Assert.All(rows, r => Assert.True(r.Level == Definition(r.Left, r.Right), $"'{r.Left}' against '{r.Right}': level {r.Level}"));
        Assert.Contains(rows, r => r is { Left: "amerish", Right: "ami", Level: true });
        Assert.Contains(rows, r => r is { Left: "kate", Right: "katherine", Level: true });
        Assert.Contains(rows, r => r is { Left: "mjo", Right: "mary-jo", Level: false });
        Assert.Contains(rows, r => r is { Left: "jon", Right: "jason", Level: false });
        Assert.Contains(rows, r => r is { Left: "carl", Right: "carol", Level: false });
    }

    [Fact]
    public void Only_pairs_that_no_earlier_level_takes_reach_it()
    {
        CreatePairs();
        var comparison = CandidacyDdhqComparisons.All.Single(c => c.Name == "first_name");
        var shortForm = comparison.LevelNames.ToList().IndexOf("short_form");
        var levels = _warehouse.Query($"select l_first, r_first, {comparison.GammaSql()} from pairs",
            r => (Left: r.GetString(0), Right: r.GetString(1), Level: comparison.LevelNames[r.GetInt32(2)]))
            .ToDictionary(r => (r.Left, r.Right), r => r.Level);

        Assert.Equal("short_form", levels[("amerish", "ami")]);
        Assert.Equal("short_form", levels[("leonard", "len")]);
        Assert.Equal("short_form", levels[("vic", "vincent")]);
        // A prefix, a close spelling and an equal name keep their own levels; a contraction across a sex conflict is a different name.
        Assert.Equal("prefix", levels[("kat", "katherine")]);
        Assert.Equal("fuzzy", levels[("joann", "jo-ann")]);
        Assert.Equal("exact", levels[("ami", "ami")]);
        Assert.Equal("different", levels[("carl", "carol")]);
        Assert.Equal("different", levels[("jon", "jason")]);
        Assert.Equal(comparison.LevelNames.Count - 2, shortForm);
    }
}
