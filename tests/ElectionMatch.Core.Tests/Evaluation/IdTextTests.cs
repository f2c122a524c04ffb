using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Evaluation;

/// <summary>The text evaluate compares ids by: an integral floating value reads as its integer, any other id as its text.</summary>
public sealed class IdTextTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    [Theory]
    [InlineData("cast(1402844 as double)", "1402844")]
    [InlineData("cast(1402844 as float)", "1402844")]
    [InlineData("cast(1402844 as decimal(18, 3))", "1402844")]
    [InlineData("cast(-5 as double)", "-5")]
    [InlineData("cast(1e16 as double)", "10000000000000000")]
    [InlineData("'1402844.0'", "1402844")]
    [InlineData("'1402844.000'", "1402844")]
    [InlineData("cast(1402844 as bigint)", "1402844")]
    [InlineData("'1402844'", "1402844")]
    [InlineData("cast(0.5 as double)", "0.5")]
    [InlineData("'1402844.5'", "1402844.5")]
    [InlineData("cast(1.5 as double)", "1.5")]
    [InlineData("'007'", "007")]
    [InlineData("'7.'", "7.")]
    [InlineData("'gpc-000132'", "gpc-000132")]
    [InlineData("' gpc-000132\t'", "gpc-000132")]
    [InlineData("' 1402844.0 '", "1402844")]
    [InlineData("'GPC-000132'", "GPC-000132")]
    public void An_id_reads_as_its_integer_only_when_it_is_an_integral_number(string value, string expected)
    {
        Assert.Equal(expected, _warehouse.Scalar<string>($"select {IdText.Of(value)}"));
    }

    // A run's text id: a floating or decimal column's integral value as its integer (its type told or read), a text
    // column's number as written; either trimmed of spaces and tabs.
    [Theory]
    [InlineData("cast(1e16 as double)", "DOUBLE", true, "10000000000000000")]
    [InlineData("cast(1e16 as double)", null, true, "10000000000000000")]
    [InlineData("cast(1402844 as decimal(18, 3))", null, true, "1402844")]
    [InlineData("cast(1402844 as double)", "DOUBLE", false, "1402844.0")]
    [InlineData("'1402844.0'", "VARCHAR", true, "1402844.0")]
    [InlineData("'1402844.0'", null, true, "1402844.0")]
    [InlineData("' gpc-000132\t'", null, true, "gpc-000132")]
    [InlineData("cast(1402844 as bigint)", "BIGINT", true, "1402844")]
    public void A_columns_id_text_changes_a_floating_value_only(string value, string? type, bool integral, string expected)
    {
        Assert.Equal(expected, _warehouse.Scalar<string>($"select {IdText.OfColumn(value, type, integral)}"));
    }

    [Theory]
    [InlineData("' gpc-000132\t'", "VARCHAR", "VARCHAR", "gpc-000132")]
    [InlineData("cast(1402844 as double)", "DOUBLE", "DOUBLE", "1402844.0")]
    public void A_published_id_keeps_its_type_and_text_is_trimmed(string value, string type, string expectedType, string expected)
    {
        Assert.Equal($"{expectedType}|{expected}", _warehouse.Scalar<string>($"select typeof({IdText.Value(value, type)}) || '|' || {IdText.Value(value, type)}"));
    }

    [Fact]
    public void A_null_id_stays_null()
    {
        Assert.Null(_warehouse.Scalar<string>($"select {IdText.Of("cast(null as double)")}"));
    }

    public void Dispose() => _warehouse.Dispose();
}
