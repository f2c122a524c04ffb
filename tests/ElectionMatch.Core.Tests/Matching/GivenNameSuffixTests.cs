using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Matching;

/// <summary>
/// A suffix typed into a CRM given-name field (<c>em_given_suffix(tokens, kept)</c>): the first name keeps one word
/// besides it (William Jr.), the middle name none (Jr., B. Jr). Alone in the middle name only a generational suffix is
/// read as one: Md there is more often Mohammad, the review of session 53 found (Abdul Md Karim lost his link to MD KARIM).
/// </summary>
public sealed class GivenNameSuffixTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = CleaningMacros.Warehouse("given_suffix_test");

    [Theory]
    [InlineData("william jr", 1, "jr")]
    [InlineData("william", 1, null)]
    [InlineData("jr", 0, "jr")]
    [InlineData("iii", 0, "iii")]
    [InlineData("b jr", 0, "jr")]
    [InlineData("md", 0, null)]
    [InlineData("esq", 0, null)]
    [InlineData("phd", 0, null)]
    [InlineData("b md", 0, "md")]
    [InlineData("v", 0, null)]
    public void A_suffix_is_read_off_a_given_name_field(string field, int kept, string? suffix)
    {
        Assert.Equal(suffix, _warehouse.Scalar<string>($"select em_given_suffix(string_split({Sql.Literal(field)}, ' '), {kept})"));
    }

    public void Dispose() => _warehouse.Dispose();
}
