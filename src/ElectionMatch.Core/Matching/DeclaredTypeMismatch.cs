using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Matching;

/// <summary>
/// EM0029 as a warning for a source whose columns have their types (a warehouse table, a parquet or JSON file, a table
/// function call), where <c>data_type</c> changes nothing: at each declaration of a column the match reads or keeps
/// whose type is not the column's, and of a column the input lacks. Before, the run read and published the column's
/// own type (VARCHAR) while the YAML, dbt's documentation of it, said another (bigint), without a word.
/// </summary>
internal static class DeclaredTypeMismatch
{
    /// <param name="relation">The input as the run reads it; said nothing of for a CSV file, which is read as declared.</param>
    /// <param name="columns">The input's columns with their types, as DuckDB describes them.</param>
    /// <param name="used">The columns the match reads (its id, the mapped ones) and those it keeps.</param>
    public static IEnumerable<Diagnostic> Warnings(DuckDbWarehouse warehouse, InputRelation relation, IReadOnlyList<ColumnInfo> columns, IReadOnlyCollection<string> used)
    {
        if (relation is not { Csv: null, Source: { DeclaredTypes.Count: > 0 } source })
        {
            yield break;
        }

        var names = columns.Select(c => c.Name).ToList();
        foreach (var declared in source.DeclaredTypes)
        {
            var type = RelationResolver.DuckDbTypeOrNull(declared.Type, warehouse);
            var column = columns.FirstOrDefault(c => c.Name.Equals(declared.Column, StringComparison.OrdinalIgnoreCase));
            if (column is null)
            {
                yield return Diagnostic.Warning(Codes.DeclaredTypeInvalid, declared.At,
                    $"data_type {type ?? declared.Type} is not used: {Spelling.ColumnNotFound(declared.Column, relation.Description, names)}");
            }
            else if (type is not null && !type.Equals(column.DataType, StringComparison.OrdinalIgnoreCase) && used.Contains(column.Name, StringComparer.OrdinalIgnoreCase))
            {
                var (whose, why, remedy) = Kind(source.ExternalLocation);
                yield return Diagnostic.Warning(Codes.DeclaredTypeInvalid, declared.At,
                    $"data_type {type} declared for column '{declared.Column}' of {relation.Description}, but {whose} column is {column.DataType}, which the run reads as it is: {why}; " +
                    $"declare {column.DataType.ToLowerInvariant()}, {remedy}cast it in a model and point the match at it");
            }
        }
    }

    // Whose column it is, why data_type does not change its type, and a remedy of its own before the model's cast.
    private static (string Whose, string Why, string Remedy) Kind(string? location)
    {
        if (location is null)
        {
            return ("the table's", "a warehouse table's columns have their types", "or ");
        }

        if (location.Contains('(', StringComparison.Ordinal))
        {
            return ("the call's", "a table function call's columns have the types it reads them as, which data_type does not reach", "give the call the type (read_csv's types = {…}), or ");
        }

        var name = location.ToLowerInvariant();
        name = name.EndsWith(".gz", StringComparison.Ordinal) ? name[..^3] : name.EndsWith(".zst", StringComparison.Ordinal) ? name[..^4] : name;
        return name switch
        {
            _ when name.EndsWith(".parquet", StringComparison.Ordinal) => ("the file's", "a parquet file's columns have their types", "or "),
            _ when name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith(".jsonl", StringComparison.Ordinal) || name.EndsWith(".ndjson", StringComparison.Ordinal)
                => ("the file's", "a JSON file's columns have the types DuckDB's reader finds in it", "or "),
            _ => ("the file's", "data_type is read only for a local CSV file, and DuckDB's reader finds this one's types", "or "),
        };
    }
}
