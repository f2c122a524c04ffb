using System.Globalization;
using System.Text.RegularExpressions;

namespace ElectionMatch.Dbt;

/// <summary>
/// A dbt version as dbt writes it (<c>1.10.8</c>, <c>1.10.0b1</c>, <c>1.11.0-rc1</c>, <c>2.0.0-preview.45</c>) or as a
/// user names one (<c>1.10</c>, patch 0). A prerelease sorts below its release, so a bound of <c>1.10.5rc1</c> never
/// counts as 1.10.5.
/// </summary>
public sealed partial record DbtVersion(int Major, int Minor, int Patch, string? Prerelease = null) : IComparable<DbtVersion>
{
    public static bool operator <(DbtVersion left, DbtVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(DbtVersion left, DbtVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(DbtVersion left, DbtVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(DbtVersion left, DbtVersion right) => left.CompareTo(right) >= 0;

    public static DbtVersion? TryParse(string text)
    {
        var m = VersionPattern().Match(text.Trim());
        if (!m.Success)
        {
            return null;
        }

        static int Number(Group g) => g.Success ? int.Parse(g.Value, CultureInfo.InvariantCulture) : 0;
        return new DbtVersion(Number(m.Groups["major"]), Number(m.Groups["minor"]), Number(m.Groups["patch"]), m.Groups["pre"].Success ? m.Groups["pre"].Value : null);
    }

    /// <summary>
    /// The oldest version a <c>require-dbt-version</c> allows: the highest of its lower bounds (<c>&gt;=1.8.0</c>,
    /// <c>&gt;1.9.0</c> = 1.9.1, <c>=1.10.5</c> or a bare version), null when it has none (only <c>&lt;2.0.0</c>).
    /// Each item may hold several ranges separated by commas, as dbt reads a single string.
    /// </summary>
    /// <returns>False when a range is not one dbt reads; <paramref name="unreadable"/> is that range.</returns>
    public static bool TryLowerBound(IEnumerable<string> ranges, out DbtVersion? lowest, out string? unreadable)
    {
        lowest = null;
        unreadable = null;
        foreach (var range in ranges.SelectMany(r => r.Split(',')))
        {
            var m = RangePattern().Match(range.Trim());
            if (!m.Success || TryParse(m.Groups["version"].Value) is not { } version)
            {
                unreadable = range.Trim();
                return false;
            }

            DbtVersion? bound = m.Groups["op"].Value switch
            {
                "<" or "<=" => null,
                // The next release after it; a prerelease bound stays below its release either way.
                ">" => version.Prerelease is null ? version with { Patch = version.Patch + 1 } : version,
                _ => version,
            };
            if (bound is not null && (lowest is null || bound > lowest))
            {
                lowest = bound;
            }
        }

        return true;
    }

    public int CompareTo(DbtVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var byNumbers = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (byNumbers != 0)
        {
            return byNumbers;
        }

        return (Prerelease, other.Prerelease) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            _ => string.CompareOrdinal(Prerelease, other.Prerelease),
        };
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}") + (Prerelease is null ? "" : "-" + Prerelease);

    [GeneratedRegex(@"^(?<major>\d{1,6})\.(?<minor>\d{1,6})(?:\.(?<patch>\d{1,6}))?(?:-?(?<pre>[0-9A-Za-z][0-9A-Za-z.-]*))?(?:\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^(?<op>>=|<=|==|=|>|<)?\s*(?<version>\S+)$")]
    private static partial Regex RangePattern();
}
