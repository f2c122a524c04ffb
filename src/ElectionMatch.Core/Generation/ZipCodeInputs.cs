using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matching;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Generation;

/// <summary>
/// What <c>zip_codes:</c> names that its relations lack, each an error at its place in electionmatch.yml, as a match
/// input's mappings are: a model that reads a missing column, or a relation that names nothing, cannot run, and the
/// fault is the setting, not the generated file. The voter file's columns (<c>zip_code</c>, <c>state</c>, each
/// <c>district_types</c> entry: EM0023) and the ranges' (<c>state_postal_code</c>, <c>zip_code_range</c>, which the office
/// model reads); a <c>voters:</c> or <c>state_zip_code_ranges:</c> whose ref() or source() names no model or source
/// (before, generate wrote models that check then failed at their own lines, EM0301).
/// </summary>
internal static class ZipCodeInputs
{
    /// <summary>The columns of the ranges relation the office model reads.</summary>
    private static readonly string[] RangeColumns = ["state_postal_code", "zip_code_range"];

    public static IReadOnlyList<Diagnostic> Missing(DuckDbWarehouse warehouse, RelationResolver resolver, ZipCodeSettings settings)
    {
        var found = new List<Diagnostic>();
        var votersAt = settings.VotersAt ?? settings.At;
        var resolved = found.Count;
        var voterColumns = Columns(warehouse, resolver, settings.Voters, votersAt, found);
        if (voterColumns is not null)
        {
            var read = new List<(string Column, SourceSpan At)>
            {
                (settings.ZipColumn, settings.ZipColumnAt ?? settings.At),
                (settings.StateColumn, settings.StateColumnAt ?? settings.At),
            };
            read.AddRange(settings.DistrictTypes.Select((t, i) => (t, i < settings.DistrictTypesAt.Count ? settings.DistrictTypesAt[i] : settings.At)));
            var absent = Absent(read, voterColumns, "the voter file " + settings.Voters).ToList();
            // A cut compressed file reads as a header of one column, or none: one error naming it, not one per setting.
            found.AddRange(absent.Count > 0 && VoterFileFault(warehouse, resolver, settings) is { } fault ? [fault] : absent);
        }
        else if (found.Count == resolved && VoterFileFault(warehouse, resolver, settings) is { } fault)
        {
            // DuckDB could not read it (which check's EM0301 on each model would say in its words).
            found.Add(fault);
        }

        var rangesAt = settings.RangesAt ?? settings.At;
        if (Columns(warehouse, resolver, settings.StateZipCodeRanges, rangesAt, found) is { } rangeColumns)
        {
            found.AddRange(Absent(RangeColumns.Select(c => (c, rangesAt)), rangeColumns, $"the zip code ranges {settings.StateZipCodeRanges} (the office model reads its state_postal_code and its zip_code_range, a [low, high] list)"));
        }

        return found;
    }

    /// <summary>
    /// EM0024 at the source's external_location when a file the voter relation reads (through the models it refs) is a
    /// gzip or zstd file that is cut, damaged or misnamed (<see cref="CsvCompression.Fault"/>), or null. It decompresses
    /// the whole file, so it is asked only once reading the voter file went wrong: a whole file, however large, costs nothing.
    /// </summary>
    public static Diagnostic? VoterFileFault(DuckDbWarehouse warehouse, RelationResolver resolver, ZipCodeSettings settings) =>
        resolver.CompressedFileFault(settings.Voters, settings.VotersAt ?? settings.At, warehouse, readNow: false) is var (entry, file, fault)
            ? Diagnostic.Error(Codes.InputUnreadable, entry.LocationAt,
                $"cannot read the voter file {settings.Voters}: source('{entry.SourceName}', '{entry.Name}')'s file {DisplayPath.For(file)} {fault}")
            : null;

    // The relation's columns; null when it cannot be read: a reference that names nothing is the setting's fault, said
    // here; a relation that names something DuckDB cannot read now (a model not built, a warehouse not here) is check's
    // EM0301 on the model, which says why.
    private static IReadOnlyList<string>? Columns(DuckDbWarehouse warehouse, RelationResolver resolver, string relation, SourceSpan at, List<Diagnostic> found)
    {
        try
        {
            return warehouse.Describe("select * from " + resolver.Resolve(relation, at)).Select(c => c.Name).ToList();
        }
        catch (DiagnosticException e)
        {
            found.AddRange(e.Diagnostics);
            return null;
        }
        catch (DuckDB.NET.Data.DuckDBException)
        {
            return null;
        }
    }

    // DuckDB matches column names without regard to case, so the generated model would read 'zip' as 'Zip'.
    private static IEnumerable<Diagnostic> Absent(IEnumerable<(string Column, SourceSpan At)> read, IReadOnlyList<string> columns, string what)
    {
        var names = columns.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return read.Where(r => !names.Contains(r.Column)).Select(r => Diagnostic.Error(Codes.ColumnNotFound, r.At, Spelling.ColumnNotFound(r.Column, what, columns)));
    }
}
