using ElectionMatch.Dbt;
using ElectionMatch.Matches.CandidacyDdhq;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// Each candidacy surname's words with their frequencies among the results' surname words (<c>left_surname_words</c>),
/// a list in the words' order: sorted after the aggregate since session 56, which must give the ordered aggregate's lists.
/// </summary>
public sealed class LeftSurnameWordsTests
{
    [Fact]
    public void A_surnames_words_are_listed_in_the_order_the_ordered_aggregate_gives()
    {
        using var warehouse = DuckDbWarehouse.InMemory();
        var run = RunSchema.For("left_surname_words");
        warehouse.Execute($"create schema {Sql.Identifier(run.Name)}");
        // Surnames of one to four words (hyphens and spaces), of ASCII and other letters, some words no results surname holds.
        var random = new Random(56);
        string[] words = ["garcia", "de", "la", "cruz", "van", "der", "berg", "o", "z", "a", "møller", "müller", "muller", "ñúñez", "李", "zz", "aa", "b2", "x"];
        var surnames = Enumerable.Range(0, 5_000)
            .Select(_ => string.Join(random.Next(3) == 0 ? "-" : " ", Enumerable.Range(0, random.Next(1, 5)).Select(_ => words[random.Next(words.Length)])))
            .ToList();
        warehouse.Execute($"create table {run.Table("left_clean")} (last_name varchar)");
        warehouse.Execute($"insert into {run.Table("left_clean")} values {string.Join(", ", surnames.Select(s => $"({Sql.Literal(s)})"))}, (null)");
        warehouse.Execute($"""
            create table {run.Table(CandidacyDdhqCleaning.SurnameWordsTable)} as
            select word, (hash(word) % 1000) / 1000.0 as tf_word from (select unnest({Sql.ListLiteral(words.Where(w => w != "zz"))}) as word)
            """);
        var project = DbtProject.Load(Path.Combine(FixtureCopy.RepositoryRoot, "dbt_fixtures", "goodparty"));
        var cleaning = new CandidacyDdhqCleaning(ElectionMatchSettings.Load(project).Match("candidacy_ddhq_matches"), run);

        warehouse.Execute(cleaning.LeftSurnameWordsSql());
        // The statement before session 56: the list ordered by the word in the aggregate.
        warehouse.Execute($"""
            create table ordered as
            select s.last_name, list(struct_pack(word := s.word, tf := w.tf_word) order by s.word) as words
            from (
                select distinct last_name, word
                from (select last_name, unnest(string_split(replace(last_name, '-', ' '), ' ')) as word from {run.Table("left_clean")} where last_name is not null)
            ) as s
            join {run.Table(CandidacyDdhqCleaning.SurnameWordsTable)} as w using (word)
            group by s.last_name
            """);

        var differing = warehouse.Scalar<long>($"""
            select count(*) from ordered as o full join {run.Table(CandidacyDdhqCleaning.LeftSurnameWordsTable)} as n using (last_name)
            where o.words is distinct from n.words
            """);
        Assert.Equal(0, differing);
        Assert.True(warehouse.Scalar<long>("select count(*) from ordered where len(words) > 2") > 100);
    }
}
