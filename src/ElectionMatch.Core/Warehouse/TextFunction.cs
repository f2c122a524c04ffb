using DuckDB.NET.Data;

namespace ElectionMatch.Warehouse;

/// <summary>A C# function of one text registered as a DuckDB scalar function: null in, or null out, is SQL null.</summary>
internal static class TextFunction
{
    /// <summary>
    /// Registers <paramref name="of"/> as <paramref name="name"/>, once: an incremental run matches many partitions on one
    /// connection. Pure, so DuckDB may fold it over constants and dictionary vectors.
    /// </summary>
    public static void Register(DuckDbWarehouse warehouse, string name, Func<string, string?> of)
    {
        if (warehouse.FunctionExists(name, arity: 1))
        {
            return;
        }

#pragma warning disable DuckDBNET001 // DuckDB.NET marks scalar functions experimental; the signature used here has not changed since 1.1.
        warehouse.Connection.RegisterScalarFunction<string, string>(name, (readers, writer, rows) =>
        {
            var texts = readers[0];
            for (ulong row = 0; row < rows; row++)
            {
                if (texts.IsValid(row) && of(texts.GetValue<string>(row)) is { } result)
                {
                    writer.WriteValue(result, row);
                }
                else
                {
                    writer.WriteNull(row);
                }
            }
        }, new ScalarFunctionOptions { IsPureFunction = true });
#pragma warning restore DuckDBNET001
    }
}
