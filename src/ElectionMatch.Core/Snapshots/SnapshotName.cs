using System.Globalization;
using System.Text.RegularExpressions;

namespace ElectionMatch.Snapshots;

/// <summary><c>&lt;match&gt;_YYYYMMDD</c>: the dated table name GoodParty's downstream models already use.</summary>
public sealed partial record SnapshotName(string Match, DateOnly Date)
{
    public string Table => $"{Match}_{Date.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";

    public string QuarantineTable => Table + "__quarantine";

    /// <summary>The staging model dbt users reference: <c>stg_&lt;source&gt;__&lt;table&gt;</c>.</summary>
    public string StagingModel(string sourceName) => $"stg_{sourceName}__{Table}";

    /// <summary>The stable model of a match, <c>stg_&lt;source&gt;__&lt;match&gt;</c>: the newest snapshot's staging model under a name that never changes.</summary>
    public static string LatestModel(string match, string sourceName) => $"stg_{sourceName}__{match}";

    public override string ToString() => Table;

    public static SnapshotName? TryParse(string table, string match)
    {
        var m = Dated().Match(table);
        if (!m.Success || m.Groups["match"].Value != match)
        {
            return null;
        }

        return DateOnly.TryParseExact(m.Groups["date"].Value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? new SnapshotName(match, date)
            : null;
    }

    /// <summary>Splits any dated table name; the match is whatever precedes the date.</summary>
    public static SnapshotName? TryParse(string table)
    {
        var m = Dated().Match(table);
        return m.Success ? TryParse(table, m.Groups["match"].Value) : null;
    }

    [GeneratedRegex(@"^(?<match>[a-z0-9_]+?)_(?<date>\d{8})$")]
    private static partial Regex Dated();
}
