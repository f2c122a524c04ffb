using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Generation;

/// <summary>
/// The district types a snapshot of the <c>zip_codes:</c> match links positions to, beside the voter file's columns: a
/// type reaches zip codes in the office model only through a voter-file column that <c>district_types</c> lists (the
/// statewide <c>State</c> and <c>Statewide</c> apart). check says both ways of missing it; a run of the match says the
/// one no setting can fix (EM0306), from the snapshot it published.
/// </summary>
internal sealed class LinkedDistrictTypes
{
    private readonly string _table;
    private readonly IReadOnlyList<(string Type, long Positions)> _linked;
    private readonly IReadOnlyList<string> _voterColumns;
    private readonly ZipCodeSettings _zipCodes;
    private readonly HashSet<string> _listed;
    private readonly HashSet<string> _columns;

    private LinkedDistrictTypes(string table, IReadOnlyList<(string Type, long Positions)> linked, IReadOnlyList<string> voterColumns, ZipCodeSettings zipCodes)
    {
        _table = table;
        _linked = linked;
        _voterColumns = voterColumns;
        _zipCodes = zipCodes;
        _listed = zipCodes.DistrictTypes.Concat(["State", "Statewide"]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        _columns = voterColumns.ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The types <paramref name="snapshot"/> (a relation DuckDB reads) links matched positions to, and the voter file's
    /// columns, which only its description is read for; null when either cannot be read, which the checks that read
    /// them say (and a run, of the voter file, before it asks this: <see cref="ZipCodeInputs.VoterFile"/>).
    /// </summary>
    public static LinkedDistrictTypes? Read(DuckDbWarehouse warehouse, RelationResolver resolver, ZipCodeSettings zipCodes, string table, string snapshot)
    {
        try
        {
            var linked = warehouse.Query($"select l2_district_type, count(*) from {snapshot} where is_matched and l2_district_type is not null group by all order by all",
                r => (r.GetString(0), r.GetInt64(1)));
            var voterColumns = warehouse.Describe("select * from " + resolver.Resolve(zipCodes.Voters, zipCodes.VotersAt ?? zipCodes.At)).Select(c => c.Name).ToList();
            return new LinkedDistrictTypes(table, linked, voterColumns, zipCodes);
        }
        catch (Exception e) when (e is DiagnosticException or DuckDB.NET.Data.DuckDBException)
        {
            return null;
        }
    }

    /// <summary>EM0305 at the last <c>district_types</c> entry: linked types that are voter-file columns the setting leaves out.</summary>
    public Diagnostic? NotListed()
    {
        var unlisted = _linked.Where(l => !_listed.Contains(l.Type) && _columns.Contains(l.Type)).ToList();
        if (unlisted.Count == 0)
        {
            return null;
        }

        var at = _zipCodes.DistrictTypesAt.Count > 0 ? _zipCodes.DistrictTypesAt[^1] : _zipCodes.At;
        var types = string.Join(", ", unlisted.Select(u => $"{u.Type} ({u.Positions} position{(u.Positions == 1 ? "" : "s")})"));
        return Diagnostic.Warning(Codes.LinkedDistrictTypeNotListed, at,
            $"{_table} links positions to districts of type{(unlisted.Count == 1 ? "" : "s")} {types}, {(unlisted.Count == 1 ? "a column" : "columns")} of the voter file {_zipCodes.Voters} that district_types does not list, "
            + $"so their offices reach no zip code in {ZipCodeModelRenderer.ZipToOffice}; add {string.Join(", ", unlisted.Select(u => u.Type))} to district_types and run `electionmatch generate`");
    }

    /// <summary>EM0306 at <c>voters:</c>: linked types no voter-file column carries, which no setting can place.</summary>
    public Diagnostic? WithoutColumn()
    {
        // Before, these offices were left out of the office model in silence: EM0305 looked only at the voter file's columns.
        var uncarried = _linked.Where(l => !_listed.Contains(l.Type) && !_columns.Contains(l.Type)).ToList();
        if (uncarried.Count == 0)
        {
            return null;
        }

        var positions = uncarried.Sum(u => u.Positions);
        string Near(string type) => Spelling.Nearest(type, _voterColumns) is { } near ? $"the voter file's nearest column is {near}" : "";
        var types = uncarried.Count == 1
            ? $"{(positions == 1 ? "a district" : "districts")} of type {uncarried[0].Type}{(Near(uncarried[0].Type) is { Length: > 0 } n ? $" ({n})" : "")}"
            : "districts of types " + string.Join(", ", uncarried.Select(u => $"{u.Type} ({u.Positions} position{(u.Positions == 1 ? "" : "s")}{(Near(u.Type) is { Length: > 0 } n ? "; " + n : "")})"));
        return Diagnostic.Warning(Codes.LinkedDistrictTypeWithoutColumn, _zipCodes.VotersAt ?? _zipCodes.At,
            $"{_table} links {positions} position{(positions == 1 ? "" : "s")} to {types}, "
            + $"which no column of the voter file {_zipCodes.Voters} carries, so {(positions == 1 ? "its office reaches" : "their offices reach")} no zip code in {ZipCodeModelRenderer.ZipToOffice}; "
            + $"to place {(positions == 1 ? "it" : "them")}, give the voter file a column named {(uncarried.Count == 1 ? "for the type" : "for each type")} holding each voter's district, add it to district_types and run `electionmatch generate`");
    }
}
