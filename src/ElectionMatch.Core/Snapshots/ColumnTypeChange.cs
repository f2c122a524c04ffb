using System.Text.RegularExpressions;
using ElectionMatch.Dbt;
using ElectionMatch.Diagnostics;
using ElectionMatch.Matches;
using ElectionMatch.Matching;
using ElectionMatch.Operations;
using ElectionMatch.Settings;
using ElectionMatch.Warehouse;

namespace ElectionMatch.Snapshots;

/// <summary>
/// A column a snapshot publishes with another type than the match's snapshot before it published it (EM0619): the
/// stable model downstream models read changes type with it, and a join, a cast or a dbt contract on it breaks where
/// nothing else says so. Told from the manifests' <c>columns</c> alone, so <c>check</c> sees it in a clone without the
/// warehouse. A column added or dropped is not one: dbt fails on a dropped column it reads, and an added one breaks nothing.
/// </summary>
internal sealed partial record ColumnTypeChange(string Column, string Before, string Now)
{
    /// <summary>The columns both lists have whose types differ, in <paramref name="now"/>'s order; none when either is unknown.</summary>
    public static IReadOnlyList<ColumnTypeChange> Between(IReadOnlyList<ColumnInfo>? before, IReadOnlyList<ColumnInfo>? now)
    {
        if (before is null || now is null)
        {
            return [];
        }

        // Names as DuckDB binds them, without regard to case, as a downstream model reads them.
        var types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in before)
        {
            types.TryAdd(column.Name, column.DataType);
        }

        return now.Where(c => types.TryGetValue(c.Name, out var type) && type != c.DataType)
            .Select(c => new ColumnTypeChange(c.Name, types[c.Name], c.DataType))
            .ToList();
    }

    /// <summary>
    /// The manifest of <paramref name="name"/>'s match's snapshot dated last before it, when it parses and its snapshot is
    /// not <paramref name="passedOver"/> (interrupted, EM0608; a pruned one has no manifest in place); null when there is
    /// none. The one before it, not the newest with <c>columns</c>: a snapshot between them would be what was read before.
    /// </summary>
    public static ManifestFile? Preceding(ProjectContext context, SnapshotName name, Func<string, bool> passedOver) =>
        ManifestFiles.Of(context, name.Match)
            .Select(f => (File: f, Name: SnapshotName.TryParse(f.Snapshot, name.Match)))
            .Where(x => x.File.Manifest is not null && x.Name is { } n && n.Date < name.Date && !passedOver(x.File.Snapshot))
            .OrderBy(x => x.Name!.Date)
            .Select(x => x.File)
            .LastOrDefault();

    /// <summary>
    /// EM0619 at the manifest's <c>columns</c> line: the column, both types and both snapshots, where the column comes
    /// from (<paramref name="why"/>), the models that now return the new type, and what to do.
    /// </summary>
    /// <param name="earlier">How the message names the snapshot compared with: "the snapshot before it, X", "the snapshot it replaces".</param>
    /// <param name="stable">Whether the stable model reads <paramref name="name"/> (it is the newest).</param>
    public Diagnostic Warning(ProjectContext context, SnapshotName name, SourceSpan at, string earlier, string why, bool stable)
    {
        var source = context.Settings.Snapshots.SourceName;
        var models = stable ? $"the stable model {SnapshotName.LatestModel(name.Match, source)}" : $"its staging model {name.StagingModel(source)}";
        return Diagnostic.Warning(Codes.SnapshotColumnTypeChanged, at,
            $"snapshot {name.Table} publishes column {Column} as {Now}, where {earlier} published it as {Before}{why}; {models} returns it as {Now} too, "
            + $"so a downstream join, cast or dbt contract on {Column} sees another type; if that is not meant, correct the input and publish again "
            + $"(`{context.RunCommand(name.Match, name.Date, ["--replace"])}`), else update what reads the column");
    }

    /// <summary>
    /// Where the column comes from, as <c>check</c> can tell it without reading an input: the input column it carries as
    /// read (<see cref="MatchDefinition.InputColumnOf"/>); empty for a column the match computes.
    /// </summary>
    public string InputNamed(MatchDefinition? definition, MatchSettings? match) =>
        definition is not null && match is not null && definition.InputColumnOf(Column, match) is var (side, column)
            ? $" (it carries the {side} input's column {column} as read, so its type is the one that column is read as)"
            : "";

    /// <summary>
    /// Why, as a run can tell it: the input column the published one carries (<see cref="InputNamed"/>) read as the new
    /// type now, with a value of it that is no <see cref="Before"/> when it is read as text (one read of the input, only
    /// for such a column), and for a CSV file how its type was taken. Empty for a column the match computes.
    /// </summary>
    public string WhyFromInput(DuckDbWarehouse warehouse, MatchInputs inputs, MatchSettings match, MatchDefinition definition)
    {
        if (definition.InputColumnOf(Column, match) is not var (side, column))
        {
            return "";
        }

        var input = side == "left" ? inputs.Left : inputs.Right;
        var type = input.ColumnType(warehouse, input.Sql, column);
        var carried = $": it carries the {side} input's column {column} of {input.Description} as read";
        if (type != Now)
        {
            return carried + (type is null ? "" : $", which is read as {type}");
        }

        var misfit = Now == "VARCHAR" ? FirstMisfit(warehouse, input, column) : null;
        var value = misfit is null ? "" : $" (its value '{PrintableText.Of(misfit.Length > 60 ? misfit[..60] + "…" : misfit)}' is no {Before})";
        var declare = $"; to keep it {Before}, declare it under its source's columns: in the sources YAML (- name: {column} with data_type: {Before.ToLowerInvariant()}), which quarantines such a row instead";
        var how = input.Csv switch
        {
            null => "",
            { } declared when declared.DeclaredFor(column) is { } d =>
                $", the data_type that {d.At.File} line {d.At.Line} declares for it",
            // EM0027 has said it: a kept column the match does not read is read as text for a value past the sniffer's rows.
            _ when input.Warnings.Any(w => w.Code == Codes.PassThroughColumnReadAsText && w.Message.StartsWith($"column '{column}' ", StringComparison.Ordinal)) =>
                ", as its warning EM0027 above says",
            { IsGlob: true } csv => $": DuckDB's sniffer takes a column's type from the first rows of a glob's first file ({csv.DisplayOf(csv.Files[0])}), and a value among them "
                + "that fits no narrower type makes the whole column text, where one past them would quarantine its row (EMQ010)" + declare,
            _ => ": DuckDB's sniffer takes a column's type from the file's first rows (every row of a small file), and a value among them that fits no narrower type "
                + "makes the whole column text, where one past them would quarantine its row (EMQ010)" + declare,
        };
        return $"{carried}, which is read as {Now} now{value}{how}";
    }

    // The first value of the input's column (read as text) that does not cast to the type the column had; null when none
    // is found, or the type is not a plain DuckDB type name (the manifest is a file anyone can edit) or the read fails.
    private string? FirstMisfit(DuckDbWarehouse warehouse, InputRelation input, string column)
    {
        if (!PlainType().IsMatch(Before))
        {
            return null;
        }

        var relation = input.Csv is { } csv ? csv.RelationWithRejectsApart(MisfitSuffix) : input.Sql;
        var c = Sql.Identifier(column);
        try
        {
            return warehouse.Query($"select {c} from {relation} where {c} is not null and try_cast({c} as {Before}) is null limit 1", r => r.GetString(0)).FirstOrDefault();
        }
        catch (DuckDB.NET.Data.DuckDBException)
        {
            return null;
        }
    }

    // The suffix of the reject tables of FirstMisfit's read of a CSV input, apart from the run's.
    private const string MisfitSuffix = "_type_change";

    [GeneratedRegex(@"^[A-Z][A-Z0-9_ ]*(\([0-9]+(, ?[0-9]+)?\))?$")]
    private static partial Regex PlainType();
}
