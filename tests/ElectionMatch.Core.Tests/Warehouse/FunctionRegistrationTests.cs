using ElectionMatch.Matching;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Tests.Warehouse;

/// <summary>
/// The C# functions are registered once per connection, however often a run asks (an incremental run matches many
/// partitions on one), and a function is found by binding a call of it, not by listing duckdb_functions().
/// </summary>
public sealed class FunctionRegistrationTests : IDisposable
{
    private readonly DuckDbWarehouse _warehouse = DuckDbWarehouse.InMemory();

    public void Dispose() => _warehouse.Dispose();

    [Fact]
    public void A_function_exists_once_registered_and_registering_it_again_changes_nothing()
    {
        Assert.False(_warehouse.FunctionExists("em_test_upper", arity: 1));
        Assert.False(_warehouse.FunctionExists(CsvLines.Function, arity: 2));

        TextFunction.Register(_warehouse, "em_test_upper", s => s.ToUpperInvariant());
        TextFunction.Register(_warehouse, "em_test_upper", s => s.ToUpperInvariant());
        CsvLines.Register(_warehouse);
        CsvLines.Register(_warehouse);

        Assert.True(_warehouse.FunctionExists("em_test_upper", arity: 1));
        Assert.True(_warehouse.FunctionExists(CsvLines.Function, arity: 2));
        Assert.True(_warehouse.FunctionExists("lower", arity: 1));
        Assert.Equal("ABC", _warehouse.Scalar<string>("select em_test_upper('abc')"));
        Assert.Equal(1, _warehouse.Scalar<long>("select count(*) from duckdb_functions() where function_name = 'em_test_upper'"));
    }

    [Fact]
    public void Asking_for_a_function_with_the_wrong_number_of_arguments_is_an_error_not_a_missing_function()
    {
        // Answering "missing" would register it a second time under another signature.
        Assert.Throws<DuckDB.NET.Data.DuckDBException>(() => _warehouse.FunctionExists("lower", arity: 2));
    }
}
