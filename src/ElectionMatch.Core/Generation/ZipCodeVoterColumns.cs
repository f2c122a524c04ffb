using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Generation;

/// <summary>
/// The columns <c>zip_codes:</c> names (<c>zip_code</c>, <c>state</c>, each <c>district_types</c> entry) that the voter
/// file lacks, each an EM0023 at its place in electionmatch.yml, as a match input's mappings are: a model that reads a
/// missing column cannot run, and the fault is the setting, not the generated file.
/// </summary>
internal static class ZipCodeVoterColumns
{
    public static IReadOnlyList<Diagnostic> Missing(DuckDbWarehouse warehouse, RelationResolver resolver, ZipCodeSettings settings)
    {
        IReadOnlyList<string> columns;
        try
        {
            var voters = resolver.Resolve(settings.Voters, settings.VotersAt ?? settings.At);
            columns = warehouse.Describe("select * from " + voters).Select(c => c.Name).ToList();
        }
        catch (Exception e) when (e is DiagnosticException or DuckDB.NET.Data.DuckDBException)
        {
            return []; // the voter file cannot be read at all: check's EM0301 on the model says why
        }

        var names = columns.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var read = new List<(string Column, SourceSpan At)>
        {
            (settings.ZipColumn, settings.ZipColumnAt ?? settings.At),
            (settings.StateColumn, settings.StateColumnAt ?? settings.At),
        };
        read.AddRange(settings.DistrictTypes.Select((t, i) => (t, i < settings.DistrictTypesAt.Count ? settings.DistrictTypesAt[i] : settings.At)));

        // DuckDB matches column names without regard to case, so the generated model would read 'zip' as 'Zip'.
        return read.Where(r => !names.Contains(r.Column))
            .Select(r => Diagnostic.Error(Codes.ColumnNotFound, r.At, Spelling.ColumnNotFound(r.Column, "the voter file " + settings.Voters, columns)))
            .ToList();
    }
}
