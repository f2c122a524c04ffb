using ElectionMatch.Dbt;

namespace ElectionMatch.Tests;

public sealed class SpellingTests
{
    private static readonly string[] CandidacyColumns = ["gp_candidacy_id", "first_name", "candidate_office", "state", "election_date", "official_office_name"];

    [Theory]
    [InlineData("frist_name", "first_name")]
    [InlineData("First_Name", "first_name")]
    [InlineData("firstname", "first_name")]
    [InlineData("stat", "state")]
    [InlineData("election_dtae", "election_date")]
    [InlineData("candidate_ofice", "candidate_office")]
    [InlineData("gp_candidacy", "gp_candidacy_id")]
    public void A_typo_gets_the_name_it_was_meant_to_be(string typed, string meant) =>
        Assert.Equal(meant, Spelling.Nearest(typed, CandidacyColumns));

    [Theory]
    // Three edits, a third of the name, but the whole word that tells the two apart.
    [InlineData("last_name")]
    [InlineData("election_type")]
    [InlineData("middle_name")]
    [InlineData("district")]
    public void A_different_word_is_not_taken_for_a_typo(string typed) =>
        Assert.Null(Spelling.Nearest(typed, CandidacyColumns));

    [Fact]
    public void A_missing_column_without_a_near_name_lists_the_columns_instead()
    {
        var message = Spelling.ColumnNotFound("last_name", "read_parquet('data/candidacies.parquet')", CandidacyColumns);

        Assert.Equal("column 'last_name' is not in read_parquet('data/candidacies.parquet'); it has: gp_candidacy_id, first_name, candidate_office, state, election_date, official_office_name", message);
    }
}
