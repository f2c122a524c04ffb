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
        var (voterColumns, unreadable) = VoterFile(warehouse, resolver, settings);
        var found = new List<Diagnostic>(unreadable);
        if (voterColumns is not null)
        {
            found.AddRange(Absent(VoterColumnsRead(settings), voterColumns, "the voter file " + settings.Voters));
        }

        var rangesAt = settings.RangesAt ?? settings.At;
        if (Columns(warehouse, resolver, settings.StateZipCodeRanges, rangesAt, found) is { } rangeColumns)
        {
            found.AddRange(Absent(RangeColumns.Select(c => (c, rangesAt)), rangeColumns, $"the zip code ranges {settings.StateZipCodeRanges} (the office model reads its state_postal_code and its zip_code_range, a [low, high] list)"));
        }

        return found;
    }

    /// <summary>
    /// The voter file's columns (its description, not its rows), or null with why it cannot be read, as check and
    /// generate say it: a reference that names nothing or a file that is not there (the resolver's error), or a gzip or
    /// zstd file behind it that is cut, damaged or misnamed (<see cref="VoterFileFault"/>), asked only when reading went
    /// wrong: DuckDB's error, or a header without a column zip_codes names (a cut file reads as a header of one column,
    /// or none: one error naming it, not one per setting), or a zstd file cut in its last bytes (<see cref="ZstdEnd.IsCut"/>,
    /// which walks its frames without decompressing them). Null with nothing said when DuckDB cannot read it for another
    /// reason (a model not built, which check's EM0301 on the model says in its words).
    /// </summary>
    public static (IReadOnlyList<string>? Columns, IReadOnlyList<Diagnostic> Unreadable) VoterFile(DuckDbWarehouse warehouse, RelationResolver resolver, ZipCodeSettings settings)
    {
        var found = new List<Diagnostic>();
        var columns = Columns(warehouse, resolver, settings.Voters, settings.VotersAt ?? settings.At, found);
        if (found.Count > 0)
        {
            return (null, found);
        }

        // A zstd file's frames are walked by their block headers, without decompressing (0.1 s a GB of CSV, against 2.5 s
        // to decompress it), so one cut in its last bytes, whose header still reads, is said too. A gzip file's end, the
        // CRC-32 and length of what it holds, is checked only by inflating it whole: that waits for a read that went wrong.
        var names = columns?.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var readWrong = names is null || VoterColumnsRead(settings).Any(r => !names.Contains(r.Column));
        if ((readWrong || resolver.SourceFiles(settings.Voters, settings.VotersAt ?? settings.At, warehouse, readNow: false).Any(f => ZstdEnd.IsCut(f.File)))
            && VoterFileFault(warehouse, resolver, settings) is { } fault)
        {
            return (null, [fault]);
        }

        return (columns, []);
    }

    /// <summary>
    /// EM0024 at the source's external_location when a file the voter relation reads (through the models it refs) is a
    /// gzip or zstd file that is cut, damaged or misnamed (<see cref="CsvCompression.Fault"/>), or null. It decompresses
    /// the whole file, so it is asked only once reading the voter file went wrong or a zstd file's walk found it cut
    /// (<see cref="VoterFile"/>): a whole file, however large, is never decompressed to check it.
    /// </summary>
    private static Diagnostic? VoterFileFault(DuckDbWarehouse warehouse, RelationResolver resolver, ZipCodeSettings settings) =>
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

    // The voter file's columns the models read, each at its setting.
    private static IEnumerable<(string Column, SourceSpan At)> VoterColumnsRead(ZipCodeSettings settings) =>
        [
            (settings.ZipColumn, settings.ZipColumnAt ?? settings.At),
            (settings.StateColumn, settings.StateColumnAt ?? settings.At),
            .. settings.DistrictTypes.Select((t, i) => (t, i < settings.DistrictTypesAt.Count ? settings.DistrictTypesAt[i] : settings.At)),
        ];

    // DuckDB matches column names without regard to case, so the generated model would read 'zip' as 'Zip'.
    private static IEnumerable<Diagnostic> Absent(IEnumerable<(string Column, SourceSpan At)> read, IReadOnlyList<string> columns, string what)
    {
        var names = columns.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return read.Where(r => !names.Contains(r.Column)).Select(r => Diagnostic.Error(Codes.ColumnNotFound, r.At, Spelling.ColumnNotFound(r.Column, what, columns)));
    }
}
