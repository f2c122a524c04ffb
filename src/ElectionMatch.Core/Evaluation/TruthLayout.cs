namespace ElectionMatch.Evaluation;

/// <summary>
/// Where a truth file keeps its pairs: its delimiter and the places of the left and right id among its header's columns
/// (by the snapshot's id column names when the header has both, else, when it names neither, the first and the last column;
/// a header naming one and not the other is refused, <see cref="MissingIdColumn"/>).
/// </summary>
/// <param name="Header">The header's column names as written.</param>
/// <param name="ByName">The ids were found by the snapshot's id column names (other columns are ignored), not by place.</param>
internal sealed record TruthLayout(char Delimiter, IReadOnlyList<string> Header, int Left, int Right, bool ByName)
{
    /// <summary>The ids' places in <paramref name="header"/>: both named columns when the header has them, else first and last.</summary>
    public static (int Left, int Right, bool ByName) Locate(IReadOnlyList<string> header, string? leftIdColumn, string? rightIdColumn)
    {
        int Find(string? name) => name is null ? -1 : header.ToList().FindIndex(h => h.Trim().Equals(name, StringComparison.OrdinalIgnoreCase));
        var (left, right) = (Find(leftIdColumn), Find(rightIdColumn));
        return left >= 0 && right >= 0 && left != right ? (left, right, true) : (0, header.Count - 1, false);
    }

    /// <summary>
    /// The id column a header lacks when it names the other one, or null (it names both, or neither, or the columns are
    /// not known). Such a header is in the match's terms, so its last or first column is some other field (a district
    /// truth file in spec 000's columns ends with <c>l2_district_name</c>): read by place, every pair would be missed.
    /// </summary>
    public static (string Named, string Missing)? MissingIdColumn(IReadOnlyList<string> header, string? leftIdColumn, string? rightIdColumn)
    {
        if (leftIdColumn is null || rightIdColumn is null)
        {
            return null;
        }

        bool Has(string name) => header.Any(h => h.Trim().Equals(name, StringComparison.OrdinalIgnoreCase));
        return (Has(leftIdColumn), Has(rightIdColumn)) switch
        {
            (true, false) => (leftIdColumn, rightIdColumn),
            (false, true) => (rightIdColumn, leftIdColumn),
            _ => null,
        };
    }

    /// <summary>How a message names the left id's column: by its name, or by its place when it was taken as the first.</summary>
    public string LeftColumnDescription => ByName ? $"left id column '{Header[Left]}'" : $"first column '{Header[Left]}'";
}
