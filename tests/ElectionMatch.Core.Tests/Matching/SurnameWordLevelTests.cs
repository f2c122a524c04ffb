using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// The surname's <c>partial</c> level tests a one-word surname against the ballot name's rest as text, and splits both
/// names into word lists only for a compound surname. It must answer as the two lists always did
/// (<c>list_has_any</c> of both names split on spaces and hyphens) for every kind of name: compound, hyphenated, a word
/// that only starts or ends a word of the other, empty words from doubled separators, an empty or missing rest.
/// </summary>
public sealed class SurnameWordLevelTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    public void Dispose() => _warehouse.Dispose();

    [Fact]
    public void The_partial_level_answers_as_the_word_lists_overlap()
    {
        var partial = CandidacyDdhqComparisons.All.Single(c => c.Name == "last_name").Levels.Single(l => l.Name == "partial").Condition!;
        _warehouse.Execute("""
            create table pairs as
            select l_last, r_rest
            from (select unnest(['smith', 'de la cruz', 'lopez-garcia', 'garcia', 'van', 'a', '', 'smith jones', 'o''neill']) as l_last),
                (select unnest(['smith', 'j smith', 'smith jr', 'garcia', 'lopez garcia', 'de-la cruz', 'maria de la cruz', '',
                    null, 'a  b', ' smith', 'smith ', 'smithson', 'xsmith', 'smith-jones', 'van der berg', 'lopez--garcia',
                    'o''neill', 'a']) as r_rest);
            """);

        var reference = "list_has_any(string_split(replace(l_last, '-', ' '), ' '), string_split(replace(r_rest, '-', ' '), ' '))";
        var rows = _warehouse.Query(
            $"select l_last, r_rest, coalesce({reference}, false), coalesce({partial}, false) from pairs",
            r => (Last: r.GetString(0), Other: r.IsDBNull(1) ? null : r.GetString(1), Lists: r.GetBoolean(2), Level: r.GetBoolean(3)));

        Assert.Equal(9 * 19, rows.Count);
        Assert.All(rows, r => Assert.True(r.Lists == r.Level, $"'{r.Last}' against '{r.Other}': lists {r.Lists}, level {r.Level}"));
        // Both answers occur, for one-word and compound surnames alike.
        Assert.Contains(rows, r => r is { Last: "smith", Other: "j smith", Level: true });
        Assert.Contains(rows, r => r is { Last: "smith", Other: "smithson", Level: false });
        Assert.Contains(rows, r => r is { Last: "lopez-garcia", Other: "garcia", Level: true });
        Assert.Contains(rows, r => r is { Last: "de la cruz", Other: "smith", Level: false });
    }
}
